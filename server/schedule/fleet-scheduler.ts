import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { assertDistrictKey } from '../domain/district';
import { createConsoleLogger, errorForLog, type Logger } from '../logger';
import type { ScheduledRunOutcome } from '../domain/contract';
import type { DistrictHealth } from './district-health';
import type { DistrictSlots } from './scheduler';
import { databaseRunner, dueRunId, type DueRun, type RunnerHost, type ScheduleRunner } from './schedule-runner';

/** What the fleet scheduler needs of one district: its daily slots and health (a `DistrictHandle` is one). */
export interface ScheduledDistrict {
  /** The district's daily slots, as the fleet claims and runs them. */
  slots: DistrictSlots;
  /** The district's automation health. */
  health(): Promise<DistrictHealth>;
}

/** What serves a district: a module instance (`OneRoster`, through its `forDistrict`) or one district's handle. */
export type DistrictSource = { forDistrict(district: string): ScheduledDistrict } | ScheduledDistrict;

/** Settings of `createFleetScheduler`. */
export interface FleetSchedulerOptions {
  /** Every district to schedule, called at each tick (e.g. the districts table of the monolith). Required. */
  listDistricts: () => Promise<string[]>;
  /**
   * The module instance that serves a district: the one instance of a one-database monolith, or
   * that district's own instance when each district has its own database (created lazily; the
   * host may close one that is idle once `busy(district)` says nothing runs there). May return
   * `oneroster.forDistrict(key)` to file a district's runs under another key (say, `'default'`
   * in a database per district upgraded from a single-district release). Required.
   */
  instanceFor: (district: string) => DistrictSource | Promise<DistrictSource>;
  /** How due runs reach a process with room: `databaseRunner()` or `bullmqRunner(...)`. Defaults to `databaseRunner()`. */
  runner?: ScheduleRunner;
  /** Most daily runs this process runs at once. Defaults to 2. */
  maxConcurrentRuns?: number;
  /** Longest random wait before a run starts, in ms (tests set 0). Defaults to 30000. */
  jitterMs?: number;
  /** How often every district's due slot is looked for, in ms. Defaults to 60000. */
  tickMs?: number;
  /** A slot is caught up when it is at most this old, in ms (older ones are skipped, as the in-process job does). Defaults to 6 hours. */
  missedRunWindowMs?: number;
  /** Name recorded on claims. Defaults to host name, process id and a random suffix. */
  instanceName?: string;
  /** Logger (never given secrets or roster records). Defaults to `console` for warn/error. */
  logger?: Logger;
  /** Called as each daily run of this process starts and ends (metrics, tests). Errors it throws are ignored. */
  onRun?: (event: FleetRunEvent) => void;
}

/** A daily run of this process starting or ending. */
export interface FleetRunEvent {
  /** `started` once the jitter wait is over, `finished` once the run has ended. */
  type: 'started' | 'finished';
  /** The district. */
  district: string;
  /** The slot. */
  slot: string;
  /** How it ended (`finished` only). */
  outcome?: ScheduledRunOutcome;
}

/** One scheduler per process over many districts (see `createFleetScheduler`). */
export interface FleetScheduler {
  /** Starts ticking (the first tick at once). Safe to call twice. */
  start(): Promise<void>;
  /** Stops ticking and waits for the daily runs this process is running to end. */
  stop(): Promise<void>;
  /** One pass now: finds every district's due slot and offers the due ones to the runner. */
  tick(): Promise<void>;
  /** Daily runs this process is running now. */
  active(): number;
  /** Due runs this process knows of that no process has taken yet. */
  pending(): number;
  /** Whether this process is running a daily run of `district` now (a host closing idle instances asks this). */
  busy(district: string): boolean;
  /** Every district's automation health, in `listDistricts()` order. */
  health(): Promise<DistrictHealth[]>;
}

/** Districts whose due slot is looked for at once in a tick: enough to be quick, few enough to spare the pool. */
const SCAN_CONCURRENCY = 8;

/**
 * The daily job of a fleet: every process runs one, over every district. Each tick it works out
 * each district's due slot from its automation settings (the same slot times as the in-process
 * job), and offers the due ones, oldest first, to the runner, which claims each exactly once
 * fleet-wide and runs at most `maxConcurrentRuns` at a time in this process, after a random jitter.
 * A run no process has room for stays due (unclaimed) and is taken as soon as one has; when a run
 * ends the due ones are offered again at once. A slot older than `missedRunWindowMs` is skipped;
 * a claim whose server died is healed and its day run again, as the in-process job does.
 */
