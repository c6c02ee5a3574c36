import type { HeldPlan, HoldReason, KindCounts, RecordKind, RunCounts, RunPhase } from '../domain/contract';
import type { ResolvedOptions } from '../options';
import type { PersonKind, RosterStore } from '../store/roster-store';
import { applyStagedPlan } from './apply-plan';
import type { IssueLog } from './issue-log';
import { COUNTED, countPlan, describePlan, judgeDeactivations, seenCount, type KindSafeguard } from './plan-run';
import type { PullMeter } from './run-limits';
import type { RunPatch, RunRecords } from './run-records';
import type { StagedCount, StagingArea } from './staging-area';

/** What every run body needs from the module. */
export interface SyncDeps {
  /** Resolved options (safeguard, staff roles, issue bound). */
  options: ResolvedOptions;
  /** Where the roster lives. */
  store: RosterStore;
  /** The staging table. */
  staging: StagingArea;
  /** The runs table. */
  records: RunRecords;
  /** Time source. */
  now(): Date;
}

/** The running run, as its body sees it. */
export interface RunJob {
  /** Run id (the staging key). */
  readonly runId: number;
  /** Aborted when the run must stop (lease lost, cancelled, OneRoster turned off, shutdown, time limit): stop at the next page or batch. */
  readonly signal: AbortSignal;
  /** Counts pages and staged records against the run's caps; throws past one. */
  readonly meter: PullMeter;
  /** The run's issue log. */
  readonly issues: IssueLog;
  /**
   * People active when the run started, per kind (counted once, for the run's caps). The roster
   * does not change before the plan applies (the lease keeps other runs out, and a first load's
   * rows are invisible until it commits), so the plan's safeguard reads these too: at 1M people
   * each count took 0.2–0.35 s on MariaDB.
   */
  readonly activeAtStart: Readonly<Record<PersonKind, number>>;
  /** Records progress, at most about once per 500 ms. */
  progress(processed: number, total: number | null): Promise<void>;
  /** Moves to another phase (written at once) and resets progress. */
  phase(phase: RunPhase, total?: number | null): Promise<void>;
  /** Writes fields on the run row at once. */
  update(patch: RunPatch): Promise<void>;
}

/** How a run body ended (failures are thrown). */
export interface RunOutcome {
  /** Applied (or a dry run planned), or held by the safeguard. */
  status: 'succeeded' | 'held';
  /** What it did or would do. */
  counts: RunCounts;
  /** The plan (held and dry runs). */
  plan: HeldPlan | null;
}

/**
 * The end every sync shares once its pull is staged: count the plan, judge it against the
 * safeguard, then hold it, stop there (dry run), or apply it batch by batch.
 */
export async function settlePlan(
  deps: SyncDeps,
  job: RunJob,
  input: {
    kinds: readonly RecordKind[];
    counts: Omit<RunCounts, 'kinds'>;
    active: Partial<Record<RecordKind, number>>;
    dryRun: boolean;
    /** Reasons the run body found to hold the plan, besides the mass-deactivation safeguard. */
    holdReasons?: HoldReason[];
    /**
     * Makes the people created during the pull visible (`FirstLoad`, staged as `loaded`): called
     * once the plan is to be applied. Loads open only for kinds nobody held, whose plans deactivate
     * nobody and so are never held.
     */
    commitFirstLoads?: () => Promise<void>;
  },
): Promise<RunOutcome> {
  await job.phase('planning');
  const staged = await deps.staging.counts(job.runId);
  const kindCounts = countPlan(staged, input.kinds);
  const verdicts: Partial<Record<RecordKind, KindSafeguard>> = {};
  for (const kind of input.kinds) {
    verdicts[kind] = judgeDeactivations(kindCounts[kind]!.deactivated, input.active[kind] ?? 0, seenCount(staged, kind), deps.options.safeguard);
  }
  // Samples name people's buildings; building runs need no names of themselves.
  const buildings = input.kinds.includes('buildings') ? undefined : await deps.store.listBuildings();
  const plan = await describePlan(deps.staging, job.runId, kindCounts, verdicts, buildings);
  plan.holdReasons = [...massDeactivationReasons(verdicts), ...(input.holdReasons ?? [])];
  const counts: RunCounts = { ...input.counts, kinds: kindCounts };
  const holds = !input.dryRun && plan.holdReasons.length > 0;
  // A held run has changed nobody: its planned numbers live in the plan, and approval copies
  // them into `counts` once they are applied. Otherwise a cancelled run would claim changes.
  const recorded: RunCounts = holds ? { ...input.counts, kinds: {} } : counts;
  await job.update({ counts: recorded, baselineRunId: await deps.records.latestAppliedId() });

  if (input.dryRun) return { status: 'succeeded', counts, plan };
  const loaded = loadedCounts(staged);
  // An approval applies from staging, and a loaded row's fields are not there.
  if (holds && Object.keys(loaded).length > 0) throw new Error('A plan with people created during the pull cannot be held');
  if (holds) return { status: 'held', counts: recorded, plan };
  await applyPlan(deps, job, input.kinds, kindCounts, input.counts, { loaded, commit: input.commitFirstLoads });
  return { status: 'succeeded', counts, plan: null };
}

