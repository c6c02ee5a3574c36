import type { AuditLog } from '../config/audit-log';
import type { HeldPlan, RecordKind, RunView } from '../domain/contract';
import { errors } from '../domain/errors';
import type { Logger } from '../logger';
import type { Clock, OneRosterUser } from '../options';
import { applyPlan, type RunJob, type RunOutcome, type SyncDeps } from './run-job';
import type { RunLifecycle } from './run-lifecycle';
import type { RunPatch, RunRecord, RunRecords } from './run-records';
import type { HeldLease } from './sync-lease';

/** What approving a held run needs from the sync service. */
export interface HeldRunDeps {
  /** The runs table. */
  records: RunRecords;
  /** What a run body needs (the apply step). */
  syncDeps: SyncDeps;
  /** Where the approved run goes on. */
  lifecycle: RunLifecycle;
  /** Who changed what. */
  audit: AuditLog;
  /** The logger. */
  logger: Logger;
  /** The time source. */
  clock: Clock;
  /** Takes the sync lease, or answers 409. */
  takeLease(): Promise<HeldLease>;
  /** Whether OneRoster is on. */
  isEnabled(): Promise<boolean>;
  /** Fails the runs left by a dead process (whoever holds the lease does it). */
  repairInterrupted(): Promise<unknown>;
  /** Notes the active people after a user run applied. */
  noteActiveCounts(job: RunJob): Promise<void>;
  /** A run as the API shows it. */
  view(id: number): Promise<RunView>;
}

/**
 * Approves a held run: under the lease, while OneRoster is on and no other run has applied since
 * it planned (else `plan_outdated`), it moves to running and applies exactly the plan it showed.
 */
export async function approveHeldRun(deps: HeldRunDeps, id: number, user: OneRosterUser): Promise<RunView> {
  const { records, logger } = deps;
  const run = await records.find(id);
  if (!run) throw errors.notFound('run');
  if (run.status !== 'held') throw errors.runNotHeld(run.status);
  const held = await deps.takeLease();
  try {
    if (!(await deps.isEnabled())) throw errors.disabled();
    // Another applied run since this one planned: its targets and counts may be stale.
    const latest = await records.latestAppliedId();
    if (latest !== null && latest > (run.baselineRunId ?? 0)) throw errors.planOutdated();
    await deps.repairInterrupted();
    const moved = await records.update(id, { ...decisionPatch(run, 'approved', user, deps.clock), status: 'running', phase: 'applying' }, ['held']);
    if (!moved) throw errors.runNotHeld((await records.find(id))?.status ?? 'gone');
    await held.attachRun(id);
  } catch (err) {
    await held.release();
    throw err;
  }
  logger.info('oneroster held run approved', { runId: id, by: String(user.id) });
  await deps.audit.record('run_approved', user, { runId: id, kind: run.kind, deactivations: plannedDeactivations(run) });
  const pulled = run.counts ? (JSON.parse(run.counts) as RunOutcome['counts']) : null;
  const plan = run.plan ? (JSON.parse(run.plan) as HeldPlan) : null;
  deps.lifecycle.resume(id, held, async (job) => {
    if (!pulled || !plan) throw errors.planMissing();
    const kinds = (['buildings', 'students', 'staff'] as RecordKind[]).filter((kind) => plan.counts[kind]);
    const { kinds: _planned, ...base } = pulled;
    await applyPlan(deps.syncDeps, job, kinds, plan.counts, base);
    if (run.kind === 'users') await deps.noteActiveCounts(job);
    return { status: 'succeeded', counts: { ...pulled, kinds: plan.counts }, plan: null };
  }, run.issueCount ?? 0);
  return deps.view(id);
}

/** Records who resolved a held run, and leaves its wait out of its duration. */
export function decisionPatch(run: RunRecord, action: 'approved' | 'cancelled', user: OneRosterUser, clock: Clock): RunPatch {
  const now = clock.now();
  return {
    decision: action,
    decidedById: String(user.id).slice(0, 64),
    decidedByName: user.name?.slice(0, 255) ?? null,
    decidedAt: now,
    heldMs: run.finishedAt ? Math.max(0, now.getTime() - run.finishedAt.getTime()) : 0,
    updatedAt: now,
  };
}

/** The deactivations a held run planned, per kind (for the audit entry). */
export function plannedDeactivations(run: RunRecord): Record<string, number> {
  const plan = run.plan ? (JSON.parse(run.plan) as HeldPlan) : null;
  const planned: Record<string, number> = {};
  for (const [kind, numbers] of Object.entries(plan?.deactivations ?? {})) planned[kind] = numbers?.planned ?? 0;
  return planned;
}
