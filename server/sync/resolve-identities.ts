import type { RunMode } from '../domain/contract';
import type { KeyedPerson, PersonKind, RosterStore } from '../store/roster-store';
import { foldName } from './classify-person';
import type { IssueLog } from './issue-log';
import type { StagedAction, StagedRow, StagingArea } from './staging-area';

/** Natural keys resolved per round trip. */
const PAGE = 1000;
/** What this full pull did with a row's old record when that row may follow a new record (undefined: the record is gone). */
const TRANSFERABLE = new Set<StagedAction | undefined>([undefined, 'skip', 'deactivate', 'gone']);

/**
 * Person identity beyond sourcedId, once the whole pull is staged. Records of one kind sharing a
 * natural key are one person: the best-ranked record (primary role first, then the most recent
 * enrolment, then the record already holding the row, then the lowest sourcedId) supplies the
 * row's fields and building; the others become `merge` (nothing written) and are reported.
 *
 * A key no record of this pull holds a row for may belong to a person we have under another
 * sourcedId. On a full pull whose records no longer include that sourcedId, the row is re-keyed to
 * the new record (a transfer keeps its row id and moves building) instead of being deactivated
 * and re-created. On a delta, whose silence proves nothing, the new record is merged into the row
 * and the weekly full pull settles the building.
 *
 * Records sharing a key whose names are plainly different (given AND family name differ) are
 * different people: they are kept apart and reported as a conflict.
 */
export async function resolveIdentities(
  deps: { store: RosterStore; staging: StagingArea; issues: IssueLog },
  runId: number,
  kind: PersonKind,
  mode: RunMode,
  /** Whether a lone create may belong to a roster row (see `PeopleStager.createsWithKnownKeys`). */
  createsMayBeKnown: boolean,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const rows = await deps.staging.identityGroups(runId, kind, after, PAGE, createsMayBeKnown);
    if (rows.length === 0) return;
    const groups = new Map<string, StagedRow[]>();
    for (const row of rows) {
      const key = row.identity!.key!;
      const group = groups.get(key) ?? [];
      group.push(row);
      groups.set(key, group);
    }
    const loose = [...groups].filter(([, group]) => group.every((row) => row.targetId === null)).map(([key]) => key);
    const candidates = new Map<string, KeyedPerson[]>();
    for (const person of loose.length > 0 ? await deps.store.findPeopleByNaturalKey(kind, loose) : []) {
      const list = candidates.get(person.naturalKey) ?? [];
      list.push(person);
      candidates.set(person.naturalKey, list);
    }
    // A row whose record this full pull imports belongs to that record, not to a transfer. One whose
    // record is skipped or tobedeleted (the old enrolment, kept a while) may follow the new one.
    const held = [...candidates.values()].flat().map((p) => p.sourcedId).filter((id): id is string => id !== null);
    const staged = mode === 'full' ? await deps.staging.actionsOf(runId, kind, held) : new Map<string, StagedAction>();

    const rewrites: StagedRow[] = [];
    for (const [key, group] of groups) {
      const usable = (candidates.get(key) ?? []).filter((p) => p.sourcedId !== null && TRANSFERABLE.has(staged.get(p.sourcedId)));
      rewrites.push(...resolveGroup(kind, group, usable, staged, mode, deps.issues));
    }
    await deps.staging.replace(runId, rewrites);
    await deps.issues.flush();
    if (groups.size < PAGE) return;
    after = rows[rows.length - 1]!.identity!.key;
  }
}

