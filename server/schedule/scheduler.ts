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
 * What the scheduler does with one district's daily slots, apart from when: find the due one,
 * claim it (exactly one process wins), run it while renewing the claim, heal what dead servers
 * left. The in-process daily job and the fleet scheduler both drive it.
 */
export interface DistrictSlots {
  /** The district these slots are of. */
  readonly district: string;
  /**
   * The most recent slot (counting one due within `earlyMs` from now) if it is at most `windowMs`
   * old and nobody finished it: `retry` when its server died and the day is to be run again.
   * `knownTaken` skips the claim lookup of a slot the caller already saw taken; `running` says a
   * server holds the claim now (so whether it died is worth asking later).
   */
  due(
    windowMs: number,
    earlyMs: number,
    knownTaken?: (slotKey: string) => boolean,
  ): Promise<{ slot: ScheduleSlot; settings: AutomationSettings; retry: boolean } | { slot: ScheduleSlot | null; status: SlotRunResult['status']; running?: boolean }>;
  /** The district's automation settings now. */
  settings(): Promise<AutomationSettings>;
  /** The slot of the local day containing `slotAt`, or null when the schedule is inactive. */
  slotOn(slotAt: Date): Promise<{ slot: ScheduleSlot; settings: AutomationSettings } | null>;
  /** Takes the slot's claim (or, `retry`, its interrupted claim): true for the one process that won. */
  claim(slot: ScheduleSlot, claimedBy: string, retry: boolean): Promise<boolean>;
  /** Runs a slot this process claimed and records how it went. Never throws. */
  run(slot: ScheduleSlot, settings: AutomationSettings, claimedBy: string, retry: boolean): Promise<SlotRunResult>;
  /** Marks runs and claims dead servers left as failed; says whether a claim was, so its day can be retried. */
  heal(): Promise<boolean>;
}

/** Builds a district's slot work over its automation settings, claims and sync service. */
export function createDistrictSlots(ctx: ModuleContext, automation: AutomationService, sync: SyncService): DistrictSlots {
  const claims: ScheduleClaims = createScheduleClaims(defineAutomationModels(ctx.sequelize), ctx.options.leaseTtlMs, ctx.district);
  const fields = { district: ctx.district };
  return {
    district: ctx.district,

    settings: () => automation.settings(),

    async due(windowMs, earlyMs, knownTaken) {
      const settings = await automation.settings();
      const now = ctx.clock.now();
      const slot = latestSlotBefore(settings, new Date(now.getTime() + earlyMs));
      if (!slot) return { slot: null, status: isScheduleActive(settings) ? 'nothing_due' : 'inactive' };
      if (knownTaken?.(slot.key)) return { slot, status: 'already_claimed' };
      const claimed = await claims.find(slot.key);
      if (now.getTime() - slot.at.getTime() > windowMs) {
        if (!claimed) ctx.logger.warn('daily sync missed and too old to catch up', { ...fields, slot: slot.key });
        return { slot, status: claimed ? 'already_claimed' : 'too_old' };
      }
      // A day whose server died mid-run is retried (a conditional update picks one server).
      const retry = claimed?.outcome === 'failed' && claimed.errorCode === 'interrupted';
      if (claimed && !retry) return { slot, status: 'already_claimed', running: claimed.outcome === 'running' };
      return { slot, settings, retry };
    },

    async slotOn(slotAt) {
      const settings = await automation.settings();
      if (!isScheduleActive(settings)) return null;
      return { slot: slotOnLocalDate(settings, localDateOf(slotAt, settings.timezone)), settings };
    },

    claim(slot, claimedBy, retry) {
      return retry ? claims.reclaim(slot, claimedBy, ctx.clock.now()) : claims.claim(slot, claimedBy, ctx.clock.now());
    },

    async run(slot, settings, claimedBy, retry) {
      ctx.logger.info(retry ? 'daily sync retrying an interrupted day' : 'daily sync starting', { ...fields, slot: slot.key, claimedBy });
      const heartbeat = setInterval(() => {
        claims.renew(slot.key, claimedBy).catch((err: unknown) => ctx.logger.warn('daily sync claim renewal failed', { ...fields, slot: slot.key, error: errorText(err) }));
      }, Math.max(250, Math.floor(ctx.options.leaseTtlMs / 3)));
      heartbeat.unref();
      try {
        const result = await runScheduledSync({ sync, claims, logger: ctx.logger, clock: ctx.clock }, slot, settings);
        return { slot: slot.key, status: 'ran', outcome: result.outcome, runIds: result.runIds };
      } catch (err) {
        ctx.logger.error('daily sync failed', { ...fields, slot: slot.key, error: errorText(err) });
        await claims
          .record(slot.key, {
            outcome: 'error',
            errorCode: 'internal_error',
            errorMessage: 'The daily sync stopped on an unexpected error. The details are in the server log.',
            finishedAt: ctx.clock.now(),
          })
          .catch((recordErr: unknown) => ctx.logger.error('could not record the daily sync outcome', { ...fields, slot: slot.key, error: errorText(recordErr) }));
        return { slot: slot.key, status: 'error', outcome: 'error', runIds: [] };
      } finally {
        clearInterval(heartbeat);
      }
    },

    async heal() {
      await sync.recoverInterrupted();
      const stalled = await claims.failStalled(ctx.clock.now());
      for (const slot of stalled) ctx.logger.warn('daily sync claim interrupted: its server stopped', { ...fields, slot });
      return stalled.length > 0;
    },
  };
}

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
  const slots = createDistrictSlots(ctx, automation, sync);
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
        const found = await slots.due(windowMs, earlyMs);
        if ('status' in found) return { slot: found.slot?.key ?? null, status: found.status, runIds: [] };
        return runClaimedSlot(found.slot, found.settings, found.retry);
      })(),
    );
  }

  function runSlot(slotAt: Date): Promise<SlotRunResult> {
    return track(
      (async (): Promise<SlotRunResult> => {
        const found = await slots.slotOn(slotAt);
        if (!found) return { slot: null, status: 'inactive', runIds: [] };
        return runClaimedSlot(found.slot, found.settings);
      })(),
    );
  }

  /** Claims the slot (or, `retry`, takes over its interrupted claim) and, if this process won it, runs it. */
  async function runClaimedSlot(slot: ScheduleSlot, settings: AutomationSettings, retry = false): Promise<SlotRunResult> {
    if (!(await slots.claim(slot, claimedBy, retry))) {
      ctx.logger.debug('daily sync slot already claimed', { slot: slot.key });
      return { slot: slot.key, status: 'already_claimed', runIds: [] };
    }
    return slots.run(slot, settings, claimedBy, retry);
  }

  /**
   * Marks what dead servers left behind as failed: runs no live lease covers, and daily claims
   * nobody renews. A stalled day is then retried, within the catch-up window. Never throws.
   */
  async function heal(): Promise<void> {
    try {
      if (await slots.heal()) await runDue(ctx.options.missedRunWindowMs, 0);
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
