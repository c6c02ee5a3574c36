import type { Sequelize, Transaction } from 'sequelize';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv';
import { HttpError } from './http-error';
import type { PersonKind, RosterQueries } from './roster-queries';

/** One line the import could not use, and why. The rest of the file is still imported. */
export interface ImportLineError {
  /** Line of the file (the header is line 1). */
  line: number;
  message: string;
}

/** What an import did. */
export interface ImportResult {
  created: number;
  updated: number;
  errors: ImportLineError[];
}

/** The columns each kind's CSV may have; the first three are required. */
export const IMPORT_COLUMNS: Record<PersonKind, readonly string[]> = {
  students: ['student_number', 'first_name', 'last_name', 'email', 'grade', 'building_sis_id'],
  staff: ['staff_number', 'first_name', 'last_name', 'email', 'role', 'building_sis_id'],
};

const REQUIRED_COLUMN_COUNT = 3;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A line turned into the values to write. */
interface PersonValues {
  number: string;
  firstName: string;
  lastName: string;
  /** Only the optional columns the file has: a column it lacks leaves the stored value alone. */
  optional: { email?: string | null; detail?: string | null; buildingId?: number | null };
}

/**
 * Imports students or staff from CSV text: a header row, then one person per line, matched to
 * existing people by student/staff number (updated) or created. A bad line is reported and
 * skipped; a file without the required columns, or CSV that cannot be read, is refused (400).
 * Everything is written in one transaction, so a crash never leaves half a file imported.
 */
export async function importPeople(
  sequelize: Sequelize,
  queries: RosterQueries,
  kind: PersonKind,
  text: string,
): Promise<ImportResult> {
  if (text.trim() === '') throw new HttpError(400, 'empty_csv', 'The CSV is empty. Send a header row and one line per person.');
  const records = readRecords(text);
  const header = readHeader(kind, records[0]!);
  const lines = records.slice(1).filter((record) => record.fields.some((field) => field.trim() !== ''));

  const { Building, Student, Staff } = queries.models;
  const model = (kind === 'students' ? Student : Staff) as typeof Student;
  const numberAttribute = kind === 'students' ? 'studentNumber' : 'staffNumber';
  const detailAttribute = kind === 'students' ? 'grade' : 'role';

  return sequelize.transaction(async (transaction: Transaction) => {
    const buildings = (await Building.findAll({ transaction })).map((row) => row.get({ plain: true }));
    const bySisId = new Map(buildings.filter((b) => b.sisId).map((b) => [b.sisId as string, b.id]));
    const byName = new Map<string, number[]>();
    for (const b of buildings) byName.set(b.name.toLowerCase(), [...(byName.get(b.name.toLowerCase()) ?? []), b.id]);

    const result: ImportResult = { created: 0, updated: 0, errors: [] };
    const parsed: Array<{ line: number; values: PersonValues }> = [];
    for (const record of lines) {
      const values = readLine(kind, header, record, bySisId, byName);
      if (typeof values === 'string') result.errors.push({ line: record.line, message: values });
      else parsed.push({ line: record.line, values });
    }

    // Everyone the file names, read in a few queries rather than one per line.
    const existing = new Map<string, Array<InstanceType<typeof model>>>();
    const numbers = [...new Set(parsed.map((entry) => entry.values.number))];
    for (let start = 0; start < numbers.length; start += 500) {
      const rows = await model.findAll({ where: { [numberAttribute]: numbers.slice(start, start + 500) }, transaction });
      for (const row of rows) {
        const number = String(row.get(numberAttribute));
        existing.set(number, [...(existing.get(number) ?? []), row]);
      }
    }

    const toCreate = new Map<string, Record<string, unknown>>();
    for (const { line, values } of parsed) {
      const matches = existing.get(values.number) ?? [];
      if (matches.length > 1) {
        result.errors.push({ line, message: `More than one person has number ${values.number}; fix that before importing.` });
        continue;
      }
      const fields = {
        firstName: values.firstName,
        lastName: values.lastName,
        ...('email' in values.optional ? { email: values.optional.email } : {}),
        ...('detail' in values.optional ? { [detailAttribute]: values.optional.detail } : {}),
        ...('buildingId' in values.optional ? { buildingId: values.optional.buildingId } : {}),
        // A person in the file is on the roster now, even if an earlier sync made them inactive.
        active: true,
        deactivatedAt: null,
      };
      const match = matches[0];
      const pending = toCreate.get(values.number);
      if (match) {
        await match.update(fields, { transaction });
        result.updated += 1;
      } else if (pending) {
        // The same number earlier in this file: the later line wins, as an update would.
        Object.assign(pending, fields);
        result.updated += 1;
      } else {
        toCreate.set(values.number, { ...fields, [numberAttribute]: values.number });
        result.created += 1;
      }
    }
    const creations = [...toCreate.values()];
    for (let start = 0; start < creations.length; start += 500) {
      await model.bulkCreate(creations.slice(start, start + 500), { transaction });
    }
    result.errors.sort((a, b) => a.line - b.line);
    return result;
  });
}