export function createFleetScheduler(options: FleetSchedulerOptions): FleetScheduler {
  const logger = options.logger ?? createConsoleLogger();
  const runner = options.runner ?? databaseRunner();
  const maxConcurrentRuns = options.maxConcurrentRuns ?? 2;
  const jitterMs = options.jitterMs ?? 30_000;
  const tickMs = options.tickMs ?? 60_000;
  const windowMs = options.missedRunWindowMs ?? 6 * 60 * 60 * 1000;
  const instanceName = options.instanceName ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  if (!Number.isInteger(maxConcurrentRuns) || maxConcurrentRuns < 1) throw new TypeError('createFleetScheduler: maxConcurrentRuns must be an integer of at least 1');
  if (!(jitterMs >= 0) || !(tickMs >= 100) || !(windowMs >= 0)) throw new TypeError('createFleetScheduler: jitterMs and missedRunWindowMs must be at least 0, tickMs at least 100');

  /** Due runs no process has taken yet, by id. */
  const due = new Map<string, DueRun>();
  /** Slots seen finished or taken, by district: not looked up again until the district's slot changes. */
  const settled = new Map<string, string>();
  /** Districts with a run of this process now. */
  const runningDistricts = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let started = false;
  let ticking: Promise<void> | null = null;
  let offering: Promise<void> | null = null;
  let offerAgain = false;

  async function handleOf(district: string): Promise<ScheduledDistrict> {
    const instance = await options.instanceFor(district);
    return 'forDistrict' in instance ? instance.forDistrict(district) : instance;
  }

  function slotOf(run: DueRun) {
    return { key: run.slotKey, at: new Date(run.slotAt), localDate: run.localDate };
  }

  const host: RunnerHost = {
    maxConcurrentRuns,
    jitterMs,
    instanceName,
    logger,
    async claim(run) {
      const handle = await handleOf(run.district);
      return handle.slots.claim(slotOf(run), instanceName, run.retry);
    },
    async execute(run) {
      runningDistricts.set(run.district, (runningDistricts.get(run.district) ?? 0) + 1);
      emit({ type: 'started', district: run.district, slot: run.slotKey });
      let outcome: ScheduledRunOutcome = 'error';
      try {
        const handle = await handleOf(run.district);
        // Settings read now (the kinds, the full-sync cadence): the day's run follows the latest ones.
        const settings = await handle.slots.settings();
        const result = await handle.slots.run(slotOf(run), settings, instanceName, run.retry);
        outcome = result.outcome ?? 'error';
      } catch (err) {
        logger.error('fleet daily sync failed', { district: run.district, slot: run.slotKey, error: errorForLog(err) });
      } finally {
        const left = (runningDistricts.get(run.district) ?? 1) - 1;
        if (left > 0) runningDistricts.set(run.district, left);
        else runningDistricts.delete(run.district);
        settled.set(run.district, run.slotKey);
        emit({ type: 'finished', district: run.district, slot: run.slotKey, outcome });
      }
    },
    capacityFreed() {
      if (started) void offer();
    },
  };

  function emit(event: FleetRunEvent): void {
    try {
      options.onRun?.(event);
    } catch {
      // A host's metrics hook never stops a run.
    }
  }

  /** Finds one district's due slot, if any, into `due`. */
  async function scanDistrict(district: string): Promise<void> {
    const handle = await handleOf(district);
    const known = settled.get(district);
    const found = await handle.slots.due(windowMs, 0, (slotKey) => slotKey === known);
    if ('status' in found) {
      // A claim a server holds now is looked at again each tick: should that server die, the claim
      // is healed and the day run again. A finished one is not looked up again.
      if (found.running) await handle.slots.heal();
      else if (found.slot && found.status !== 'nothing_due') settled.set(district, found.slot.key);
      return;
    }
    const run: DueRun = { district, slotKey: found.slot.key, slotAt: found.slot.at.toISOString(), localDate: found.slot.localDate, retry: found.retry };
    due.set(dueRunId(run), run);
  }

  async function scan(): Promise<void> {
    const districts = (await options.listDistricts()).map((key) => assertDistrictKey(key, 'listDistricts'));
    const listed = new Set(districts);
    for (const [id, run] of due) if (!listed.has(run.district)) due.delete(id);
    let next = 0;
    const worker = async () => {
      while (next < districts.length) {
        const district = districts[next++]!;
        if (runningDistricts.has(district)) continue;
        try {
          await scanDistrict(district);
        } catch (err) {
          logger.warn('fleet scheduler could not read a district', { district, error: errorForLog(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, districts.length) }, worker));
  }

  /** Offers the due runs, oldest first, to the runner; one offer at a time, another right after if asked meanwhile. */
  function offer(): Promise<void> {
    if (offering) {
      offerAgain = true;
      return offering;
    }
    offering = (async () => {
      do {
        offerAgain = false;
        const ordered = [...due.values()].sort((a, b) => a.slotAt.localeCompare(b.slotAt) || a.district.localeCompare(b.district));
        if (ordered.length === 0) break;
        try {
          for (const run of await runner.dispatch(ordered)) due.delete(dueRunId(run));
        } catch (err) {
          logger.warn('fleet runner could not take due runs', { runner: runner.name, error: errorForLog(err) });
        }
      } while (offerAgain && started);
    })().finally(() => {
      offering = null;
    });
    return offering;
  }

  function tick(): Promise<void> {
    ticking ??= (async () => {
      try {
        await scan();
      } catch (err) {
        logger.warn('fleet scheduler could not list the districts', { error: errorForLog(err) });
      }
      await offer();
    })().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  return {
    async start() {
      if (started) return;
      started = true;
      await runner.start(host);
      timer = setInterval(() => void tick(), tickMs);
      timer.unref();
      await tick();
    },
    async stop() {
      started = false;
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
      await offering;
      await runner.stop();
    },
    tick,
    active: () => runner.active(),
    pending: () => due.size,
    busy: (district) => runningDistricts.has(district),
    async health() {
      const health: DistrictHealth[] = [];
      for (const district of await options.listDistricts()) {
        const handle = await handleOf(assertDistrictKey(district, 'listDistricts'));
        // Named as the host names it, whatever key its instance files it under.
        health.push({ ...(await handle.health()), district });
      }
      return health;
    },
  };
}
