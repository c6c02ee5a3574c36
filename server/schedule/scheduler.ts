import { randomBytes } from 'node:crypto';
import { errorForLog } from '../logger';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { ModuleContext } from '../context';
import type { AutomationSettings, ScheduledRunOutcome } from '../domain/contract';
import type { SyncService } from '../sync/sync-service';
import type { AutomationService } from './automation-service';
import { defineAutomationModels } from './automation-models';
import { createScheduleClaims, type ScheduleClaims } from './schedule-claims';
import { runScheduledSync } from './scheduled-sync';
import {
  cronPatternFor,
  isScheduleActive,
  latestSlotBefore,
  localDateOf,
  slotOnLocalDate,
  type ScheduleSlot,
} from './slot-time';

/** The in-process daily job. */
export interface Scheduler {
  /**
   * Arms the daily job and, in the background, catches up the most recent slot when every server
   * missed it (at most `missedRunWindowMs` ago and unclaimed). Safe to call twice.
   */
  start(): Promise<void>;
  /** Disarms it and waits for a daily run this instance is doing to finish. */
  stop(): Promise<void>;
  /**
   * Runs the slot of the local day containing `slotAt` (in the configured timezone) if this
   * process wins its claim: what the job does when it fires. Never throws for a failed sync.
   */
  runSlot(slotAt: Date): Promise<SlotRunResult>;
  /** Runs the most recent slot if it is at most `windowMs` old (default `missedRunWindowMs`) and unclaimed. */
  runDueSlot(windowMs?: number): Promise<SlotRunResult>;
  /** Re-reads the settings and re-arms the job if they changed (on this or another server). */
  refresh(): Promise<void>;
  /** When the armed croner job fires next, or null when disarmed (stopped, paused, nothing imported). */
  nextRun(): Date | null;
  /** Fires the armed job now, as croner does at the slot time (tests and operators). */
  fire(): Promise<void>;
  /** Resolves once daily runs this instance started have finished. */
  whenIdle(): Promise<void>;
}

/** What a scheduler did with a slot. */
export interface SlotRunResult {
  /** The slot's key, or null when no slot was due. */
  slot: string | null;
  /** `ran` when this process claimed and ran it; otherwise why not. */
  status: 'ran' | 'inactive' | 'nothing_due' | 'too_old' | 'already_claimed' | 'error';
  /** How the run ended, when it ran. */
  outcome?: ScheduledRunOutcome;
  /** The sync runs it started. */
  runIds: number[];
}

/** Tuning a host never needs; tests and the multi-process proof set it. */
export interface SchedulerTuning {
  /** How often settings are re-read, to follow changes saved on another server, in ms. Defaults to 60000. */
  settingsPollMs?: number;
  /** Name recorded on claims. Defaults to host name, process id and a random suffix. */
  instanceName?: string;
}

/** A croner timer may fire a moment before the slot's exact instant; this much early still counts. */
const FIRE_EARLY_TOLERANCE_MS = 2_000;
/** How late a fire may be (busy event loop, slow database) and still run its slot, whatever the missed-run window. */
const FIRE_LATENESS_MS = 15 * 60_000;

/**
 * The daily job: one croner job per process at the configured time and timezone. When it fires,
 * every process tries to claim the slot in `oneroster_schedule_claims`; the one whose insert wins
 * runs buildings then users through the sync service, the others do nothing. So one daily run
 * happens however many servers run the monolith, and it does not depend on the engine's lease.
 */
