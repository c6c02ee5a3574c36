import type { RunIssue } from '../domain/contract';
import type { NormalizedPerson } from '../providers/types';
import type { PersonFields, PersonKind, RosterStore, StoredPerson } from '../store/roster-store';
import { classifyPerson, type ClassifyContext, type RecordIdentity } from './classify-person';
import type { OpenLoad } from './first-loads';
import type { IssueLog } from './issue-log';
import { packPerson } from './person-payload';
import type { StagedRow, StagingArea } from './staging-area';
import { UnchangedRecords } from './unchanged-records';

/** Most distinct roles / schools kept in the tallies, so a hostile feed cannot grow them without bound. */
const MAX_TALLY_KEYS = 1000;

/** What was left out of a pull and why, beyond the per-record issues. */
export interface PeopleTallies {
  /** Guardians, parents, relatives: per role. Maps, so a role or school named `constructor` or `__proto__` is just a key. */
  ignoredRoles: Map<string, number>;
  /** People whose building is not in Manage1to1: per school sourcedId. */
  skippedBySchool: Map<string, number>;
  /** Grade values no vocabulary or matrix entry maps: students per value as sent. */
  unmappedGrades: Map<string, number>;
  /** Records left out, per reason (the reconciliation's `skipped`). */
  skippedByReason: Map<string, number>;
  /** Records of a kind the run does not sync. */
  notSynced: number;
}

/** Stages pages of pulled people: classifies, matches against the roster, decides, writes staging. */
export interface PeopleStager {
  /** Stages one page (a few queries whatever its size up to ~1000 records). */
  stagePage(records: NormalizedPerson[]): Promise<void>;
  /** The tallies so far. */
  readonly tallies: PeopleTallies;
  /**
   * Per kind, whether some record staged as a create carries a natural key a roster row already
   * holds (a transfer, or another record of someone we have). Only then must identity resolution
   * look at lone creates; otherwise only keys several records share can change anything, and on
   * a first sync (an empty roster) that skips re-reading the whole pull.
   */
  readonly createsWithKnownKeys: Readonly<Record<PersonKind, boolean>>;
  /** The unchanged records left out of staging (see `UnchangedRecords`). */
  readonly unchanged: UnchangedRecords;
  /** Writes the staged rows still held back (`STAGING_BATCH`); called once the pull is complete, before anything reads staging. */
  flush(): Promise<void>;
}

/**
 * Staged rows held back until there are this many, so pages that stage only a few rows (a
 * re-sync's skips and ignored deletions, once unchanged people are not staged) share one INSERT:
 * each autocommitted statement waits for a log flush, ~94 of them at 100k people.
 */
const STAGING_BATCH = 1000;

interface Deps {
  store: RosterStore;
  staging: StagingArea;
  issues: IssueLog;
  runId: number;
  classify: ClassifyContext;
  /** Building names by school sourcedId, so issues name the school. */
  schoolNames?: ReadonlyMap<string, string>;
  /** Kinds the store holds nobody of (`RosterStore.hasPeople`): nobody to look up, every record is new. */
  emptyKinds?: ReadonlySet<PersonKind>;
  /**
   * Empty kinds whose people are written as they arrive (`RosterStore.startFirstLoad`): their
   * creates go to the load, and only those identity resolution may need are staged (as `loaded`,
   * without the fields), so a first sync writes each person once instead of staging and applying.
   */
  firstLoads?: Partial<Record<PersonKind, OpenLoad>>;
}

type ImportItem = { fields: PersonFields; legacyIds: string[]; identity: RecordIdentity };
type DeleteItem = { sourcedId: string; name: string; legacyIds: string[] };

/**
 * Creates the stager of one run. Each page costs one lookup by sourcedId per kind (legacy ids
 * included), one lookup by number when some people matched nothing, and one staging INSERT.
 */
