import { errorForLog } from '../logger';
import { dueRunId, type DueRun, type RunnerHost, type ScheduleRunner } from './schedule-runner';

/** Settings of `bullmqRunner`. */
export interface BullmqRunnerOptions {
  /**
   * The Redis connection, as BullMQ takes it (`{ host, port, password, … }` of ioredis, or an
   * ioredis instance). Required.
   */
  connection: Record<string, unknown>;
  /** The queue's name. Defaults to `oneroster-daily`. */
  queueName?: string;
  /** BullMQ's key prefix in Redis. Defaults to BullMQ's (`bull`). */
  prefix?: string;
  /** How long completed jobs are kept (their ids are what makes an enqueue happen once), in seconds. Defaults to 2 days. */
  keepFinishedSeconds?: number;
}

/** The slice of BullMQ this runner uses (typed here, so hosts without BullMQ never need its types). */
interface BullQueue {
  addBulk(jobs: Array<{ name: string; data: DueRun; opts: Record<string, unknown> }>): Promise<unknown>;
  close(): Promise<void>;
}
interface BullWorker {
  close(): Promise<void>;
  on(event: 'failed', listener: (job: unknown, err: Error) => void): unknown;
}
interface BullModule {
  Queue: new (name: string, options: Record<string, unknown>) => BullQueue;
  Worker: new (name: string, processor: (job: { data: DueRun }) => Promise<void>, options: Record<string, unknown>) => BullWorker;
}

/**
 * A BullMQ id for a due run: deterministic, so every process enqueueing the same district's slot
 * makes one job (BullMQ ignores an add whose id exists). BullMQ ids may not contain `:`.
 */
export function bullmqJobId(run: Pick<DueRun, 'district' | 'slotKey' | 'retry'>, retryRound: number): string {
  const id = dueRunId(run).replace(/:/g, '.');
  return run.retry ? `${id}|retry-${retryRound}` : id;
}

/**
 * A runner over a BullMQ queue in Redis, for fleets that want its queues, rate limits and
 * dashboards: every process enqueues the due runs with a deterministic job id (so each is queued
 * once), and a Worker in each process takes at most `maxConcurrentRuns` at a time, each after a
 * random delay (the jitter). The worker still claims the slot in the database before running it,
 * so history and health read the claim as with the database runner, and a run is never run twice
 * even if Redis loses a job's record. `bullmq` is an optional peer dependency, loaded only when
 * this runner starts.
 */
export function bullmqRunner(options: BullmqRunnerOptions): ScheduleRunner {
  const queueName = options.queueName ?? 'oneroster-daily';
  const keepSeconds = options.keepFinishedSeconds ?? 2 * 24 * 60 * 60;
  const shared = options.prefix ? { prefix: options.prefix } : {};
  let queue: BullQueue | null = null;
  let worker: BullWorker | null = null;
  let host: RunnerHost | null = null;
  let running = 0;

  return {
    name: 'bullmq',
    async start(given) {
      host = given;
      const bull = (await import('bullmq')) as unknown as BullModule;
      queue = new bull.Queue(queueName, { connection: options.connection, ...shared });
      worker = new bull.Worker(
        queueName,
        async (job) => {
          running += 1;
          try {
            // The claim is the exactly-once proof the rest of the module reads; a lost one means
            // another process (or runner) has the day already.
            if (await given.claim(job.data)) await given.execute(job.data);
          } finally {
            running -= 1;
            given.capacityFreed();
          }
        },
        { connection: options.connection, concurrency: given.maxConcurrentRuns, ...shared },
      );
      worker.on('failed', (_job, err) => given.logger.warn('bullmq daily sync job failed', { error: errorForLog(err) }));
    },
    async dispatch(due) {
      if (!queue || !host) return [];
      // A retry (a day whose server died) is a new job each tick round; the claim decides who runs it.
      const round = Math.floor(Date.now() / 60_000);
      await queue.addBulk(
        due.map((run) => ({
          name: 'daily-sync',
          data: run,
          opts: {
            jobId: bullmqJobId(run, round),
            delay: host!.jitterMs > 0 ? Math.floor(Math.random() * host!.jitterMs) : 0,
            removeOnComplete: { age: keepSeconds },
            // A job fails only when its claim could not be written (the database was away): gone at
            // once, so the next tick enqueues the run again instead of the kept id swallowing it.
            removeOnFail: true,
          },
        })),
      );
      return [...due];
    },
    active: () => running,
    async stop() {
      // Worker.close waits for the jobs in progress to finish.
      await worker?.close();
      await queue?.close();
      worker = null;
      queue = null;
    },
  };
}
