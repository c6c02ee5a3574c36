import type { HeldPlan, RunCounts, RunIssue, RunSummary, RunView } from '../domain/contract';
import type { RunRecord } from './run-records';

/** Counts of a run that has counted nothing yet. */
export function emptyRunCounts(): RunCounts {
  return { kinds: {}, skippedBySchool: {}, ignoredRoles: {}, unmatchedBuildings: [] };
}

/** A run as lists show it (`GET /runs`, `GET /config`). */
export function presentRunSummary(run: RunRecord): RunSummary {
  const ended = run.finishedAt !== null;
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    trigger: run.runTrigger,
    mode: run.mode,
    dryRun: run.dryRun,
    requestedBy: run.requestedByName ?? run.requestedById ?? null,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt ? run.startedAt.toISOString() : null,
    finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
    // The wait for an approval is the admin's time, not the sync's.
    durationMs: ended && run.startedAt ? Math.max(0, run.finishedAt!.getTime() - run.startedAt.getTime() - run.heldMs) : null,
    decision: run.decision && run.decidedAt
      ? { action: run.decision, by: run.decidedByName ?? run.decidedById ?? null, at: run.decidedAt.toISOString() }
      : null,
    supersededBy: run.supersededByRunId ?? null,
    counts: parseJson<RunCounts>(run.counts) ?? emptyRunCounts(),
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? '' } : null,
  };
}

/** A run in full (`GET /runs/:id`), with its stored issues. */
export function presentRun(run: RunRecord, issues: RunIssue[]): RunView {
  return {
    ...presentRunSummary(run),
    phase: run.phase,
    progress: { processed: run.processed, total: run.total },
    issues,
    issueCount: run.issueCount,
    plan: parseJson<HeldPlan>(run.plan),
  };
}

function parseJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