function readRecords(text: string): CsvRecord[] {
  try {
    return parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new HttpError(400, 'invalid_csv', err.message, { line: err.line });
    throw err;
  }
}

/** Maps column names to their positions; refuses missing required, unknown and repeated columns. */
function readHeader(kind: PersonKind, record: CsvRecord): Map<string, number> {
  const known = IMPORT_COLUMNS[kind];
  const header = new Map<string, number>();
  const problems: string[] = [];
  record.fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (!known.includes(name)) problems.push(`unknown column "${name.slice(0, 60)}"`);
    else if (header.has(name)) problems.push(`column "${name}" appears twice`);
    else header.set(name, index);
  });
  for (const name of known.slice(0, REQUIRED_COLUMN_COUNT)) {
    if (!header.has(name)) problems.push(`missing column "${name}"`);
  }
  if (problems.length > 0) {
    throw new HttpError(400, 'invalid_csv_header', `The header row is not usable: ${problems.slice(0, 10).join('; ')}. Expected: ${known.join(',')}.`, {
      expected: known,
    });
  }
  return header;
}

/** Turns one line into values, or returns what is wrong with it. */
function readLine(
  kind: PersonKind,
  header: Map<string, number>,
  record: CsvRecord,
  bySisId: Map<string, number>,
  byName: Map<string, number[]>,
): PersonValues | string {
  if (record.fields.length !== header.size) {
    return `Expected ${header.size} fields, found ${record.fields.length}.`;
  }
  const cell = (name: string) => {
    const index = header.get(name);
    return index === undefined ? undefined : (record.fields[index] ?? '').trim();
  };
  const numberColumn = IMPORT_COLUMNS[kind][0]!;
  const number = cell(numberColumn) ?? '';
  const firstName = cell('first_name') ?? '';
  const lastName = cell('last_name') ?? '';
  if (!number) return `${numberColumn} is empty.`;
  if (!firstName) return 'first_name is empty.';
  if (!lastName) return 'last_name is empty.';
  for (const [label, value] of [[numberColumn, number], ['first_name', firstName], ['last_name', lastName]] as const) {
    if (value.length > 255) return `${label} is longer than 255 characters.`;
  }

  const optional: PersonValues['optional'] = {};
  const email = cell('email');
  if (email !== undefined) {
    if (email && (email.length > 320 || !EMAIL.test(email))) return 'email is not an email address.';
    optional.email = email || null;
  }
  const detailColumn = kind === 'students' ? 'grade' : 'role';
  const detail = cell(detailColumn);
  if (detail !== undefined) {
    const max = kind === 'students' ? 16 : 64;
    if (detail.length > max) return `${detailColumn} is longer than ${max} characters.`;
    optional.detail = detail || null;
  }
  const building = cell('building_sis_id');
  if (building !== undefined) {
    if (!building) {
      optional.buildingId = null;
    } else {
      const named = byName.get(building.toLowerCase()) ?? [];
      const id = bySisId.get(building) ?? (named.length === 1 ? named[0] : undefined);
      if (id === undefined) {
        return named.length > 1
          ? `Several buildings are named "${building.slice(0, 100)}"; use the Building SIS ID.`
          : `No building has the SIS ID or name "${building.slice(0, 100)}".`;
      }
      optional.buildingId = id;
    }
  }
  return { number, firstName, lastName, optional };
}
