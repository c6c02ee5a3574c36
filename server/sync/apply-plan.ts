import type { RecordKind } from '../domain/contract';
import type { BuildingFields, PersonFields, RosterStore } from '../store/roster-store';
import { unpackPerson, type PackedPerson } from './person-payload';
import type { StagedRow, StagingArea } from './staging-area';

/** Staged rows applied per store call (and so per transaction). */
const BATCH = 1000;

/**
 * Applies the staged plan of one kind, a batch (one store transaction) at a time, in key order.
 * Every write sets absolute values, so applying a batch twice ends in the same state: a crash
 * leaves each batch either old or new, and the next run's plan repairs the rest.
 */
export async function applyStagedPlan(options: {
  store: RosterStore;
  staging: StagingArea;
  runId: number;
  kind: RecordKind;
  at: Date;
  signal: AbortSignal;
  /** Called with each batch's rows once the store has committed them. */
  onBatch: (applied: StagedRow[]) => Promise<void>;
}): Promise<void> {
  const { store, staging, runId, kind, at, signal, onBatch } = options;
  const read = (after: string | null) => staging.readApplied(runId, kind, after, BATCH);
  let next = read(null);
  try {
    for (;;) {
      signal.throwIfAborted();
      const rows = await next;
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!.sourcedId;
      const more = rows.length === BATCH;
      // Where the database allows it, the next batch is read while this one is written.
      if (more && staging.readsBesideWrites) next = read(last);
      if (kind === 'buildings') {
        await store.applyBuildings(toChanges<BuildingFields>(rows, (row) => row.payload as BuildingFields), at);
      } else {
        await store.applyPeople(kind, toChanges<PersonFields>(rows, (row) => unpackPerson(row.sourcedId, row.payload as PackedPerson)), at);
      }
      await onBatch(rows);
      if (!more) return;
      if (!staging.readsBesideWrites) next = read(last);
    }
  } finally {
    // A read started ahead never outlives the apply (it would race the run's discard of its rows).
    await next.catch(() => {});
  }
}

function toChanges<F>(rows: StagedRow[], fieldsOf: (row: StagedRow) => F): { creates: F[]; updates: Array<{ id: number; fields: F }>; deactivations: number[] } {
  const changes: { creates: F[]; updates: Array<{ id: number; fields: F }>; deactivations: number[] } = {
    creates: [],
    updates: [],
    deactivations: [],
  };
  for (const row of rows) {
    if (row.action === 'create') changes.creates.push(fieldsOf(row));
    else if (row.action === 'deactivate' || row.action === 'missing') changes.deactivations.push(row.targetId!);
    else changes.updates.push({ id: row.targetId!, fields: fieldsOf(row) });
  }
  return changes;
}
