import type { RunMode, SkippedOrg } from '../domain/contract';
import { ProviderError, type NormalizedOrg, type ProviderConnection } from '../providers/types';
import type { PersonKind } from '../store/roster-store';
import { FirstLoads } from './first-loads';
import { reconcilePull, stageMissingPeople } from './plan-run';
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
  /** Non-school org → existing building its people are tied to (automation setting). */
  orgBuildings: Record<string, number>;
}

/**
 * A user sync: pull every user into staging (matched and decided page by page, pages fetched
 * while earlier ones are written), then stage who is missing (full pulls only), then
 * settle the plan. Nothing in the roster changes before the whole pull has arrived: a kind nobody
 * holds yet is written during the pull into a first load, which nobody sees until the plan is
 * applied and which is rolled back however the run ends otherwise.
 */
export async function syncUsers(deps: SyncDeps, job: RunJob, connection: ProviderConnection, request: UserSyncPlan): Promise<RunOutcome> {
  await job.phase('pulling');
  // The roster does not change during the pull (the lease is held): a kind without anyone stays so.
  const emptyKinds = new Set<PersonKind>();
  for (const kind of request.kinds) if ((await deps.store.hasPeople?.(kind)) === false) emptyKinds.add(kind);
  // A dry run writes nothing, so it stages everyone.
  const loads = new FirstLoads(request.dryRun ? new Set() : emptyKinds, deps);
  try {
    return await pullAndSettle(deps, job, connection, request, { emptyKinds, loads });
  } finally {
    await loads.rollback();
  }
}

