import type { ModuleContext } from '../context';
import type { ApiErrorCode, RunStatus, RunView } from '../domain/contract';
import { errors, OneRosterError } from '../domain/errors';
import { errorForLog } from '../logger';
import { ProviderError } from '../providers/types';
import type { PersonKind } from '../store/roster-store';
import type { Sql } from '../store/sql';
import { createIssueLog } from './issue-log';
import { createProgressThrottle } from './progress-throttle';
import type { RunJob, RunOutcome } from './run-job';
import { createPullMeter, sizeRunLimits, type RunLimits } from './run-limits';
import type { RunPatch, RunRecords } from './run-records';
import type { StagingArea } from './staging-area';
import type { HeldLease } from './sync-lease';

/** What a run does once it holds the lease. */
export type RunBody = (job: RunJob) => Promise<RunOutcome>;

/** Why this process stops one of its runs. */
export type StopReason = 'cancelled' | 'disabled' | 'shutdown' | 'run_time_limit';

/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 1000;

/**
 * The life of a run in this process, from the moment it holds the lease: marked running, its body
 * run with caps, a stop switch and throttled progress, its end recorded with the lease freed, its
 * staging cleaned up and the host told. Two entry points: a queued run starts, an approved held
 * run resumes.
 */
export interface RunLifecycle {
  /** Starts a queued run in the background (unless it was cancelled while queued). Never rejects. */
  start(runId: number, held: HeldLease, body: RunBody): void;
  /** Resumes an approved held run, already marked running, from the issues its pull noted. Never rejects. */
  resume(runId: number, held: HeldLease, body: RunBody, issuesSoFar: number): void;
  /** Stops a run this process executes, at its next page or batch; false when it runs nowhere here. */
  stopLocal(runId: number, reason: StopReason): boolean;
  /** Keeps background work (a staging discard) so `whenIdle` and `shutdown` wait for it; failures are logged. */
  track(work: Promise<unknown>): void;
  /** Stops every run of this process (they end `failed`, `shutdown`) and waits for all work to end. */
  shutdown(): Promise<void>;
  /** Resolves when the work this process started has finished. */
  whenIdle(): Promise<void>;
  /** Whether work this process started is still going (a run, a staging discard). */
  busy(): boolean;
  /** Hands the ended run to the host's `onRunFinished` (its errors are logged, never thrown). */
  notifyFinished(runId: number): Promise<void>;
}

/** What the lifecycle works with. */
export interface RunLifecycleDeps {
  /** The module's options, store, logger and clock. */
  ctx: ModuleContext;
  /** The runs table. */
  records: RunRecords;
  /** The staging table. */
  staging: StagingArea;
  /** Transactions (a run's end and the lease's release commit together). */
  sql: Sql;
  /** A run as the API shows it. */
  view(id: number): Promise<RunView>;
}

