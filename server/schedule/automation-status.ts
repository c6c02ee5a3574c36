import type { AutomationDay, AutomationSettings, AutomationStatusView, ScheduledRunOutcome } from '../domain/contract';
import type { RunRecords } from '../sync/run-records';
import type { ScheduleClaimRow } from './automation-models';
import { localDateOf, shiftDate } from './slot-time';

/** Days the heatmap covers. */
export const STATUS_DAYS = 30;
/** Failed daily runs in a row that turn the banner red. */
export const FAILING_STREAK = 3;
const DAY_MS = 24 * 60 * 60 * 1000;
const FAILED: ReadonlySet<ScheduledRunOutcome> = new Set(['failed', 'not_started', 'error']);

/** What the Automation Status view reads. */
export interface AutomationStatusSources {
  /** Claims of daily slots since an instant, oldest first. */
  claimsSince(since: Date): Promise<ScheduleClaimRow[]>;
  /** The runs table. */
  records: RunRecords;
  /** The automation settings (for the timezone of the days). */
  settings: AutomationSettings;
  /** Now. */
  now: Date;
}

/**
 * The daily sync's health: one cell per local day for the last 30 days (the day's daily run, if
 * any), how many daily runs failed in a row, and the active people after each applied user run.
 */
export async function readAutomationStatus(sources: AutomationStatusSources): Promise<AutomationStatusView> {
  const { timezone } = sources.settings;
  const since = new Date(sources.now.getTime() - (STATUS_DAYS + 1) * DAY_MS);
  const claims = await sources.claimsSince(since);
  const byDate = new Map<string, ScheduleClaimRow>();
  // A slot key starts with its local date; a later claim of the same date (time changed) wins.
  for (const claim of claims) byDate.set(claim.slotKey.slice(0, 10), claim);

  const today = localDateOf(sources.now, timezone);
  const days: AutomationDay[] = [];
  for (let back = STATUS_DAYS - 1; back >= 0; back -= 1) {
    const date = shiftDate(today, -back);
    const claim = byDate.get(date);
    days.push({
      date,
      outcome: claim ? claim.outcome : 'none',
      runIds: claim ? [claim.buildingRunId, claim.userRunId].filter((id): id is number => typeof id === 'number') : [],
      error: claim?.errorCode ? { code: claim.errorCode, message: claim.errorMessage ?? '' } : null,
    });
  }

  let failingStreak = 0;
  for (const claim of [...claims].reverse()) {
    if (claim.outcome === 'running') continue;
    if (!FAILED.has(claim.outcome)) break;
    failingStreak += 1;
  }
  const health = claims.length === 0 ? 'unknown' : failingStreak >= FAILING_STREAK ? 'failing' : 'healthy';

  const runs = await sources.records.since(since, { kind: 'users' }, 1000);
  const activeCounts = runs
    .filter((run) => run.activeAfter && run.finishedAt)
    .map((run) => {
      const counts = JSON.parse(run.activeAfter!) as { students?: number; staff?: number };
      return { at: run.finishedAt!.toISOString(), students: Number(counts.students ?? 0), staff: Number(counts.staff ?? 0) };
    });
  return { health, failingStreak, days, activeCounts };
}
