import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import type { SandboxCredentials } from '../examples/oneroster-sandbox';
import type { UserIdStyle } from '../examples/oneroster-sandbox/ids';
import { ask, compileBenchWorker, exited, forkCompiled, forkTs, PROJECT_ROOT } from './child-process';
import { findDatabaseServerPid, processCpuSeconds } from './process-cpu';
import { createScratchDatabase } from './scratch-database';
import type { BenchDatabase, WorkerJob, WorkerResult, WorkerStep } from './worker';

/** Scenarios the benchmark can run. */
export type Scenario = 'initial' | 'resync' | 'delta' | 'baselines' | 'latency';

/** Latency of every `/users` page in the latency scenario, in ms (a provider across the internet). */
export const PAGE_LATENCY_MS = 150;

/** Databases the benchmark can run on. */
export type DatabaseName = BenchDatabase['dialect'];

/** What to run. */
export interface BenchOptions {
  /** District sizes (people in `/users`). */
  users: number[];
  databases: DatabaseName[];
  scenarios: Scenario[];
  /** How user sourcedIds look: each style is a round of its own. Defaults to `['short']`. */
  idStyles?: UserIdStyle[];
  /** Share of people changed before the delta re-sync. Defaults to 0.01. */
  deltaFraction?: number;
  /** Rounds per size and database (fresh database and sandbox each); each step reports its median. Defaults to 1. */
  repeat?: number;
  /** Write a V8 CPU profile of every measured sync worker into this directory. */
  cpuProfileDir?: string;
  /**
   * The workers' V8 heap limit in MB (`--max-old-space-size`), as a host may start Node with.
   * Unset: Node's default for the machine (~4 GB here), under which V8 lets the heap grow to four
   * times its live data between full collections (bench/README.md, "Why the heap is four times
   * its live data"); under 2 GB it grows less.
   */
  heapLimitMb?: number;
  /**
   * Write a memory timeline of every measured sync worker into this directory
   * (`<db>-<users>-<step>.memory.tsv`, see `memoryLine`): where the peak RSS went, part by part.
   */
  memoryLogDir?: string;
  /** Progress lines (defaults to stderr). */
  log?: (line: string) => void;
}

/** One measured row. */
export interface BenchRow {
  database: DatabaseName;
  users: number;
  /** How the district's user sourcedIds look. */
  idStyle: UserIdStyle;
  /**
   * `initial`, `resync`, `delta`, `fetch` (fetch-only baseline), `write` (write-only baseline),
   * or with 150 ms per page: `slow-fetch-serial` (serial fetch-only baseline) and `slow-initial`.
   */
  step: Exclude<WorkerStep, 'setup'>;
  wallSeconds: number;
  /** District users per wall second. */
  usersPerSecond: number;
  /** Roster rows written (syncs, write) or records pulled (fetch). */
  records: number;
  peakRssMb: number;
  /** Peak V8 heap in use during the step (live data plus uncollected garbage), sampled. */
  peakHeapMb: number;
  queries: number;
  queriesPer1000Users: number;
  /** CPU seconds of the measured process, the sandbox process and the database server during the step. */
  cpu: { worker: number; sandbox: number | null; database: number | null };
  /** 1-minute load average before and after the step. */
  load: [number, number];
  /** Wall seconds of every round, when the step ran more than once (`wallSeconds` is their median). */
  wallSamples?: number[];
  /** Initial sync only: wall / (fetch only + write only). */
  ratioToBaseline?: number;
  /** Latency initial sync only: wall / serial fetch-only wall of the same slow pages. */
  ratioToSerialFetch?: number;
  /** The worker's full result (run counts, queries by shape and phase). */
  detail: WorkerResult;
}

/** Everything a benchmark run measured. */
export interface BenchReport {
  date: string;
  machine: { cores: number; memoryGiB: number; node: string };
  options: Omit<BenchOptions, 'log'>;
  rows: BenchRow[];
}

/** Seed of the 1 % change, so every run changes the same people. */
const CHANGE_SEED = 2026;