/** Builds the lifecycle of the runs of one module instance. */
export function createRunLifecycle(deps: RunLifecycleDeps): RunLifecycle {
  const { ctx, records, staging } = deps;
  const { options, logger, clock } = ctx;
  const jobs = new Set<Promise<unknown>>();
  /** The runs this process executes, by id: how a cancel, a disable or a shutdown stops one at once. */
  const stoppers = new Map<number, (reason: StopReason) => void>();

  function track(work: Promise<unknown>): void {
    const tracked = work.catch((err) => logger.error('oneroster background work failed', { error: errorForLog(err) }));
    jobs.add(tracked);
    void tracked.finally(() => jobs.delete(tracked));
  }

  async function whenIdle(): Promise<void> {
    while (jobs.size > 0) await Promise.allSettled([...jobs]);
  }

  /**
   * Runs `work` with a stop switch for the run, then cleans up whatever happened: the lease is
   * freed, staged rows dropped (a held run keeps them for its approval), the host told.
   */
  async function underStopSwitch(runId: number, held: HeldLease, work: (stop: AbortController, ending: { status: RunStatus }) => Promise<void>): Promise<void> {
    const ending: { status: RunStatus } = { status: 'failed' };
    const stop = new AbortController();
    stoppers.set(runId, (reason) => {
      if (!stop.signal.aborted) stop.abort(new Error(reason));
    });
    try {
      await work(stop, ending);
    } catch (err) {
      logger.error('oneroster run bookkeeping failed', { runId, error: errorForLog(err) });
    } finally {
      stoppers.delete(runId);
      await held.release().catch((err) => logger.error('oneroster lease release failed', { error: errorForLog(err) }));
      if (ending.status !== 'held') track(staging.discard(runId));
      await notifyFinished(runId);
    }
  }

  /** Runs a body under the lease with its caps and records how it ended; `ending` says how, even if recording fails. */
  async function runBody(runId: number, held: HeldLease, body: RunBody, stop: AbortController, issuesSoFar: number, ending: { status: RunStatus }): Promise<void> {
    const signal = AbortSignal.any([held.signal, stop.signal]);
    let timeLimit: NodeJS.Timeout | undefined;
    try {
      await sweepStaging(runId);
      const activeAtStart = await activePeople();
      const limits = sizeRunLimits(options, activeAtStart.students + activeAtStart.staff);
      timeLimit = setTimeout(() => stoppers.get(runId)?.('run_time_limit'), limits.maxRunMs);
      timeLimit.unref?.();
      const issues = createIssueLog(records, runId, options.maxRunIssues, issuesSoFar);
      const progress = createProgressThrottle({
        write: (patch) => records.update(runId, { ...patch, updatedAt: clock.now() }),
        onWriteFailed: (err) => logger.warn('oneroster progress write failed', { runId, error: errorForLog(err) }),
        everyMs: PROGRESS_EVERY_MS,
      });
      const job: RunJob = {
        runId,
        signal,
        meter: createPullMeter(limits),
        issues,
        activeAtStart,
        async progress(processed, total) {
          progress.progress(processed, total);
        },
        phase: (phase, total) => progress.phase(phase, total),
        async update(patch) {
          await records.update(runId, { ...patch, updatedAt: clock.now() });
        },
      };
      try {
        const outcome = await body(job);
        await progress.settle();
        await issues.flush();
        const now = clock.now();
        ending.status = outcome.status;
        const counts = { ...outcome.counts, issuesByCode: addCounts(outcome.counts.issuesByCode, issues.byCode) };
        const patch: RunPatch = {
          status: outcome.status, phase: 'done', ...progress.last(), counts, issueCount: issues.count, finishedAt: now, updatedAt: now,
        };
        if (outcome.plan) patch.plan = outcome.plan;
        await finish(runId, patch, held);
      } catch (err) {
        await progress.settle();
        const failure = describeFailure(err, held.signal, stop.signal, limits);
        ending.status = failure.status;
        logger.warn(failure.status === 'cancelled' ? 'oneroster run stopped' : 'oneroster run failed', { runId, code: failure.code, message: failure.message });
        await issues.flush().catch(() => {});
        const now = clock.now();
        await finish(runId, {
          status: failure.status, phase: 'done', errorCode: failure.code, errorMessage: failure.message, issueCount: issues.count, finishedAt: now, updatedAt: now,
        }, held);
      }
    } finally {
      clearTimeout(timeLimit);
    }
  }

  /**
   * Records how a run ended and frees the lease in one transaction: whoever sees the run ended
   * can start the next one at once (the scheduler starts users right after buildings).
   */
  async function finish(runId: number, patch: RunPatch, held: HeldLease): Promise<void> {
    await deps.sql.transaction(async (transaction) => {
      await records.update(runId, patch, undefined, transaction);
      await held.release(transaction);
    });
  }

  /**
   * Drops staged rows nothing needs any more: those of ended runs (left by crashes) and of held
   * runs another applied run has outdated (their approval answers `plan_outdated` anyway).
   */
  async function sweepStaging(currentRunId: number): Promise<void> {
    const withRows = (await staging.runsWithRows()).filter((id) => id !== currentRunId);
    const latestApplied = (await records.latestAppliedId()) ?? 0;
    const keep = new Set<number>();
    for (const id of await records.withStatus(withRows, ['held'])) {
      const run = await records.find(id);
      if (run && (run.baselineRunId ?? 0) >= latestApplied) keep.add(id);
    }
    for (const id of withRows) if (!keep.has(id)) await staging.discard(id);
  }

  /** How a run that threw ended: a stop it was asked for, or a failure with a code that says why. */
  function describeFailure(
    err: unknown,
    leaseSignal: AbortSignal,
    stopSignal: AbortSignal,
    limits: RunLimits,
  ): { status: 'failed' | 'cancelled'; code: ApiErrorCode; message: string } {
    const reason = (stopSignal.aborted ? stopSignal.reason : leaseSignal.aborted ? leaseSignal.reason : null) as Error | null;
    switch (reason?.message) {
      case 'cancelled':
      case 'cancel_requested':
        return { status: 'cancelled', code: 'cancelled', message: 'The run was stopped on request. Each batch is applied whole or not at all; the next sync repairs the rest.' };
      case 'disabled':
        return { status: 'cancelled', code: 'oneroster_disabled', message: 'OneRoster was turned off, so the run stopped. Each batch is applied whole or not at all.' };
      case 'shutdown':
        return { status: 'failed', code: 'shutdown', message: 'The server shut down during the run, so it stopped. Each batch is applied whole or not at all; the next sync repairs the rest.' };
      case 'run_time_limit': {
        const limit = errors.runTimeLimit(limits.maxRunMs);
        return { status: 'failed', code: limit.code, message: limit.message };
      }
      case 'lease_lost':
        return { status: 'failed', code: 'lease_lost', message: 'Another server took over the sync while this one was stalled; this run stopped without applying the rest.' };
    }
    if (err instanceof ProviderError || err instanceof OneRosterError) return { status: 'failed', code: err.code, message: err.message };
    logger.error('oneroster run failed unexpectedly', { error: errorForLog(err, true) });
    return { status: 'failed', code: 'internal_error', message: 'The sync failed unexpectedly; nothing more was applied. The details are in the server log.' };
  }

  /** People active on the roster now, per kind: they size the run's caps (and the plan's safeguard, `RunJob.activeAtStart`). */
  async function activePeople(): Promise<Record<PersonKind, number>> {
    return { students: await ctx.store.countActivePeople('students'), staff: await ctx.store.countActivePeople('staff') };
  }

  async function notifyFinished(runId: number): Promise<void> {
    if (!options.onRunFinished) return;
    try {
      await options.onRunFinished(await deps.view(runId));
    } catch (err) {
      logger.error('oneroster onRunFinished failed', { runId, error: errorForLog(err) });
    }
  }

  return {
    start(runId, held, body) {
      track(
        underStopSwitch(runId, held, async (stop, ending) => {
          const now = clock.now();
          const started = await records.update(runId, { status: 'running', phase: 'pulling', startedAt: now, updatedAt: now }, ['queued']);
          if (!started) {
            ending.status = 'cancelled'; // cancelled while queued
            return;
          }
          await runBody(runId, held, body, stop, 0, ending);
        }),
      );
    },

    resume(runId, held, body, issuesSoFar) {
      track(underStopSwitch(runId, held, (stop, ending) => runBody(runId, held, body, stop, issuesSoFar, ending)));
    },

    stopLocal(runId, reason) {
      const stopOne = stoppers.get(runId);
      if (!stopOne) return false;
      stopOne(reason);
      return true;
    },

    track,

    async shutdown() {
      for (const stopOne of stoppers.values()) stopOne('shutdown');
      await whenIdle();
    },

    whenIdle,
    busy: () => jobs.size > 0,
    notifyFinished,
  };
}

/** Per-code issue counts of an earlier phase (a held run's pull) plus this one's. */
function addCounts(earlier: Record<string, number> | undefined, now: Readonly<Record<string, number>>): Record<string, number> {
  const sum = { ...(earlier ?? {}) };
  for (const [code, n] of Object.entries(now)) sum[code] = (sum[code] ?? 0) + n;
  return sum;
}
