/**
 * One measured step of the benchmark, in its own process so its peak RSS is the step's own.
 * The harness forks it, sends `{type:'run', job}` and receives `{type:'result', result}`.
 *
 * Steps: `setup` (migrate, save the provider configuration through the module's router, sync
 * buildings; not timed), the syncs `initial`, `resync` and `delta` (the module's own
 * `startUserSync` + `waitForRun`, the Sync Users button's path), and the baselines `fetch`
 * (pull and parse every page through the provider client, write nothing) and `write` (insert
 * pre-generated rows with plain multi-row INSERTs).
 */
import express from 'express';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { Sequelize } from 'sequelize';
import type { SandboxOAuth2Credentials } from '../examples/oneroster-sandbox';
import type { UserIdStyle } from '../examples/oneroster-sandbox/ids';
import { createOneRoster, type OneRoster } from '../server';
import type { RunView } from '../server/domain/contract';
import type { Logger } from '../server/logger';
import { resolveOptions, type OneRosterOptions } from '../server/options';
import { createProviderConnection } from '../server/providers';
import type { ProviderSettings } from '../server/providers/types';
import { countQueries, type QueryCounts } from './query-counter';
import { emptyPeopleTables, prepareRosterRows, writeRosterRows } from './write-baseline';

/**
 * Steps a worker can run. The latency steps run while the sandbox answers every page of `/users`
 * 150 ms late: `slow-fetch-serial` (fetch only, one page at a time: what any serial reader waits)
 * and `slow-initial` (an initial sync into an emptied roster, at the default concurrency).
 */
export type WorkerStep = 'setup' | 'initial' | 'resync' | 'delta' | 'fetch' | 'write' | 'slow-fetch-serial' | 'slow-initial';

/** A database another process can open. */
export interface BenchDatabase {
  dialect: 'mariadb' | 'sqlite';
  /** `mysql://…/schema` or the SQLite file path. */
  location: string;
}

/** What the harness asks a worker to do. */
export interface WorkerJob {
  step: WorkerStep;
  database: BenchDatabase;
  /** District size (people in `/users`). */
  users: number;
  /** The sandbox's OneRoster 1.2 OAuth2 client. */
  provider: SandboxOAuth2Credentials;
  /** How the district's user sourcedIds look (the write baseline rebuilds the same rows). */
  idStyle: UserIdStyle;
  /** Where to write the step's memory timeline (`memoryLine` every `MEMORY_LOG_EVERY_MS`), if anywhere. */
  memoryLog?: string;
}

/** Page requests in flight of the serial baseline. */
const SERIAL = 1;

/** What one step measured. */
export interface WorkerResult {
  step: WorkerStep;
  /** Wall time of the timed part, in ms. */
  wallMs: number;
  /** Roster rows written (syncs, write) or records pulled (fetch). */
  records: number;
  /** The run as the module reported it (syncs only). */
  run?: { id: number; status: string; mode: string; counts: unknown; issueCount: number; errorCode?: string | null };
  /** Statements sent to the database during the timed part. */
  queries: QueryCounts;
  /** Peak resident set of this process over its whole life, in MB. */
  maxRssMb: number;
  /**
   * Peak V8 heap in use (live data plus garbage not yet collected) and peak memory outside the
   * heap (Buffers, driver memory), sampled every 50 ms during the timed part, in MB. Set against
   * the peak RSS they tell data the step holds from memory the allocator merely has not returned.
   */
  peakHeapUsedMb: number;
  peakExternalMb: number;
  /** This process's CPU time during the timed part, in seconds. */
  cpuSeconds: number;
  /** V8's heap limit in this process, in MB (Node's default for the machine, or the bench's `--heap-limit`). */
  heapLimitMb: number;
}

/** Fixed benchmark key: secrets encrypted at rest need one; nothing real is protected by it. */
const BENCH_KEY = '62656e63682d6b65792d6e6f742d612d7365637265742d6a7573742d62797465';
const ADMIN = { id: 'bench', name: 'Benchmark' };

/** Logs warnings and errors only (never records). */
function quietLogger(): Logger {
  const out = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    process.stderr.write(`[bench worker] ${level} ${message} ${meta ? JSON.stringify(meta) : ''}\n`);
  return { debug: () => {}, info: () => {}, warn: out('warn'), error: out('error') };
}

