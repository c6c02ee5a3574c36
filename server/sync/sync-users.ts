import type { RunMode } from '../http/contract';
import type { ProviderConnection } from '../providers/types';
import type { PersonKind } from '../store/roster-store';
import { stageMissingPeople } from './plan-run';
import { MAX_GRADE_LENGTH } from './grades';
import { resolveIdentities } from './resolve-identities';
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
  /** The Grade Level Matrix (automation setting): incoming value or CEDS code → district label. */
  gradeMatrix: Record<string, string>;
}

/**
 * A user sync: pull every user into staging (matched and decided page by page, the next page
 * fetched while the last one is written), then stage who is missing (full pulls only), then
 * settle the plan. Nothing in the roster changes before the whole pull has arrived.
 */
export async function syncUsers(deps: SyncDeps, job: RunJob, connection: ProviderConnection, request: UserSyncPlan): Promise<RunOutcome> {
  await job.phase('pulling');
  const buildingsBySchool = new Map<string, number>();
  for (const building of await deps.store.listBuildings()) {
    if (building.active && building.sisId !== null) buildingsBySchool.set(building.sisId, building.id);
  }
  const newStager = () =>
    createPeopleStager({
      store: deps.store,
      staging: deps.staging,
      issues: job.issues,
      runId: job.runId,
      classify: { kinds: new Set(request.kinds), staffRoles: new Set(deps.options.staffRoles), buildingsBySchool, naturalKey: deps.options.naturalKey,
        gradeMatrix: new Map(Object.entries(request.gradeMatrix)) },
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
  // Once per value, not once per student: one odd value must not crowd every other issue out.
  for (const [value, students] of Object.entries(stager.tallies.unmappedGrades)) {
    const kept = value.length <= MAX_GRADE_LENGTH ? 'kept as sent' : `left out (longer than ${MAX_GRADE_LENGTH} characters)`;
    job.issues.add({
      sourcedId: null,
      code: 'unmapped_grade',
      message: `The grade "${value}" (${students} ${students === 1 ? 'student' : 'students'}) is no CEDS grade and has no Grade Level Matrix entry; it was ${kept}. Map it in Automation → Grade Level Matrix.`,
    });
  }
  await job.issues.flush();

  await job.phase('planning');
  if (deps.options.naturalKey.length > 0) {
    for (const kind of request.kinds) await resolveIdentities({ store: deps.store, staging: deps.staging, issues: job.issues }, job.runId, kind, mode);
  }
  // Only a complete full pull may say someone is gone.
  if (mode === 'full' && request.deactivateMissing) {
    for (const kind of request.kinds) await stageMissingPeople(deps.store, deps.staging, job.runId, kind);
  }
  const active: Partial<Record<PersonKind, number>> = {};
  for (const kind of request.kinds) active[kind] = await deps.store.countActivePeople(kind);
  return settlePlan(deps, job, {
    kinds: request.kinds,
    counts: { ...emptyRunCounts(), ignoredRoles: stager.tallies.ignoredRoles, skippedBySchool: stager.tallies.skippedBySchool },
    active,
    dryRun: request.dryRun,
  });
}

/** Streams the pull into staging, overlapping each page's writes with the next page's fetch. */
async function pullInto(stager: PeopleStager, connection: ProviderConnection, job: RunJob, since: Date | undefined): Promise<void> {
  let writing: Promise<void> = Promise.resolve();
  try {
    for await (const page of connection.users({ since, signal: job.signal })) {
      job.signal.throwIfAborted();
      for (const problem of page.problems) job.issues.add({ ...problem });
      await writing;
      writing = stager.stagePage(page.records);
      writing.catch(() => {}); // awaited before the next page or after the loop
      await job.progress(page.received, page.total);
    }
  } catch (err) {
    // Let the page being written finish before anyone discards the staging rows.
    await writing.catch(() => {});
    throw err;
  }
  await writing;
  job.signal.throwIfAborted();
}
