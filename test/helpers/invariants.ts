import type { Sequelize } from 'sequelize';
import type { RecordKind, RunView } from '../../server/domain/contract';

/** One roster row as the database holds it, booleans made booleans. */
export type RosterRow = Record<string, unknown> & { id: number; active: boolean };

/** The three roster tables at one moment, rows by id. */
export interface RosterSnapshot {
  buildings: Map<number, RosterRow>;
  students: Map<number, RosterRow>;
  staff: Map<number, RosterRow>;
}

const TABLES: RecordKind[] = ['buildings', 'students', 'staff'];

/**
 * Columns that are bookkeeping, not roster content: a row whose only difference lies here was not
 * "updated" in a way the admin would notice.
 */
const BOOKKEEPING = new Set(['id', 'created_at', 'updated_at', 'last_synced_at', 'deactivated_at', 'active']);

/** Reads every roster row (small test districts only). */
export async function snapshotRoster(sequelize: Sequelize): Promise<RosterSnapshot> {
  const snapshot = {} as RosterSnapshot;
  for (const table of TABLES) {
    const [rows] = await sequelize.query(`SELECT * FROM oneroster_${table} ORDER BY id`);
    snapshot[table] = new Map(
      (rows as Array<Record<string, unknown>>).map((row) => {
        const plain: RosterRow = { ...normalizeRow(row), id: Number(row.id), active: truthy(row.active) };
        return [plain.id, plain];
      }),
    );
  }
  return snapshot;
}

/** A snapshot as plain content (no bookkeeping columns), for "nothing changed" comparisons. */
export function rosterContent(snapshot: RosterSnapshot): Record<RecordKind, Array<Record<string, unknown>>> {
  const out = {} as Record<RecordKind, Array<Record<string, unknown>>>;
  for (const table of TABLES) {
    out[table] = [...snapshot[table].values()].map((row) => {
      const content: Record<string, unknown> = { id: row.id, active: row.active };
      for (const [key, value] of Object.entries(row)) if (!BOOKKEEPING.has(key)) content[key] = value;
      return content;
    });
  }
  return out;
}

/**
 * A snapshot keyed by sourcedId instead of row id, the building as its Building SIS: two databases
 * synced from the same district compare equal this way even though their row ids differ.
 */
export function rosterBySourcedId(snapshot: RosterSnapshot): Record<RecordKind, Array<Record<string, unknown>>> {
  const sisOf = (buildingId: unknown) => (buildingId === null || buildingId === undefined ? null : (snapshot.buildings.get(Number(buildingId))?.sis_id ?? `missing:${String(buildingId)}`));
  const out = {} as Record<RecordKind, Array<Record<string, unknown>>>;
  for (const table of TABLES) {
    const key = table === 'buildings' ? 'sis_id' : 'sourced_id';
    out[table] = [...snapshot[table].values()]
      .map((row) => {
        const content: Record<string, unknown> = { active: row.active };
        // sync_hash covers the building's row id, which differs between databases.
        for (const [column, value] of Object.entries(row)) if (!BOOKKEEPING.has(column) && column !== 'sync_hash') content[column] = value;
        if ('building_id' in content) content.building_id = sisOf(content.building_id);
        return content;
      })
      .sort((a, b) => String(a[key]).localeCompare(String(b[key])));
  }
  return out;
}

/** The sourcedIds of active rows of a table, sorted (sis_id for buildings). */
export function activeIds(snapshot: RosterSnapshot, table: RecordKind): string[] {
  const key = table === 'buildings' ? 'sis_id' : 'sourced_id';
  return [...snapshot[table].values()]
    .filter((row) => row.active && row[key] !== null && row[key] !== undefined)
    .map((row) => String(row[key]))
    .sort();
}

/**
 * The roster's standing rules, whatever happened before: no two active people share a sourcedId
 * (within students, within staff, nor one person active as both), no two active buildings share a
 * Building SIS, every active person stands in an existing active building, and no person synced
 * from OneRoster is without a building. Throws listing every breach.
 */
export async function assertRosterInvariants(sequelize: Sequelize): Promise<void> {
  const snapshot = await snapshotRoster(sequelize);
  const breaches: string[] = [];

  const duplicates = (ids: string[]) => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  const activeBuildingSis = [...snapshot.buildings.values()].filter((b) => b.active && b.sis_id !== null).map((b) => String(b.sis_id));
  for (const id of duplicates(activeBuildingSis)) breaches.push(`two active buildings share Building SIS ${id}`);

  const activeByKind: Record<'students' | 'staff', string[]> = { students: [], staff: [] };
  for (const kind of ['students', 'staff'] as const) {
    for (const person of snapshot[kind].values()) {
      const label = `${kind} row ${person.id} (${String(person.sourced_id)})`;
      const buildingId = person.building_id === null || person.building_id === undefined ? null : Number(person.building_id);
      const building = buildingId === null ? undefined : snapshot.buildings.get(buildingId);
      if (person.sourced_id !== null && person.sourced_id !== undefined && buildingId === null) breaches.push(`${label} came from OneRoster but has no building`);
      if (buildingId !== null && !building) breaches.push(`${label} points at building ${buildingId}, which does not exist`);
      if (!person.active) continue;
      if (person.sourced_id !== null && person.sourced_id !== undefined) activeByKind[kind].push(String(person.sourced_id));
      if (buildingId === null) breaches.push(`${label} is active without a building`);
      else if (building && !building.active) breaches.push(`${label} is active in inactive building ${buildingId}`);
    }
    for (const id of duplicates(activeByKind[kind])) breaches.push(`two active ${kind} share sourcedId ${id}`);
  }
  const staffIds = new Set(activeByKind.staff);
  for (const id of activeByKind.students) if (staffIds.has(id)) breaches.push(`sourcedId ${id} is active as a student and as staff`);

  if (breaches.length > 0) throw new Error(`roster invariants broken:\n  ${breaches.slice(0, 20).join('\n  ')}`);
}