export function createScheduler(
  ctx: ModuleContext,
  automation: AutomationService,
  sync: SyncService,
  tuning: SchedulerTuning = {},
): Scheduler {
  const claims: ScheduleClaims = createScheduleClaims(defineAutomationModels(ctx.sequelize), ctx.options.leaseTtlMs);
  const claimedBy = tuning.instanceName ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollMs = tuning.settingsPollMs ?? 60_000;
  const inFlight = new Set<Promise<unknown>>();
  let job: Cron | null = null;
  let armedFor: string | null = null;
  let pollTimer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;
  let started = false;

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  }

  /** Arms croner for these settings, replacing a job armed for different ones. */
  function arm(settings: AutomationSettings): void {
    if (!started) return;
    const wanted = isScheduleActive(settings) ? `${settings.dailyTime} ${settings.timezone}` : null;
    if (wanted === armedFor) return; // armedFor is set only while a job is armed
    disarm();
    if (wanted === null) {
      ctx.logger.info('daily sync disarmed', { paused: settings.paused });
      return;
    }
    job = new Cron(
      cronPatternFor(settings.dailyTime),
      {
        timezone: settings.timezone,
        // A sync longer than a day must not overlap the next day's.
        protect: () => ctx.logger.warn('daily sync still running at the next slot; that slot is skipped'),
        catch: (err) => ctx.logger.error('daily sync job failed', { error: errorText(err) }),
      },
      onFire,
    );
    armedFor = wanted;
    ctx.logger.info('daily sync armed', { at: settings.dailyTime, timezone: settings.timezone, nextRun: job.nextRun()?.toISOString() });
  }

  function disarm(): void {
    job?.stop();
    job = null;
    armedFor = null;
  }

  /** The croner callback: run the slot that is due now, then follow any settings change. Never throws. */
  async function onFire(): Promise<void> {
    try {
      await runDue(Math.max(ctx.options.missedRunWindowMs, FIRE_LATENESS_MS), FIRE_EARLY_TOLERANCE_MS);
    } catch (err) {
      ctx.logger.error('daily sync failed', { error: errorText(err) });
    }
    await refresh();
  }

  async function refresh(): Promise<void> {
    try {
      arm(await automation.settings());
    } catch (err) {
      ctx.logger.warn('could not read automation settings; the daily job keeps its schedule', { error: errorText(err) });
    }
  }

  /** Runs the most recent slot (counting one due within `earlyMs` from now) if at most `windowMs` old. */
  function runDue(windowMs: number, earlyMs: number): Promise<SlotRunResult> {
    return track(
      (async (): Promise<SlotRunResult> => {
        const settings = await automation.settings();
        const now = ctx.clock.now();
        const slot = latestSlotBefore(settings, new Date(now.getTime() + earlyMs));
        if (!slot) return { slot: null, status: isScheduleActive(settings) ? 'nothing_due' : 'inactive', runIds: [] };
        if (now.getTime() - slot.at.getTime() > windowMs) {
          const claimed = await claims.find(slot.key);
          if (!claimed) ctx.logger.warn('daily sync missed and too old to catch up', { slot: slot.key });
          return { slot: slot.key, status: claimed ? 'already_claimed' : 'too_old', runIds: [] };
        }
        const claimed = await claims.find(slot.key);
        // A day whose server died mid-run is retried (a conditional update picks one server).
        const retry = claimed?.outcome === 'failed' && claimed.errorCode === 'interrupted';
        return runClaimedSlot(slot, settings, retry);
      })(),
    );
  }

  function runSlot(slotAt: Date): Promise<SlotRunResult> {
    return track(
      (async (): Promise<SlotRunResult> => {
        const settings = await automation.settings();
        if (!isScheduleActive(settings)) return { slot: null, status: 'inactive', runIds: [] };
        return runClaimedSlot(slotOnLocalDate(settings, localDateOf(slotAt, settings.timezone)), settings);
      })(),
    );
  }

  /**
   * Claims the slot (or, `retry`, takes over its interrupted claim) and, if this process won it,
   * runs it and records how it went, renewing the claim meanwhile so others can tell it is alive.
   */
  async function runClaimedSlot(slot: ScheduleSlot, settings: AutomationSettings, retry = false): Promise<SlotRunResult> {
    const won = retry ? await claims.reclaim(slot, claimedBy, ctx.clock.now()) : await claims.claim(slot, claimedBy, ctx.clock.now());
    if (!won) {
      ctx.logger.debug('daily sync slot already claimed', { slot: slot.key });
      return { slot: slot.key, status: 'already_claimed', runIds: [] };
    }
    ctx.logger.info(retry ? 'daily sync retrying an interrupted day' : 'daily sync starting', { slot: slot.key, claimedBy });
    const heartbeat = setInterval(() => {
      claims.renew(slot.key, claimedBy).catch((err: unknown) => ctx.logger.warn('daily sync claim renewal failed', { slot: slot.key, error: errorText(err) }));
    }, Math.max(250, Math.floor(ctx.options.leaseTtlMs / 3)));
    heartbeat.unref();
    try {
      const result = await runScheduledSync({ sync, claims, logger: ctx.logger, clock: ctx.clock }, slot, settings);
      return { slot: slot.key, status: 'ran', outcome: result.outcome, runIds: result.runIds };
    } catch (err) {
      ctx.logger.error('daily sync failed', { slot: slot.key, error: errorText(err) });
      await claims
        .record(slot.key, {
          outcome: 'error',
          errorCode: 'internal_error',
          errorMessage: 'The daily sync stopped on an unexpected error. The details are in the server log.',
          finishedAt: ctx.clock.now(),
        })
        .catch((recordErr: unknown) => ctx.logger.error('could not record the daily sync outcome', { slot: slot.key, error: errorText(recordErr) }));
      return { slot: slot.key, status: 'error', outcome: 'error', runIds: [] };
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Marks what dead servers left behind as failed: runs no live lease covers, and daily claims
   * nobody renews. A stalled day is then retried, within the catch-up window. Never throws.
   */
  async function heal(): Promise<void> {
    try {
      await sync.recoverInterrupted();
      const stalled = await claims.failStalled(ctx.clock.now());
      for (const slot of stalled) ctx.logger.warn('daily sync claim interrupted: its server stopped', { slot });
      if (stalled.length > 0) await runDue(ctx.options.missedRunWindowMs, 0);
    } catch (err) {
      ctx.logger.warn('could not check for interrupted syncs', { error: errorText(err) });
    }
  }

  async function whenIdle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    async start() {
      if (started) return;
      started = true;
      unsubscribe = automation.onChange((settings) => arm(settings));
      pollTimer = setInterval(() => {
        void refresh();
        void track(heal());
      }, pollMs);
      pollTimer.unref();
      await refresh();
      // In the background: the host's start-up must not wait for a whole sync. Healing first
      // turns a day a dead server left `running` into one the catch-up retries.
      void track(heal())
        .then(() => runDue(ctx.options.missedRunWindowMs, 0))
        .catch((err: unknown) => ctx.logger.error('missed-run catch-up failed', { error: errorText(err) }));
    },
    async stop() {
      started = false;
      unsubscribe?.();
      unsubscribe = null;
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = null;
      disarm();
      await whenIdle();
    },
    runSlot,
    runDueSlot: (windowMs = ctx.options.missedRunWindowMs) => runDue(windowMs, 0),
    refresh,
    nextRun: () => job?.nextRun() ?? null,
    async fire() {
      await job?.trigger();
    },
    whenIdle,
  };
}

function errorText(err: unknown): string {
  return errorForLog(err);
}
