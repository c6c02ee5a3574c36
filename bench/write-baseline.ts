import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { SandboxDistrict } from '../examples/oneroster-sandbox/district';
import { resolveSandboxOptions } from '../examples/oneroster-sandbox/options';
import type { SandboxPerson } from '../examples/oneroster-sandbox/types';
import { DEFAULT_NATURAL_KEY, DEFAULT_STAFF_ROLES } from '../server/options';
import type { NormalizedPerson } from '../server/providers/types';
import { classifyPerson } from '../server/sync/classify-person';
import type { PersonKind } from '../server/store/roster-store';
import type { UserIdStyle } from '../examples/oneroster-sandbox/ids';
import { districtOptions } from './district-size';

/** Rows per INSERT (and per transaction): the same batch the store uses. */
export const WRITE_BATCH = 1000;

/** The roster rows of one table, ready to insert: column names and value tuples. */
export interface PreparedTable {
  table: PersonKind;
  columns: string[];
  rows: unknown[][];
}

const NUMBER_COLUMN: Record<PersonKind, string> = { students: 'student_number', staff: 'staff_number' };

/**
 * Pre-generates the rows a perfect sync of the district would write, from the sandbox's truth
 * (`district.people()`), classified by the engine's own rules so the baseline writes the same
 * normalized rows. Not timed.
 */
export async function prepareRosterRows(sequelize: Sequelize, users: number, idStyle: UserIdStyle = 'short'): Promise<PreparedTable[]> {
  const district = new SandboxDistrict(resolveSandboxOptions(districtOptions(users, idStyle)));
  const buildings = await sequelize.query<{ id: number; sis_id: string | null }>('SELECT id, sis_id FROM oneroster_buildings WHERE active = 1', {
    type: QueryTypes.SELECT,
  });
  const classify = {
    kinds: new Set<PersonKind>(['students', 'staff']),
    staffRoles: new Set(DEFAULT_STAFF_ROLES),
    buildingsBySchool: new Map(buildings.filter((b) => b.sis_id !== null).map((b) => [b.sis_id!, Number(b.id)])),
    naturalKey: DEFAULT_NATURAL_KEY,
    gradeMatrix: new Map<string, string>(),
  };
  const at = new Date();
  const tables: Record<PersonKind, PreparedTable> = {
    students: { table: 'students', columns: columnsOf('students'), rows: [] },
    staff: { table: 'staff', columns: columnsOf('staff'), rows: [] },
  };
  for (const person of district.people()) {
    const result = classifyPerson(toNormalized(person), classify);
    if (result.outcome !== 'import') continue;
    const f = result.fields;
    const extra = result.kind === 'students' ? f.grade : f.role;
    tables[result.kind].rows.push([
      f.sourcedId, f.firstName, f.middleName, f.lastName, f.preferredFirstName, f.email, f.username, f.number, extra,
      f.buildingId, f.enabled, f.naturalKey, f.hash, true, null, at, at, at,
    ]);
  }
  return [tables.students, tables.staff];
}

function columnsOf(kind: PersonKind): string[] {
  return [
    'sourced_id', 'first_name', 'middle_name', 'last_name', 'preferred_first_name', 'email', 'username',
    NUMBER_COLUMN[kind], kind === 'students' ? 'grade' : 'role', 'building_id', 'enabled', 'natural_key', 'sync_hash', 'active',
    'deactivated_at', 'last_synced_at', 'updated_at', 'created_at',
  ];
}

/** The sandbox's 1.2 truth as the provider client would normalize it. */
function toNormalized(person: SandboxPerson): NormalizedPerson {
  return {
    sourcedId: person.sourcedId,
    status: person.status,
    dateLastModified: person.dateLastModified,
    enabled: person.enabled,
    roles: person.roles.map((role) => role.role),
    orgSourcedIds: person.orgs,
    givenName: person.givenName ?? '',
    familyName: person.familyName ?? '',
    middleName: person.middleName ?? null,
    preferredFirstName: person.preferredFirstName ?? null,
    identifier: person.identifier ?? null,
    email: person.email ?? null,
    username: person.username,
    grades: person.grades,
    legacySourcedIds: person.legacySourcedId ? [person.legacySourcedId] : [],
    userIds: {},
    primaryRole: true,
    roleBeginDate: null,
  };
}

/**
 * Empties the people tables (not timed). On MariaDB by TRUNCATE: after a DELETE of a million rows
 * InnoDB's purge thread goes on removing them in the background for the next minute, and the step
 * measured next shared the two cores with it (the 1M write baseline of 3 Dec used 67 s of database
 * CPU to insert what the sync inserted with 31, and the latency sync after it 66 s). SQLite's
 * DELETE without WHERE drops the pages at once.
 */
export async function emptyPeopleTables(sequelize: Sequelize): Promise<void> {
  const empty = sequelize.getDialect() === 'sqlite' ? 'DELETE FROM' : 'TRUNCATE TABLE';
  for (const table of ['oneroster_students', 'oneroster_staff']) await sequelize.query(`${empty} ${table}`);
}

/**
 * The physical write limit: the prepared rows as multi-row INSERTs of `WRITE_BATCH` rows, one
 * transaction per batch, escaped by Sequelize like the store's statements (the one timestamp
 * escaped once, statements typed as INSERT so Sequelize does not inspect them). Returns rows written.
 */
export async function writeRosterRows(sequelize: Sequelize, tables: PreparedTable[]): Promise<number> {
  const isMysql = sequelize.getDialect() !== 'sqlite';
  const quote = (name: string) => sequelize.getQueryInterface().quoteIdentifier(name);
  const dates = new Map<number, string>();
  const escape = (value: unknown) => {
    if (!(value instanceof Date)) return sequelize.escape(value as string);
    let literal = dates.get(value.getTime());
    if (literal === undefined) dates.set(value.getTime(), (literal = sequelize.escape(value as unknown as string)));
    return literal;
  };
  let written = 0;
  for (const { table, columns, rows } of tables) {
    const head = `INSERT INTO ${quote(`oneroster_${table}`)} (${columns.map(quote).join(', ')}) VALUES `;
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      const slice = rows.slice(i, i + WRITE_BATCH);
      const statement = head + slice.map((row) => `(${row.map(escape).join(', ')})`).join(', ');
      const work = async (transaction: Transaction) => {
        await sequelize.query(statement, { type: QueryTypes.INSERT, transaction });
      };
      await (isMysql ? sequelize.transaction(work) : sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, work));
      written += slice.length;
    }
  }
  return written;
}