export function createPeopleStager(deps: Deps): PeopleStager {
  const tallies: PeopleTallies = { ignoredRoles: new Map(), skippedBySchool: new Map(), unmappedGrades: new Map(), skippedByReason: new Map(), notSynced: 0 };
  // Roster rows already linked by number in this run: one CSV row is never linked to two people.
  const linkedRows: Record<PersonKind, Set<number>> = { students: new Set(), staff: new Set() };
  const createsWithKnownKeys: Record<PersonKind, boolean> = { students: false, staff: false };
  // Only kinds holding people can have unchanged records.
  const heldKinds = (['students', 'staff'] as const).filter((kind) => !(deps.emptyKinds?.has(kind) ?? false));
  const unchanged = new UnchangedRecords(heldKinds, deps);
  let heldBack: StagedRow[] = [];
  const writeHeldBack = async () => {
    const rows = heldBack;
    heldBack = [];
    await deps.staging.insert(deps.runId, rows);
  };

  async function stageKind(kind: PersonKind, imports: ImportItem[], deletes: DeleteItem[], rows: StagedRow[]): Promise<void> {
    const keys = new Set<string>();
    for (const item of imports) {
      keys.add(item.fields.sourcedId);
      for (const id of item.legacyIds) keys.add(id);
    }
    for (const item of deletes) {
      keys.add(item.sourcedId);
      for (const id of item.legacyIds) keys.add(id);
    }
    const empty = deps.emptyKinds?.has(kind) ?? false;
    const found = new Map<string, StoredPerson>();
    for (const person of empty ? [] : await deps.store.findPeopleBySourcedId(kind, [...keys])) {
      if (person.sourcedId !== null) found.set(person.sourcedId, person);
    }
    const byLegacy = (legacyIds: string[]) => legacyIds.map((id) => found.get(id)).find((p) => p !== undefined);

    // People matching nothing by id may be CSV rows waiting to be linked by number.
    const numbers = new Set<string>();
    for (const item of imports) {
      if (item.fields.number && !found.has(item.fields.sourcedId) && !byLegacy(item.legacyIds)) numbers.add(item.fields.number);
    }
    const unkeyed = new Map<string, StoredPerson[]>();
    if (numbers.size > 0 && !empty) {
      for (const person of await deps.store.findUnkeyedPeopleByNumber(kind, [...numbers])) {
        const list = unkeyed.get(person.number ?? '') ?? [];
        list.push(person);
        unkeyed.set(person.number ?? '', list);
      }
    }

    const createdKeys: string[] = [];
    const firstLoad = deps.firstLoads?.[kind];
    const loaded: PersonFields[] = [];
    for (const { fields, legacyIds, identity } of imports) {
      const sourcedId = fields.sourcedId;
      const disabledNow = (row: StoredPerson | undefined) => !fields.enabled && (!row || row.enabled);
      // Every import's key is noted, so an unchanged record sharing it is staged.
      const alone = unchanged.mayLeaveUnstaged(kind, identity);
      const direct = found.get(sourcedId);
      if (direct) {
        const action = !direct.active ? 'reactivate' : direct.hash === fields.hash ? 'unchanged' : 'update';
        if (action === 'unchanged' && alone) {
          unchanged.leftUnstaged(kind, direct.id);
          continue;
        }
        rows.push({ kind, sourcedId, action, targetId: direct.id, disabled: disabledNow(direct), payload: action === 'unchanged' ? null : packPerson(fields), identity });
        continue;
      }
      const legacy = byLegacy(legacyIds);
      if (legacy) {
        rows.push({ kind, sourcedId, action: 'rekey', targetId: legacy.id, disabled: disabledNow(legacy), payload: packPerson(fields), identity });
        rows.push(aliasRow(kind, legacy));
        continue;
      }
      const candidates = fields.number ? (unkeyed.get(fields.number) ?? []) : [];
      const candidate = candidates.length === 1 ? candidates[0] : undefined;
      if (candidate && !linkedRows[kind].has(candidate.id)) {
        linkedRows[kind].add(candidate.id);
        rows.push({ kind, sourcedId, action: 'link', targetId: candidate.id, disabled: disabledNow(candidate), payload: packPerson(fields), identity });
        deps.issues.add({
          sourcedId,
          code: 'linked_by_number',
          message: `Linked to the existing ${kind === 'students' ? 'student' : 'staff member'} (row ${candidate.id}) with the same ${kind === 'students' ? 'student' : 'staff'} number, instead of creating a second one.`,
        });
        continue;
      }
      if (candidates.length > 1) {
        deps.issues.add({
          sourcedId,
          code: 'ambiguous_number',
          message: `${candidates.length} existing records without a sourcedId share this person's number, so none was linked; a new record was created.`,
        });
      }
      if (firstLoad) {
        loaded.push(fields);
        if (firstLoad.mustStage(identity)) rows.push({ kind, sourcedId, action: 'loaded', targetId: null, disabled: disabledNow(undefined), payload: null, identity });
        else firstLoad.countUnstaged(disabledNow(undefined));
        continue;
      }
      rows.push({ kind, sourcedId, action: 'create', targetId: null, disabled: disabledNow(undefined), payload: packPerson(fields), identity });
      if (identity.key !== null) createdKeys.push(identity.key);
    }
    if (firstLoad && loaded.length > 0) await firstLoad.load.create(loaded, firstLoad.at);
    // One lookup per page until a create's key turns out to be known (then the whole pull is resolved
    // anyway). Only ever set, never cleared: two pages stage at once, and a later answer of "none"
    // must not undo an earlier "some".
    if (!createsWithKnownKeys[kind] && createdKeys.length > 0 && !empty) {
      if ((await deps.store.findPeopleByNaturalKey(kind, createdKeys)).length > 0) createsWithKnownKeys[kind] = true;
    }

    for (const { sourcedId, name, legacyIds } of deletes) {
      const direct = found.get(sourcedId);
      const legacy = direct ? undefined : byLegacy(legacyIds);
      const row = direct ?? legacy;
      if (!row) {
        rows.push({ kind, sourcedId, action: 'ignore', targetId: null, disabled: false, payload: null });
        continue;
      }
      rows.push({ kind, sourcedId, action: row.active ? 'deactivate' : 'gone', targetId: row.id, disabled: false, payload: { name } });
      if (legacy) rows.push(aliasRow(kind, legacy));
    }
  }

  return {
    tallies,
    createsWithKnownKeys,
    unchanged,
    async stagePage(records) {
      const rows: StagedRow[] = [];
      const imports: Record<PersonKind, ImportItem[]> = { students: [], staff: [] };
      const deletes: Record<PersonKind, DeleteItem[]> = { students: [], staff: [] };
      for (const record of records) {
        const result = classifyPerson(record, deps.classify);
        const note = (issue: RunIssue) => deps.issues.add({ ...issue, ...identify(record, deps.schoolNames) });
        switch (result.outcome) {
          case 'family':
            tally(tallies.ignoredRoles, result.role);
            break;
          case 'other_kind':
            tallies.notSynced += 1;
            break;
          case 'unusable':
            note(result.issue);
            tally(tallies.skippedByReason, result.issue.code);
            break;
          case 'skip':
            if (result.issue) note(result.issue);
            tally(tallies.skippedByReason, result.issue?.code ?? 'no_building');
            if (result.school !== undefined) tally(tallies.skippedBySchool, result.school);
            rows.push({ kind: result.kind, sourcedId: result.sourcedId, action: 'skip', targetId: null, disabled: false, payload: null });
            break;
          case 'delete':
            deletes[result.kind].push({ sourcedId: result.sourcedId, name: result.name, legacyIds: result.legacyIds });
            break;
          case 'import':
            for (const issue of result.issues) note(issue);
            if (result.unmappedGrade !== null) tally(tallies.unmappedGrades, result.unmappedGrade.slice(0, 64));
            imports[result.kind].push({ fields: result.fields, legacyIds: result.legacyIds, identity: result.identity });
            break;
        }
      }
      for (const kind of ['students', 'staff'] as const) {
        if (imports[kind].length > 0 || deletes[kind].length > 0) await stageKind(kind, imports[kind], deletes[kind], rows);
      }
      for (const row of rows) heldBack.push(row);
      if (heldBack.length >= STAGING_BATCH) await writeHeldBack();
      await deps.issues.flush();
    },
    async flush() {
      if (heldBack.length > 0) await writeHeldBack();
    },
  };
}

/** Marks a re-keyed person's old sourcedId as seen, so the missing-people check leaves them alone. */
function aliasRow(kind: PersonKind, legacy: StoredPerson): StagedRow {
  return { kind, sourcedId: legacy.sourcedId!, action: 'alias', targetId: legacy.id, disabled: false, payload: null };
}

function tally(counts: Map<string, number>, key: string): void {
  const current = counts.get(key);
  if (current === undefined && counts.size >= MAX_TALLY_KEYS) return;
  counts.set(key, (current ?? 0) + 1);
}

/** The name, number and school an admin needs beside a sourcedId to find the person (a few fields, never the record). */
function identify(record: NormalizedPerson, schoolNames: ReadonlyMap<string, string> | undefined): Pick<RunIssue, 'name' | 'number' | 'school'> {
  const name = [record.givenName, record.familyName].filter((part) => typeof part === 'string' && part.trim()).join(' ').trim();
  const school = record.orgSourcedIds?.[0] ?? null;
  return {
    name: name ? name.slice(0, 255) : null,
    number: record.identifier ? String(record.identifier).slice(0, 255) : null,
    school: school ? (schoolNames?.get(school) ?? school).slice(0, 255) : null,
  };
}