/** Decides one natural key's records; returns the staged rows that change. */
function resolveGroup(
  kind: PersonKind,
  group: StagedRow[],
  candidates: KeyedPerson[],
  staged: ReadonlyMap<string, StagedAction>,
  mode: RunMode,
  issues: IssueLog,
): StagedRow[] {
  const ordered = [...group].sort(byRank);
  const winner = ordered[0]!;
  const person = kind === 'students' ? 'student' : 'staff member';
  const same: StagedRow[] = [];
  for (const row of ordered) {
    if (row === winner || !plainlyDifferent(row.identity!.name, winner.identity!.name)) {
      same.push(row);
      continue;
    }
    issues.add({
      sourcedId: row.sourcedId,
      code: 'natural_key_conflict',
      message: `Shares its natural key with record ${winner.sourcedId}, but the names differ, so they were kept as different people. Check the key in the provider.`,
    });
  }

  let targetId = winner.targetId ?? same.find((row) => row.targetId !== null)?.targetId ?? null;
  let transferFrom: KeyedPerson | null = null;
  if (targetId === null && candidates.length > 0) {
    const active = candidates.filter((p) => p.active);
    const pool = active.length > 0 ? active : candidates;
    const found = pool.length === 1 ? pool[0]! : null;
    if (!found) {
      issues.add({
        sourcedId: winner.sourcedId,
        code: 'ambiguous_natural_key',
        message: `${pool.length} existing ${person} records share this person's natural key, so none was re-keyed; a new record was created.`,
      });
    } else if (plainlyDifferent(`${foldName(found.firstName)}|${foldName(found.lastName)}`, winner.identity!.name)) {
      issues.add({
        sourcedId: winner.sourcedId,
        code: 'natural_key_conflict',
        message: `Shares its natural key with the existing ${person} (row ${found.id}), but the names differ, so a new record was created instead of re-keying that row.`,
      });
    } else {
      targetId = found.id;
      transferFrom = found;
    }
  }
  if (targetId === null) {
    // A new person with several records: the winner is created, the others ride along.
    return same.slice(1).map((row) => merged(row, null, winner, issues));
  }

  const changed: StagedRow[] = [];
  let others = same.slice(1);
  if (winner.targetId !== targetId) {
    if (transferFrom && mode === 'delta') {
      // A delta cannot tell a transfer from a second enrolment: keep the row as it is.
      others = same;
    } else {
      changed.push({ ...winner, action: 'rekey', targetId, disabled: winner.disabled });
      if (transferFrom) {
        const old = staged.get(transferFrom.sourcedId!);
        // The old record gone from the feed: mark it seen so the row is not deactivated as missing.
        if (old === undefined) changed.push({ kind, sourcedId: transferFrom.sourcedId!, action: 'alias', targetId, disabled: false, payload: null });
        // The old record kept as tobedeleted: the row now follows the new record, so nothing is deactivated.
        if (old === 'deactivate') changed.push({ kind, sourcedId: transferFrom.sourcedId!, action: 'gone', targetId, disabled: false, payload: null });
        issues.add({
          sourcedId: winner.sourcedId,
          code: 'rekeyed_by_natural_key',
          message: `Record ${transferFrom.sourcedId} is gone and this one has the same natural key: the existing ${person} (row ${targetId}) now follows this record (a transfer keeps its row).`,
        });
      }
    }
  }
  for (const row of others) {
    if (row.targetId !== null && row.targetId !== targetId) {
      issues.add({
        sourcedId: row.sourcedId,
        code: 'duplicate_person',
        message: `Another ${person} row (${targetId}) has this person's natural key; both rows were kept. Merge them by hand if they are one person.`,
      });
      continue;
    }
    changed.push(merged(row, targetId, winner, issues));
  }
  return changed;
}

/** A record folded into the person another record stands for, reported once. */
function merged(row: StagedRow, targetId: number | null, winner: StagedRow, issues: IssueLog): StagedRow {
  issues.add({
    sourcedId: row.sourcedId,
    code: 'other_enrolment',
    message: `Another enrolment or role of the person synced from record ${winner.sourcedId} (same natural key); it was merged into that person, whose building comes from their primary role or most recent enrolment.`,
  });
  return { ...row, action: 'merge', targetId, disabled: false, payload: null };
}

/** Best first: primary role, most recent enrolment, the record already holding a row, lowest sourcedId. */
function byRank(a: StagedRow, b: StagedRow): number {
  const ra = a.identity!.rank;
  const rb = b.identity!.rank;
  if (ra !== rb) return ra > rb ? -1 : 1;
  const ha = a.targetId !== null && a.action !== 'create' ? 1 : 0;
  const hb = b.targetId !== null && b.action !== 'create' ? 1 : 0;
  if (ha !== hb) return hb - ha;
  return a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0;
}

/** Folded `given|family` names that share neither part: two different people. */
function plainlyDifferent(a: string, b: string): boolean {
  const [givenA, familyA] = a.split('|');
  const [givenB, familyB] = b.split('|');
  return givenA !== givenB && familyA !== familyB;
}