function massDeactivationReasons(verdicts: Partial<Record<RecordKind, KindSafeguard>>): HoldReason[] {
  return (Object.entries(verdicts) as Array<[RecordKind, KindSafeguard]>)
    .filter(([, verdict]) => verdict.holds)
    .map(([kind, verdict]) => ({
      code: 'mass_deactivation',
      message: `${verdict.planned} of ${verdict.active} active ${kind} would be deactivated; more than ${verdict.threshold} needs an approval.`,
    }));
}

/**
 * Applies a staged plan, kind by kind (buildings first, should a run ever hold both). The run's
 * counts say what has been applied so far, batch by batch, so a run that dies mid-apply claims
 * only the changes its committed batches made (`base`: the pull's counts besides the kinds).
 */
export async function applyPlan(
  deps: SyncDeps,
  job: RunJob,
  kinds: readonly RecordKind[],
  counts: Partial<Record<RecordKind, KindCounts>>,
  base: Omit<RunCounts, 'kinds'>,
  firstLoads: { loaded: Partial<Record<RecordKind, Loaded>>; commit?: () => Promise<void> } = { loaded: {} },
): Promise<void> {
  const { loaded } = firstLoads;
  const total = kinds.reduce((sum, kind) => sum + writes(counts[kind]) - (loaded[kind]?.created ?? 0), 0);
  await job.phase('applying', total);
  const done: Partial<Record<RecordKind, KindCounts>> = {};
  for (const kind of kinds) {
    const planned = counts[kind];
    if (planned) done[kind] = { ...planned, created: 0, updated: 0, linked: 0, reactivated: 0, deactivated: 0, disabled: 0 };
  }
  await job.update({ counts: { ...base, kinds: done } });
  if (firstLoads.commit) {
    // People created during the pull become visible first; only then do the counts claim them,
    // so a commit that fails leaves a run that claims nothing it did not write.
    await firstLoads.commit();
    for (const [kind, tally] of Object.entries(loaded) as Array<[RecordKind, Loaded]>) {
      const kindDone = done[kind];
      if (!kindDone) continue;
      kindDone.created += tally.created;
      kindDone.disabled += tally.disabled;
    }
    await job.update({ counts: { ...base, kinds: done } });
  }
  let applied = 0;
  const at = deps.now();
  for (const kind of kinds) {
    if (writes(counts[kind]) === 0) continue;
    await applyStagedPlan({
      store: deps.store,
      staging: deps.staging,
      runId: job.runId,
      kind,
      at,
      signal: job.signal,
      onBatch: async (rows) => {
        const tally = done[kind]!;
        for (const row of rows) {
          const field = COUNTED[row.action];
          if (field) tally[field] += 1;
          if (row.disabled) tally.disabled += 1;
        }
        await job.update({ counts: { ...base, kinds: done } });
        applied += rows.length;
        await job.progress(applied, total);
      },
    });
  }
}

/** Records per kind staged as `loaded` (created during the pull); kinds without any are left out. */
function loadedCounts(staged: readonly StagedCount[]): Partial<Record<RecordKind, Loaded>> {
  const loaded: Partial<Record<RecordKind, Loaded>> = {};
  for (const row of staged) {
    if (row.action !== 'loaded' || row.kind === 'unknown') continue;
    const tally = (loaded[row.kind] ??= { created: 0, disabled: 0 });
    tally.created += row.count;
    tally.disabled += row.disabled;
  }
  return loaded;
}

/** People of a kind created during the pull, and how many of them are disabled. */
interface Loaded {
  created: number;
  disabled: number;
}

/** How many rows a kind's plan writes. */
function writes(counts: KindCounts | undefined): number {
  if (!counts) return 0;
  return counts.created + counts.updated + counts.linked + counts.rekeyed + counts.reactivated + counts.deactivated;
}
