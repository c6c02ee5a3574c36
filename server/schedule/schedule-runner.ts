import { errorForLog, type Logger } from '../logger';

/** One district's daily slot that is due and not yet run: what a runner hands out. */
export interface DueRun {
  /** The district key. */
  district: string;
  /** The slot's key (`2025-03-09 02:00 America/Chicago`). */
  slotKey: string;
  /** When the slot was due (ISO 8601); runners start the oldest first. */
  slotAt: string;
  /** The slot's date in the district's timezone (`2025-03-09`): which day's run it is. */
  localDate: string;
  /** True when the slot's server died mid-run and the day is to be run again (its claim is taken over). */
  retry: boolean;
}

/** What the fleet scheduler gives its runner. */
export interface RunnerHost {
  /** Most daily runs this process runs at once. */
  readonly maxConcurrentRuns: number;
  /** Longest random wait before a run starts, in ms, so a minute's districts do not start in one second. */
  readonly jitterMs: number;
  /** Name of this process on claims. */
  readonly instanceName: string;
  /** The logger. */
  readonly logger: Logger;
  /**
   * Claims the run in the claims table (`oneroster_schedule_claims`): true for the one process in
   * the fleet that won it. Throws on a database error (nothing was claimed then).
   */
  claim(run: DueRun): Promise<boolean>;
  /** Runs a run this process claimed, to its end, recording its outcome on the claim. Never throws. */
  execute(run: DueRun): Promise<void>;
  /** Tells the fleet scheduler that capacity freed (a run ended), so due runs are offered again at once. */
  capacityFreed(): void;
}

/**
 * How due runs reach a process with capacity. The fleet scheduler finds what is due; a runner
 * decides which process runs it, at most `maxConcurrentRuns` at a time per process, each run
 * exactly once fleet-wide (the claim row is the proof either way: history and health read it).
 */
export interface ScheduleRunner {
  /** A name for logs (`database`, `bullmq`). */
  readonly name: string;
  /** Starts taking runs. */
  start(host: RunnerHost): Promise<void>;
  /**
   * Offers the due runs, oldest first. Returns the ones it is done with (taken by this process or
   * found taken by another, or handed to a queue); the rest stay due and are offered again.
   */
  dispatch(due: readonly DueRun[]): Promise<DueRun[]>;
  /** Runs this process is running now (jitter wait included). */
  active(): number;
  /** Stops taking runs and waits for the runs this process is running to end. */
  stop(): Promise<void>;
}

/** The key a run is known by in a runner: district and slot. */
export function dueRunId(run: Pick<DueRun, 'district' | 'slotKey'>): string {
  return `${run.district}|${run.slotKey}`;
}

/** A wait of up to `maxMs`, uniformly random (none when `maxMs` is 0). */
export function jitter(maxMs: number): Promise<void> {
  if (maxMs <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * maxMs)).unref?.());
}

/**
 * The default runner: the database's claims table, no new infrastructure. A process claims only
 * as many due runs as it has free capacity for (claiming is an INSERT only one process wins), so
 * the fleet spreads the work, and a run nobody has room for stays unclaimed until a process has.
 */
export function databaseRunner(): ScheduleRunner {
  let host: RunnerHost | null = null;
  let stopped = false;
  const running = new Map<string, Promise<void>>();

  return {
    name: 'database',
    async start(given) {
      host = given;
      stopped = false;
    },
    async dispatch(due) {
      if (!host || stopped) return [];
      const current = host;
      const done: DueRun[] = [];
      for (const run of due) {
        if (running.size >= current.maxConcurrentRuns) break;
        const id = dueRunId(run);
        if (running.has(id)) {
          done.push(run);
          continue;
        }
        let won: boolean;
        try {
          won = await current.claim(run);
        } catch (err) {
          current.logger.warn('daily sync claim failed; offered again at the next tick', { district: run.district, slot: run.slotKey, error: errorForLog(err) });
          continue;
        }
        done.push(run);
        if (!won) continue;
        const work = jitter(current.jitterMs)
          .then(() => current.execute(run))
          .finally(() => {
            running.delete(id);
            current.capacityFreed();
          });
        running.set(id, work);
      }
      return done;
    },
    active: () => running.size,
    async stop() {
      stopped = true;
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
