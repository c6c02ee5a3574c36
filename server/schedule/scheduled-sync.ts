import { OneRosterError } from '../domain/errors';
import type { AutomationSettings, RunMode, RunView, ScheduledRunOutcome } from '../domain/contract';
import type { Logger } from '../logger';
import type { Clock } from '../options';
import type { SyncService } from '../sync/sync-service';
import type { ScheduleClaims } from './schedule-claims';
import { daysBetweenLocalDates, localDateOf, type ScheduleSlot } from './slot-time';

/** How one claimed daily slot went. */
export interface ScheduledSyncResult {
  /** How it ended. */
  outcome: ScheduledRunOutcome;
  /** The runs it started, buildings first. */
  runIds: number[];
  /** Why it did not succeed, when it did not. */
  error: { code: string; message: string } | null;
}

/** What the daily sequence needs. */
export interface ScheduledSyncDeps {
  sync: SyncService;
  claims: ScheduleClaims;
  logger: Logger;
  clock: Clock;
}

/**
 * The daily run of one claimed slot, through the same sync service as the admin's buttons:
 * buildings, then (only if that succeeded and an import is switched on) students and/or staff,
 * full when the last full pull is `fullSyncEvery` days old or more, else delta. Each step is
 * recorded on the claim as it happens, so `GET /automation` shows a run in progress too.
 * A sync that refuses to start (409 `not_configured`, `sync_in_progress`, …) ends it as
 * `not_started` with that code; anything unexpected is thrown to the caller.
 */
export async function runScheduledSync(
  deps: ScheduledSyncDeps,
  slot: ScheduleSlot,
  settings: AutomationSettings,
): Promise<ScheduledSyncResult> {
  const { sync, claims, logger } = deps;
  const runIds: number[] = [];

  const buildings = await startOrRefuse(() => sync.startBuildingSync({ trigger: 'schedule', user: null }));
  if ('refused' in buildings) return refused(deps, slot, 'buildings', buildings.refused, runIds);
  runIds.push(buildings.run.id);
  await claims.record(slot.key, { buildingRunId: buildings.run.id });
  const buildingRun = await sync.waitForRun(buildings.run.id);
  if (buildingRun.status !== 'succeeded') {
    logger.warn('scheduled building sync did not succeed; users not synced', { slot: slot.key, runId: buildingRun.id, status: buildingRun.status });
    return ended(deps, slot, buildingRun, runIds);
  }

  const kinds = importedKinds(settings);
  if (kinds.length === 0) return ended(deps, slot, buildingRun, runIds);

  const mode = await chooseUserMode(sync, settings, slot);
  const users = await startOrRefuse(() => sync.startUserSync({ trigger: 'schedule', user: null, mode, kinds }));
  if ('refused' in users) return refused(deps, slot, 'users', users.refused, runIds);
  runIds.push(users.run.id);
  await claims.record(slot.key, { userRunId: users.run.id });
  return ended(deps, slot, await sync.waitForRun(users.run.id), runIds);
}

/** The kinds the automation toggles switch on. */
export function importedKinds(settings: Pick<AutomationSettings, 'studentImport' | 'staffImport'>): Array<'students' | 'staff'> {
  const kinds: Array<'students' | 'staff'> = [];
  if (settings.studentImport) kinds.push('students');
  if (settings.staffImport) kinds.push('staff');
  return kinds;
}

/**
 * Full when no full pull ever succeeded or the last one is `fullSyncEvery` or more calendar days
 * before the slot's date (calendar days in the district's timezone, so a run a few seconds
 * earlier than last week's still counts as a week).
 */
export async function chooseUserMode(
  sync: Pick<SyncService, 'lastFullUserSyncAt'>,
  settings: Pick<AutomationSettings, 'fullSyncEvery' | 'timezone'>,
  slot: ScheduleSlot,
): Promise<RunMode> {
  const lastFull = await sync.lastFullUserSyncAt();
  if (!lastFull) return 'full';
  const days = daysBetweenLocalDates(localDateOf(lastFull, settings.timezone), slot.localDate);
  return days >= settings.fullSyncEvery ? 'full' : 'delta';
}

async function startOrRefuse(start: () => Promise<RunView>): Promise<{ run: RunView } | { refused: OneRosterError }> {
  try {
    return { run: await start() };
  } catch (err) {
    if (err instanceof OneRosterError) return { refused: err };
    throw err;
  }
}

async function refused(
  deps: ScheduledSyncDeps,
  slot: ScheduleSlot,
  step: 'buildings' | 'users',
  err: OneRosterError,
  runIds: number[],
): Promise<ScheduledSyncResult> {
  deps.logger.warn('scheduled sync could not start', { slot: slot.key, step, code: err.code });
  const error = { code: err.code, message: err.message };
  await deps.claims.record(slot.key, { outcome: 'not_started', errorCode: error.code, errorMessage: error.message, finishedAt: deps.clock.now() });
  return { outcome: 'not_started', runIds, error };
}

async function ended(deps: ScheduledSyncDeps, slot: ScheduleSlot, run: RunView, runIds: number[]): Promise<ScheduledSyncResult> {
  const outcome = outcomeOf(run);
  const error = run.status === 'succeeded' ? null : (run.error ?? { code: `run_${run.status}`, message: `The ${run.kind} run ended ${run.status}.` });
  await deps.claims.record(slot.key, {
    outcome,
    errorCode: error?.code ?? null,
    errorMessage: error?.message ?? null,
    finishedAt: deps.clock.now(),
  });
  deps.logger.info('scheduled sync finished', { slot: slot.key, outcome, runIds });
  return { outcome, runIds, error };
}

function outcomeOf(run: RunView): ScheduledRunOutcome {
  switch (run.status) {
    case 'succeeded':
    case 'failed':
    case 'held':
    case 'cancelled':
      return run.status;
    default:
      // waitForRun resolves only once a run has ended; anything else is the engine's bug.
      return 'error';
  }
}