/**
 * Runs the benchmark: for each size and database, `repeat` rounds of a fresh scratch database and a
 * sandbox process, then each step in its own worker process, in an order where each step finds the
 * state it needs (initial → re-sync → 1 % change → delta → fetch only → write only, which empties
 * the roster).
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const wanted = new Set(options.scenarios);
  const { log: _log, ...asked } = options;
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    options: asked,
    rows: [],
  };
  const databasePid = findDatabaseServerPid();
  log('compiling the measured worker');
  compileBenchWorker();
  const repeat = options.repeat ?? 1;
  if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
  if (options.memoryLogDir) mkdirSync(options.memoryLogDir, { recursive: true });

  for (const idStyle of options.idStyles ?? ['short']) {
    for (const users of options.users) {
      for (const dialect of options.databases) {
        const samples: BenchRow[][] = [];
        for (let round = 1; round <= repeat; round++) {
          const tag = `[${dialect} ${users.toLocaleString('en-US')}${idStyle === 'short' ? '' : ` ${idStyle}`}${repeat > 1 ? ` #${round}` : ''}]`;
          samples.push(await measureSize({
            users, dialect, idStyle, wanted, deltaFraction: options.deltaFraction ?? 0.01, databasePid, cpuProfileDir: options.cpuProfileDir, memoryLogDir: options.memoryLogDir,
            nodeFlags: options.heapLimitMb ? [`--max-old-space-size=${options.heapLimitMb}`] : [], log: (line) => log(`${tag} ${line}`),
          }));
        }
        report.rows.push(...medianRows(samples));
      }
    }
  }
  return report;
}

/** One round at one size on one database: a fresh scratch database and sandbox, every wanted step. */
async function measureSize(round: {
  users: number;
  dialect: DatabaseName;
  idStyle: UserIdStyle;
  wanted: Set<Scenario>;
  deltaFraction: number;
  databasePid: number | null;
  cpuProfileDir?: string;
  memoryLogDir?: string;
  /** Node flags every worker of the round starts with. */
  nodeFlags: string[];
  log: (line: string) => void;
}): Promise<BenchRow[]> {
  const { users, dialect, idStyle, wanted, log } = round;
  const database = await createScratchDatabase(dialect);
  const sandbox = forkTs('sandbox-process.ts');
  try {
    log('starting the sandbox');
    const { credentials } = await ask<{ credentials: SandboxCredentials }>(sandbox, { type: 'start', users, idStyle }, 'ready');
    const job = (step: WorkerStep): WorkerJob => ({ step, database, users, provider: credentials.oneroster12, idStyle });
    const measure = async (step: Exclude<WorkerStep, 'setup'>): Promise<BenchRow> => {
      log(`${step} (load ${loadavg()[0]!.toFixed(2)})`);
      const row = await measureStep(job(step), idStyle, sandbox, round.databasePid, round.nodeFlags, round);
      log(`${step}: ${row.wallSeconds.toFixed(2)} s, ${row.records} records, peak RSS ${row.peakRssMb.toFixed(0)} MB, ${row.queries} queries`);
      return row;
    };

    await runWorker(job('setup'), round.nodeFlags);
    const rows: BenchRow[] = [];
    const needsRoster = wanted.has('resync') || wanted.has('delta');
    if (wanted.has('initial') || needsRoster) {
      const initial = await measure('initial');
      if (wanted.has('initial')) rows.push(initial);
    }
    if (wanted.has('resync')) rows.push(await measure('resync'));
    if (wanted.has('delta')) {
      const { count } = await ask<{ count: number }>(sandbox, { type: 'change', fraction: round.deltaFraction, seed: CHANGE_SEED }, 'changed');
      log(`changed ${count} people`);
      rows.push(await measure('delta'));
    }
    if (wanted.has('baselines')) rows.push(await measure('fetch'), await measure('write'));
    if (wanted.has('latency')) {
      await ask(sandbox, { type: 'latency', delayMs: PAGE_LATENCY_MS }, 'latency');
      rows.push(await measure('slow-fetch-serial'), await measure('slow-initial'));
      await ask(sandbox, { type: 'latency', delayMs: 0 }, 'latency');
    }
    return rows;
  } finally {
    await ask(sandbox, { type: 'stop' }, 'stopped').catch(() => sandbox.kill());
    await exited(sandbox);
    await database.drop();
  }
}

/**
 * Per step, the round with the median wall time (the lower one of two), with every round's wall
 * time kept; then the initial sync's ratio to the median baselines.
 */