/** What actually changed in one table between two snapshots, in the run counts' terms. */
export interface RowChanges {
  created: number;
  updated: number;
  linked: number;
  rekeyed: number;
  reactivated: number;
  deactivated: number;
}

/** Compares two snapshots of one table the way the engine counts: a row counts once, in the first matching bucket. */
export function diffTable(before: Map<number, RosterRow>, after: Map<number, RosterRow>, table: RecordKind): RowChanges {
  const key = table === 'buildings' ? 'sis_id' : 'sourced_id';
  const changes: RowChanges = { created: 0, updated: 0, linked: 0, rekeyed: 0, reactivated: 0, deactivated: 0 };
  for (const [id, row] of after) {
    const old = before.get(id);
    if (!old) changes.created += 1;
    else if (old[key] !== row[key] && old[key] === null) changes.linked += 1;
    else if (old[key] !== row[key]) changes.rekeyed += 1;
    else if (!old.active && row.active) changes.reactivated += 1;
    else if (old.active && !row.active) changes.deactivated += 1;
    else if (contentDiffers(old, row)) changes.updated += 1;
  }
  return changes;
}

/**
 * Checks a finished run's counts against the rows that really changed: a succeeded, applied run
 * changed exactly what it counted (created, updated, linked, reactivated, deactivated per kind); a
 * failed, held, cancelled or dry run changed nothing at all. Rows are never hard-deleted.
 */
export function assertRunCountsMatch(run: RunView, before: RosterSnapshot, after: RosterSnapshot): void {
  const problems: string[] = [];
  const applied = run.status === 'succeeded' && !run.dryRun;
  for (const table of TABLES) {
    for (const id of before[table].keys()) if (!after[table].has(id)) problems.push(`${table} row ${id} was deleted`);
    const actual = diffTable(before[table], after[table], table);
    const counted = applied ? run.counts.kinds[table] : undefined;
    const expected: RowChanges = counted
      ? { created: counted.created, updated: counted.updated, linked: counted.linked, rekeyed: counted.rekeyed ?? 0, reactivated: counted.reactivated, deactivated: counted.deactivated }
      : { created: 0, updated: 0, linked: 0, rekeyed: 0, reactivated: 0, deactivated: 0 };
    for (const field of Object.keys(expected) as Array<keyof RowChanges>) {
      if (expected[field] !== actual[field]) {
        problems.push(`${table}.${field}: run ${run.id} (${run.status}) says ${expected[field]}, rows show ${actual[field]}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`run counts do not match the rows:\n  ${problems.join('\n  ')}`);
}

/**
 * Every run that pulled (succeeded, held, dry) accounts for every record: the reconciliation's
 * buckets add up to what was pulled, and agree with the per-kind counts where both count the same
 * thing. Every sync suite's runs go through this (see `syncUsersNow`). Returns the run.
 */
export function assertCountsReconcile(run: RunView): RunView {
  if (run.status === 'failed' || run.status === 'cancelled') return run;
  const r = run.counts.reconciliation;
  if (!r) throw new Error(`run ${run.id} (${run.status}) has no reconciliation`);
  const skipped = Object.values(r.skipped).reduce((sum, n) => sum + n, 0);
  const buckets = r.created + r.updated + r.unchanged + r.linked + r.rekeyed + r.merged + r.reactivated + r.tobedeleted + skipped + r.ignoredRoles + r.notSynced;
  if (buckets !== r.pulled) {
    throw new Error(`run ${run.id} pulled ${r.pulled} records but accounts for ${buckets}: ${JSON.stringify(r)}`);
  }
  const kinds = Object.values(run.status === 'held' ? (run.plan?.counts ?? {}) : run.counts.kinds);
  const sum = (key: 'created' | 'updated' | 'linked' | 'rekeyed' | 'merged' | 'reactivated') => kinds.reduce((total, k) => total + (k?.[key] ?? 0), 0);
  for (const key of ['created', 'updated', 'linked', 'rekeyed', 'merged', 'reactivated'] as const) {
    if (sum(key) !== r[key]) throw new Error(`run ${run.id}: counts say ${key} ${sum(key)}, the reconciliation ${r[key]}`);
  }
  return run;
}

function contentDiffers(a: RosterRow, b: RosterRow): boolean {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (BOOKKEEPING.has(key)) continue;
    if (a[key] !== b[key]) return true;
  }
  return false;
}

/** Dialects return booleans as 0/1 or true/false and dates as strings or Dates: make them one thing. */
function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'enabled') out[key] = truthy(value);
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === 'bigint') out[key] = Number(value);
    else out[key] = value === undefined ? null : value;
  }
  return out;
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || (typeof value === 'bigint' && value === 1n);
}