function openDatabase(database: BenchDatabase): Sequelize {
  if (database.dialect === 'sqlite') return new Sequelize({ dialect: 'sqlite', storage: database.location, logging: false });
  return new Sequelize(database.location, { dialect: 'mysql', logging: false, pool: { max: 10 } });
}

function moduleOptions(sequelize: Sequelize, logger: Logger, onRunFinished?: OneRosterOptions['onRunFinished']): OneRosterOptions {
  return {
    sequelize,
    encryptionKey: BENCH_KEY,
    logger,
    network: { allowHttp: 'loopback', allowLoopback: true },
    onRunFinished,
  };
}

/** Saves the provider configuration the way the settings page does: `PUT /config` through the router. */
async function saveConfiguration(oneroster: OneRoster, provider: SandboxOAuth2Credentials): Promise<void> {
  const app = express();
  app.use((req, _res, next) => {
    Object.assign(req, { user: { ...ADMIN, permissions: ['manage_settings'] } });
    next();
  });
  app.use('/oneroster', oneroster.router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/oneroster/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'oneroster', version: '1.2', auth: 'oauth2', ...provider }),
    });
    if (response.status !== 200) throw new Error(`saving the configuration answered ${response.status}: ${await response.text()}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Runs one step and measures it. */
export async function runStep(job: WorkerJob): Promise<WorkerResult> {
  const sequelize = openDatabase(job.database);
  const logger = quietLogger();
  const counter = countQueries(sequelize);
  const finishedAt = new Map<number, number>();
  const oneroster = createOneRoster(moduleOptions(sequelize, logger, (run) => void finishedAt.set(run.id, performance.now())));
  let cpuStart = process.cpuUsage();
  let started = 0;
  const memory = sampleMemory(job.memoryLog);
  const measured = (records: number, wallMs: number, run?: WorkerResult['run']): WorkerResult => {
    const cpu = process.cpuUsage(cpuStart);
    const peaks = memory.stop();
    return {
      step: job.step, wallMs, records, run, queries: counter.read(),
      maxRssMb: process.resourceUsage().maxRSS / 1024, ...peaks, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      heapLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20,
    };
  };
  const begin = () => {
    counter.reset();
    memory.start();
    cpuStart = process.cpuUsage();
    started = performance.now();
  };

  try {
    switch (job.step) {
      case 'setup': {
        begin();
        await oneroster.migrate();
        await saveConfiguration(oneroster, job.provider);
        const queued = await oneroster.sync.startBuildingSync({ trigger: 'manual', user: ADMIN });
        const run = await oneroster.sync.waitForRun(queued.id);
        if (run.status !== 'succeeded') throw new Error(`building sync ${run.status}: ${run.error?.message ?? ''}`);
        return measured(0, performance.now() - started);
      }
      case 'initial':
      case 'resync':
      case 'delta':
      case 'slow-initial': {
        // The latency scenario starts from an empty roster again (the write baseline filled it).
        if (job.step === 'slow-initial') await emptyPeopleTables(sequelize);
        begin();
        const queued = await oneroster.sync.startUserSync({ trigger: 'manual', user: ADMIN, mode: job.step === 'delta' ? 'delta' : 'full' });
        const run = await oneroster.sync.waitForRun(queued.id);
        // The run's own end (onRunFinished), not waitForRun's next poll, up to a second later.
        const end = finishedAt.get(run.id) ?? performance.now();
        await oneroster.close();
        const result = measured(rowsWritten(run.counts), end - started, {
          id: run.id, status: run.status, mode: run.mode, counts: run.counts, issueCount: run.issueCount, errorCode: run.error?.code ?? null,
        });
        if (run.status !== 'succeeded') throw new Error(`user sync ${run.status}: ${JSON.stringify(run.error ?? run.plan)}`);
        return result;
      }
      case 'fetch':
      case 'slow-fetch-serial': {
        const settings: ProviderSettings = { provider: 'oneroster', version: '1.2', auth: 'oauth2', ...job.provider };
        const base = moduleOptions(sequelize, logger);
        const options = resolveOptions(job.step === 'fetch' ? base : { ...base, http: { concurrency: SERIAL } }, logger);
        const connection = createProviderConnection(settings, { options, logger, clock: options.clock });
        begin();
        let records = 0;
        for await (const page of connection.users()) records += page.records.length;
        return measured(records, performance.now() - started);
      }
      case 'write': {
        const tables = await prepareRosterRows(sequelize, job.users, job.idStyle);
        await emptyPeopleTables(sequelize);
        begin();
        const written = await writeRosterRows(sequelize, tables);
        return measured(written, performance.now() - started);
      }
    }
  } finally {
    memory.stop();
    await oneroster.close().catch(() => {});
    await sequelize.close().catch(() => {});
  }
}

/** Samples heap and external memory on a timer (cheap: `memoryUsage()` reads counters); with a log file, keeps a timeline too. */
function sampleMemory(logFile?: string): { start(): void; stop(): { peakHeapUsedMb: number; peakExternalMb: number } } {
  let timer: NodeJS.Timeout | undefined;
  let heap = 0;
  let external = 0;
  let startedAt = 0;
  let lastLogged = -Infinity;
  let timeline: string[] = [];
  const sample = () => {
    const usage = process.memoryUsage();
    heap = Math.max(heap, usage.heapUsed);
    external = Math.max(external, usage.external);
    const now = performance.now();
    if (logFile && now - lastLogged >= MEMORY_LOG_EVERY_MS) {
      lastLogged = now;
      timeline.push(memoryLine((now - startedAt) / 1000, usage, getHeapSpaceStatistics()));
    }
  };
  return {
    start() {
      heap = 0;
      external = 0;
      startedAt = performance.now();
      lastLogged = -Infinity;
      timeline = [];
      sample();
      timer = setInterval(sample, 50);
      timer.unref();
    },
    stop() {
      if (timer) sample();
      clearInterval(timer);
      timer = undefined;
      // Written once at the end, so the log's own I/O is not in the measured part.
      if (logFile && timeline.length > 0) writeFileSync(logFile, [MEMORY_LOG_COLUMNS.join('\t'), ...timeline].join('\n') + '\n');
      timeline = [];
      return { peakHeapUsedMb: heap / 2 ** 20, peakExternalMb: external / 2 ** 20 };
    },
  };
}

/** How often the memory timeline gets a line. */
const MEMORY_LOG_EVERY_MS = 500;

/**
 * The memory timeline's columns, in MB: RSS and its parts that V8 knows of. `heap` is V8's committed
 * heap, `old`/`large` its old and large-object spaces (committed, then in use), `external` memory
 * outside the heap that V8 is told of (`buffers`, ArrayBuffers and Buffers, is part of it); RSS
 * minus heap and external is the rest (code, the C allocator's free memory, native libraries).
 */
export const MEMORY_LOG_COLUMNS = ['s', 'rss', 'heap', 'heap_used', 'old', 'old_used', 'large', 'large_used', 'external', 'buffers', 'rest'] as const;

/** One line of the memory timeline (see `MEMORY_LOG_COLUMNS`), tab-separated. */
export function memoryLine(seconds: number, usage: NodeJS.MemoryUsage, spaces: ReturnType<typeof getHeapSpaceStatistics>): string {
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const space = (name: string) => spaces.find((s) => s.space_name === name) ?? { space_size: 0, space_used_size: 0 };
  const old = space('old_space');
  const large = space('large_object_space');
  return [
    seconds.toFixed(1), mb(usage.rss), mb(usage.heapTotal), mb(usage.heapUsed), mb(old.space_size), mb(old.space_used_size),
    mb(large.space_size), mb(large.space_used_size), mb(usage.external), mb(usage.arrayBuffers), mb(usage.rss - usage.heapTotal - usage.external),
  ].join('\t');
}

/** Roster rows a run wrote (or would write): creates, updates, links, reactivations and deactivations. */
function rowsWritten(counts: RunView['counts']): number {
  let written = 0;
  for (const kind of Object.values(counts.kinds)) {
    if (kind) written += kind.created + kind.updated + kind.linked + kind.reactivated + kind.deactivated;
  }
  return written;
}

if (require.main === module) {
  process.once('message', (message: { type: 'run'; job: WorkerJob }) => {
    runStep(message.job).then(
      (result) => process.send!({ type: 'result', result }, () => process.exit(0)),
      (err: Error) => process.send!({ type: 'error', error: err.stack ?? err.message }, () => process.exit(1)),
    );
  });
}