/** The run once its kinds' first loads are open: pull, plan, settle. */
async function pullAndSettle(
  deps: SyncDeps,
  job: RunJob,
  connection: ProviderConnection,
  request: UserSyncPlan,
  { emptyKinds, loads }: { emptyKinds: ReadonlySet<PersonKind>; loads: FirstLoads },
): Promise<RunOutcome> {
  const buildingsBySchool = new Map<string, number>();
  const activeBuildings = new Set<number>();
  const schoolNames = new Map<string, string>();
  for (const building of await deps.store.listBuildings()) {
    if (building.sisId !== null) schoolNames.set(building.sisId, building.name);
    if (!building.active) continue;
    activeBuildings.add(building.id);
    if (building.sisId !== null) buildingsBySchool.set(building.sisId, building.id);
  }
  const orgs = await readOrgDirectory(connection, job);
  tieOrgsToBuildings(orgs, buildingsBySchool, activeBuildings, request.orgBuildings);
  const newStager = async () =>
    createPeopleStager({
      store: deps.store,
      staging: deps.staging,
      issues: job.issues,
      runId: job.runId,
      schoolNames,
      emptyKinds,
      firstLoads: await loads.start(),
      classify: { kinds: new Set(request.kinds), staffRoles: new Set(deps.options.staffRoles), buildingsBySchool, naturalKey: deps.options.naturalKey,
        gradeMatrix: new Map(Object.entries(request.gradeMatrix)) },
    });

  let mode: RunMode = request.mode;
  if (mode === 'delta' && request.since === null) {
    mode = 'full';
    job.issues.add({ sourcedId: null, code: 'full_pull_instead', message: 'No earlier user sync succeeded, so this delta run pulled everyone.' });
    await job.update({ mode });
  }
  let stager = await newStager();
  let pulled: PullTally;
  try {
    pulled = await pullInto(stager, connection, job, mode === 'delta' ? request.since! : undefined);
  } catch (err) {
    if (mode !== 'delta' || (err as { code?: unknown }).code !== 'delta_unsupported') throw err;
    // The provider refuses the dateLastModified filter: start over with a full pull.
    // Its first loads are rolled back when the new stager starts its own.
    await deps.staging.discard(job.runId);
    mode = 'full';
    job.issues.add({ sourcedId: null, code: 'delta_unsupported', message: 'The provider does not support delta pulls, so this run pulled everyone.' });
    await job.update({ mode });
    stager = await newStager();
    pulled = await pullInto(stager, connection, job, undefined);
  }
  // Once per value, not once per student: one odd value must not crowd every other issue out.
  for (const [value, students] of stager.tallies.unmappedGrades) {
    const kept = value.length <= MAX_GRADE_LENGTH ? 'kept as sent' : `left out (longer than ${MAX_GRADE_LENGTH} characters)`;
    job.issues.add({
      sourcedId: null,
      code: 'unmapped_grade',
      message: `The grade "${value}" (${students} ${students === 1 ? 'student' : 'students'}) is no CEDS grade and has no Grade Level Matrix entry; it was ${kept}. Map it in Automation → Grade Level Matrix.`,
    });
  }
  await job.issues.flush();

  await job.phase('planning');
  // Counted, not staged: most people a first load created (see `FirstLoads`), and most unchanged
  // people of a re-sync (see `UnchangedRecords`).
  const staging = stager.unchanged.countingUnstaged(loads.countingUnstaged(deps.staging));
  if (deps.options.naturalKey.length > 0) {
    await loads.stageFirstSightings(job.runId);
    await stager.unchanged.stageSharedKeys(job.runId);
    for (const kind of request.kinds) {
      await resolveIdentities({ store: deps.store, staging: deps.staging, issues: job.issues }, job.runId, kind, mode, stager.createsWithKnownKeys[kind]);
    }
  }
  await loads.takeBackMerged(job.runId);
  // Only a complete full pull may say someone is gone, and only of a kind somebody held: at 1M
  // people a first sync's check read the whole open first load (1.1 s on MariaDB) to find nobody.
  if (mode === 'full' && request.deactivateMissing) {
    for (const kind of request.kinds) {
      if (!emptyKinds.has(kind)) await stageMissingPeople(deps.store, deps.staging, job.runId, kind, (rowId) => stager.unchanged.sawRow(kind, rowId));
    }
  }
  const { tallies } = stager;
  const reconciliation = reconcilePull(await staging.counts(job.runId), [...request.kinds, 'unknown'], {
    pulled: pulled.received,
    skipped: addTallies(pulled.problems, Object.fromEntries(tallies.skippedByReason)),
    ignoredRoles: [...tallies.ignoredRoles.values()].reduce((sum, n) => sum + n, 0),
    notSynced: tallies.notSynced,
  });
  // Counted when the run started (`RunJob.activeAtStart`): counting again here cost a 1M first
  // sync 1.8 s (MariaDB checks every row of the open first load against the count's snapshot).
  const active: Partial<Record<PersonKind, number>> = {};
  for (const kind of request.kinds) active[kind] = job.activeAtStart[kind];
  return settlePlan({ ...deps, staging }, job, {
    kinds: request.kinds,
    counts: {
      ...emptyRunCounts(),
      // Own properties (never the prototype's), so `constructor` and `__proto__` count like any id.
      ignoredRoles: Object.fromEntries(stager.tallies.ignoredRoles),
      skippedBySchool: Object.fromEntries(stager.tallies.skippedBySchool),
      skippedOrgs: describeSkippedOrgs(stager.tallies.skippedBySchool, orgs),
      reconciliation,
    },
    active,
    dryRun: request.dryRun,
    commitFirstLoads: () => loads.commit(),
  });
}


/** Rows a pull received, and those the client could not read, per problem code. */
interface PullTally {
  received: number;
  problems: Record<string, number>;
}

/**
 * Pages staged at once. Staging a page (two roster lookups and one INSERT) takes longer than
 * fetching one, so with pages arriving concurrently one page staging at a time would make the
 * database the queue: two overlap one page's lookups with the other's INSERT. Safe because the
 * roster does not change during the pull and every staged row is keyed by (run, kind, sourcedId).
 */
const PAGES_STAGING = 2;

/** Streams the pull into staging, overlapping the writes of pages with the fetching of the next ones. */
async function pullInto(stager: PeopleStager, connection: ProviderConnection, job: RunJob, since: Date | undefined): Promise<PullTally> {
  const writing = new Set<Promise<void>>();
  // A write that fails while the loop waits on the network has left `writing` by the time anyone
  // races it: its error is kept here, or the pull would go on without that page's people.
  let failedWrite: { error: unknown } | null = null;
  const throwIfAWriteFailed = () => {
    if (failedWrite) throw failedWrite.error;
  };
  const tally: PullTally = { received: 0, problems: {} };
  try {
    for await (const page of connection.users({ since, signal: job.signal })) {
      throwIfAWriteFailed();
      job.signal.throwIfAborted();
      job.meter.page(page.records.length);
      tally.received = Math.max(tally.received, page.received);
      for (const problem of page.problems) {
        job.issues.add({ ...problem });
        tally.problems[problem.code] = (tally.problems[problem.code] ?? 0) + 1;
      }
      // A failed write rejects the race and ends the pull.
      while (writing.size >= PAGES_STAGING) await Promise.race(writing);
      const write: Promise<void> = stager.stagePage(page.records).finally(() => writing.delete(write));
      write.catch((error: unknown) => {
        failedWrite ??= { error };
      });
      writing.add(write);
      await job.progress(page.received, page.total);
    }
    await Promise.all([...writing]);
    throwIfAWriteFailed();
    await stager.flush();
  } catch (err) {
    // Let the pages being written finish before anyone discards the staging rows.
    await Promise.allSettled([...writing]);
    throw err;
  }
  job.signal.throwIfAborted();
  return tally;
}

