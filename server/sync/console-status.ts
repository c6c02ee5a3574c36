import type { ConsoleStatus, RunView } from '../domain/contract';
import type { AutomationSettings } from '../domain/contract';
import { presentRunSummary } from './present-run';
import { ENDED, type RunRecords } from './run-records';

/** A daily sync older than this without a success is stale. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** What the status needs to read. */
export interface ConsoleStatusSources {
  /** The runs table. */
  records: RunRecords;
  /** The run going on now, in full, or null. */
  activeRun(): Promise<RunView | null>;
  /** One run in full. */
  view(id: number): Promise<RunView>;
  /** Whether OneRoster is on (a district that turned it off has no daily sync to miss). */
  isEnabled(): Promise<boolean>;
  /** The automation settings (paused, or nothing imported: no daily sync to miss). */
  settings(): Promise<AutomationSettings>;
  /** Now. */
  now: Date;
}

/**
 * What needs the admin's attention: the running run, the held one, the last outcome, and whether
 * the daily sync has gone more than a day without succeeding. Read from the database, so it is
 * the same after a reload and on every server.
 */
export async function readConsoleStatus(sources: ConsoleStatusSources): Promise<ConsoleStatus> {
  const { records } = sources;
  const [activeRun, held, last, lastDaily, lastBuildings, enabled, settings] = await Promise.all([
    sources.activeRun(),
    records.latest({ status: 'held' }),
    records.latest({ status: ENDED }),
    records.latest({ runTrigger: 'schedule', status: 'succeeded', dryRun: false }),
    records.latest({ kind: 'buildings', status: 'succeeded', dryRun: false }),
    sources.isEnabled(),
    sources.settings(),
  ]);
  const dailyOn = enabled && !settings.paused && (settings.studentImport || settings.staffImport);
  // Before any daily success, count from the last building sync: a district set up today is not stale.
  const since = lastDaily?.finishedAt ?? lastBuildings?.finishedAt ?? null;
  const dailyStale = dailyOn && since !== null && sources.now.getTime() - since.getTime() > STALE_AFTER_MS;
  return {
    activeRun,
    heldRun: held ? await sources.view(held.id) : null,
    lastRun: last ? presentRunSummary(last) : null,
    lastDailySuccessAt: lastDaily?.finishedAt?.toISOString() ?? null,
    dailyStale,
  };
}