export function medianRows(samples: BenchRow[][]): BenchRow[] {
  const rows = samples[0]!.map((first) => {
    const all = samples.map((rows) => rows.find((row) => row.step === first.step)!).sort((a, b) => a.wallSeconds - b.wallSeconds);
    const median = all[Math.floor((all.length - 1) / 2)]!;
    return { ...median, wallSamples: samples.map((rows) => rows.find((row) => row.step === first.step)!.wallSeconds) };
  });
  const step = (name: BenchRow['step']) => rows.find((row) => row.step === name);
  const [initial, fetch, write] = [step('initial'), step('fetch'), step('write')];
  if (initial && fetch && write) initial.ratioToBaseline = initial.wallSeconds / (fetch.wallSeconds + write.wallSeconds);
  const [slowInitial, slowFetch] = [step('slow-initial'), step('slow-fetch-serial')];
  if (slowInitial && slowFetch) slowInitial.ratioToSerialFetch = slowInitial.wallSeconds / slowFetch.wallSeconds;
  return rows;
}

/** Runs one step in a fresh worker and turns its result into a row with the other processes' CPU. */
async function measureStep(
  job: WorkerJob, idStyle: UserIdStyle, sandbox: ChildProcess, databasePid: number | null, nodeFlags: string[],
  { cpuProfileDir, memoryLogDir }: { cpuProfileDir?: string; memoryLogDir?: string },
): Promise<BenchRow> {
  const sandboxCpu = () => ask<{ seconds: number }>(sandbox, { type: 'cpu' }, 'cpu').then((m) => m.seconds);
  const loadBefore = loadavg()[0]!;
  const sandboxBefore = await sandboxCpu();
  const databaseBefore = processCpuSeconds(databasePid);
  const isSync = job.step === 'initial' || job.step === 'resync' || job.step === 'delta' || job.step === 'slow-initial';
  const profileName = `${job.database.dialect}-${job.users}${idStyle === 'short' ? '' : `-${idStyle}`}-${job.step}`;
  // Each thread writes its own profile (Node may start helper threads), so the worker profiles
  // into a directory of its own and the main thread's file is kept afterwards.
  const profileDir = cpuProfileDir && isSync ? path.resolve(PROJECT_ROOT, cpuProfileDir, `${profileName}.threads`) : null;
  const memoryLog = memoryLogDir && isSync ? path.resolve(PROJECT_ROOT, memoryLogDir, `${profileName}.memory.tsv`) : undefined;
  const result = await runWorker({ ...job, memoryLog }, [...nodeFlags, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])]);
  if (profileDir) keepMainThreadProfile(profileDir, path.join(path.dirname(profileDir), `${profileName}.cpuprofile`));
  const databaseAfter = processCpuSeconds(databasePid);
  const wallSeconds = result.wallMs / 1000;
  return {
    database: job.database.dialect,
    users: job.users,
    idStyle,
    step: job.step as BenchRow['step'],
    wallSeconds,
    usersPerSecond: job.users / wallSeconds,
    records: result.records,
    peakRssMb: result.maxRssMb,
    peakHeapMb: result.peakHeapUsedMb,
    queries: result.queries.total,
    queriesPer1000Users: (result.queries.total / job.users) * 1000,
    cpu: {
      worker: result.cpuSeconds,
      // Includes the few ms between the step's end and this read.
      sandbox: (await sandboxCpu()) - sandboxBefore,
      database: databaseBefore === null || databaseAfter === null || job.database.dialect !== 'mariadb' ? null : databaseAfter - databaseBefore,
    },
    load: [loadBefore, loadavg()[0]!],
    detail: result,
  };
}

/** Moves the main thread's profile (thread id 0 in Node's default name) to `target`, drops the rest. */
function keepMainThreadProfile(dir: string, target: string): void {
  const main = readdirSync(dir).find((file) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(file));
  if (main) renameSync(path.join(dir, main), target);
  rmSync(dir, { recursive: true, force: true });
}

/** Forks a worker for one step and waits for its result. */
async function runWorker(job: WorkerJob, execArgv: string[] = []): Promise<WorkerResult> {
  const worker = forkCompiled('worker.ts', [], execArgv);
  try {
    const { result } = await ask<{ result: WorkerResult }>(worker, { type: 'run', job }, 'result');
    return result;
  } finally {
    await exited(worker);
  }
}
