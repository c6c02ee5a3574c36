import type { RunMode } from '../http/contract';
import type { ProviderConnection } from '../providers/types';
import type { PersonKind } from '../store/roster-store';
import { stageMissingPeople } from './plan-run';
import { emptyRunCounts } from './present-run';
import { settlePlan, type RunJob, type RunOutcome, type SyncDeps } from './run-job';
import { createPeopleStager, type PeopleStager } from './stage-people';

/** What a user sync was asked to do. */
export interface UserSyncPlan {
  /** Kinds to sync. */
  kinds: PersonKind[];
  /** Full or delta. */
  mode: RunMode;
  /** Delta: the start of the last successful user run (null: there was none, so pull everything). */
  since: Date | null;
  /** Plan only. */
  dryRun: boolean;
  /** Make people missing from a complete full pull inactive (automation setting). */
  deactivateMissing: boolean;
}

/**
 * A user sync: pull every user into staging (matched and decided page by page, pages fetched
 * while earlier ones are written), then stage who is missing (full pulls only), then
 * settle the plan. Nothing in the roster changes before the whole pull has arrived.
 */
export async function syncUsers(deps: SyncDeps, job: RunJob, connection: ProviderConnection, request: UserSyncPlan): Promise<RunOutcome> {
  await job.phase('pulling');
  const buildingsBySchool = new Map<string, number>();
  const schoolNames = new Map<string, string>();
  for (const building of await deps.store.listBuildings()) {
    if (building.sisId !== null) schoolNames.set(building.sisId, building.name);
    if (building.active && building.sisId !== null) buildingsBySchool.set(building.sisId, building.id);
  }
  const newStager = () =>
    createPeopleStager({
      store: deps.store,
      staging: deps.staging,
      issues: job.issues,
      runId: job.runId,
      schoolNames,
      classify: { kinds: new Set(request.kinds), staffRoles: new Set(deps.options.staffRoles), buildingsBySchool },
    });

  let mode: RunMode = request.mode;
  if (mode === 'delta' && request.since === null) {
    mode = 'full';
    job.issues.add({ sourcedId: null, code: 'full_pull_instead', message: 'No earlier user sync succeeded, so this delta run pulled everyone.' });
    await job.update({ mode });
  }
  let stager = newStager();
  try {
    await pullInto(stager, connection, job, mode === 'delta' ? request.since! : undefined);
  } catch (err) {
    if (mode !== 'delta' || (err as { code?: unknown }).code !== 'delta_unsupported') throw err;
    // The provider refuses the dateLastModified filter: start over with a full pull.
    await deps.staging.discard(job.runId);
    mode = 'full';
    job.issues.add({ sourcedId: null, code: 'delta_unsupported', message: 'The provider does not support delta pulls, so this run pulled everyone.' });
    await job.update({ mode });
    stager = newStager();
    await pullInto(stager, connection, job, undefined);
  }
  await job.issues.flush();

  // Only a complete full pull may say someone is gone.
  if (mode === 'full' && request.deactivateMissing) {
    await job.phase('planning');
    for (const kind of request.kinds) await stageMissingPeople(deps.store, deps.staging, job.runId, kind);
  }
  const active: Partial<Record<PersonKind, number>> = {};
  for (const kind of request.kinds) active[kind] = await deps.store.countActivePeople(kind);
  return settlePlan(deps, job, {
    kinds: request.kinds,
    counts: {
      ...emptyRunCounts(),
      // Own properties (never the prototype's), so `constructor` and `__proto__` count like any id.
      ignoredRoles: Object.fromEntries(stager.tallies.ignoredRoles),
      skippedBySchool: Object.fromEntries(stager.tallies.skippedBySchool),
    },
    active,
    dryRun: request.dryRun,
  });
}

/**
 * Pages staged at once. Staging a page (two roster lookups and one INSERT) takes longer than
 * fetching one, so with pages arriving concurrently one page staging at a time would make the
 * database the queue: two overlap one page's lookups with the other's INSERT. Safe because the
 * roster does not change during the pull and every staged row is keyed by (run, kind, sourcedId).
 */
const PAGES_STAGING = 2;

/** Streams the pull into staging, overlapping the writes of pages with the fetching of the next ones. */
async function pullInto(stager: PeopleStager, connection: ProviderConnection, job: RunJob, since: Date | undefined): Promise<void> {
  const writing = new Set<Promise<void>>();
  try {
    for await (const page of connection.users({ since, signal: job.signal })) {
      job.signal.throwIfAborted();
      job.meter.page(page.records.length);
      for (const problem of page.problems) job.issues.add({ ...problem });
      // A failed write rejects the race and ends the pull.
      while (writing.size >= PAGES_STAGING) await Promise.race(writing);
      const write: Promise<void> = stager.stagePage(page.records).finally(() => writing.delete(write));
      write.catch(() => {}); // awaited by the race or after the loop
      writing.add(write);
      await job.progress(page.received, page.total);
    }
  } catch (err) {
    // Let the pages being written finish before anyone discards the staging rows.
    await Promise.allSettled([...writing]);
    throw err;
  }
  await Promise.all([...writing]);
  job.signal.throwIfAborted();
}