/** Two per-reason tallies added up. */
function addTallies(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [key, n] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + n;
  return sum;
}

/** Orgs named in the skipped report, at most. */
const MAX_SKIPPED_ORGS = 200;
/** Deepest org tree walked looking for a building. */
const MAX_ORG_DEPTH = 10;

/**
 * Every org the provider lists, so district-level people find a building and the skipped report
 * can name orgs. A provider that cannot list them costs only that: the run goes on without.
 */
async function readOrgDirectory(connection: ProviderConnection, job: RunJob): Promise<Map<string, NormalizedOrg>> {
  const orgs = new Map<string, NormalizedOrg>();
  if (!connection.orgs) return orgs;
  try {
    for await (const page of connection.orgs({ signal: job.signal })) {
      for (const org of page.records) if (orgs.size < 100_000) orgs.set(org.sourcedId, org);
    }
  } catch (err) {
    if (job.signal.aborted || !(err instanceof ProviderError)) throw err;
    job.issues.add({ sourcedId: null, code: 'orgs_unavailable', message: `The provider's /orgs could not be read (${err.message}); district-level people may be skipped.` });
    orgs.clear();
  }
  return orgs;
}

/**
 * Non-school orgs get a building: the admin's mapping first, else the building of the nearest
 * org above them that has one (the district office the building sync made for the district).
 */
function tieOrgsToBuildings(
  orgs: ReadonlyMap<string, NormalizedOrg>,
  buildingsBySchool: Map<string, number>,
  activeBuildings: ReadonlySet<number>,
  mapping: Record<string, number>,
): void {
  for (const [org, buildingId] of Object.entries(mapping)) if (activeBuildings.has(buildingId)) buildingsBySchool.set(org, buildingId);
  for (const org of orgs.values()) {
    if (isSchool(org) || buildingsBySchool.has(org.sourcedId)) continue;
    let parent = org.parentSourcedId;
    for (let depth = 0; parent && depth < MAX_ORG_DEPTH; depth++) {
      const building = buildingsBySchool.get(parent);
      if (building !== undefined) {
        buildingsBySchool.set(org.sourcedId, building);
        break;
      }
      parent = orgs.get(parent)?.parentSourcedId ?? null;
    }
  }
}

/** The orgs whose people were skipped, named, with the reason and the hint that fits it. */
function describeSkippedOrgs(skipped: ReadonlyMap<string, number>, orgs: ReadonlyMap<string, NormalizedOrg>): SkippedOrg[] {
  return [...skipped]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_SKIPPED_ORGS)
    .map(([sourcedId, people]) => {
      const org = orgs.get(sourcedId);
      const base = { sourcedId, name: org?.name || null, type: org?.type || null, status: org?.status ?? null, people };
      if (!org) {
        return { ...base, reason: 'unknown_org' as const, hint: 'The provider does not list this org: check these people\'s enrolment in the SIS.' };
      }
      if (!isSchool(org)) {
        return {
          ...base, reason: 'not_a_school' as const,
          hint: `This org is a ${org.type || 'non-school org'}, not a school: turn on District Office buildings in Automation and sync buildings, or map the org to a building.`,
        };
      }
      if (org.status === 'tobedeleted') {
        return { ...base, reason: 'school_tobedeleted' as const, hint: 'The provider marks this school tobedeleted: its people are skipped until the SIS enrols them elsewhere.' };
      }
      return { ...base, reason: 'school_not_synced' as const, hint: 'This school is not a building yet: sync buildings, then sync users again.' };
    });
}

function isSchool(org: NormalizedOrg): boolean {
  return !org.type || org.type.toLowerCase() === 'school';
}
