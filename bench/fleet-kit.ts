import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Sequelize } from 'sequelize';
import { encryptSecret } from '../server/config/secret-box';
import { decodeEncryptionKey } from '../server/options';
import type { FleetWorkerArgs } from './fleet-worker';

/** The encryption key of fleet databases: the seed seals with it, the workers read with it. */
export const FLEET_ENCRYPTION_KEY = '6a1f3c9e0b7d5a2f4e8c1b3d9a7f5e2c0d4b6a8f1e3c5d7b9a2f4e6c8d0b1a3f';

/** `fleet-000`, `fleet-001`, …: the districts of a fleet test or benchmark. */
export function fleetDistricts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `fleet-${String(i).padStart(3, '0')}`);
}

/** The UTC minute `at` falls in, as a daily time: a slot due now. */
export function dailyTimeOf(at: Date): string {
  return at.toISOString().slice(11, 16);
}

/** How one district's configuration reaches the sandbox: its OneRoster 1.1 root and OAuth 1.0a key. */
export interface FleetProvider {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

/**
 * Saves every district's provider configuration (the sandbox's OneRoster 1.1, its secret sealed for
 * that district, as a save through the API would) and daily automation due at `dailyTime` UTC, a
 * few hundred districts a statement: a fleet is set up in a moment, not by a connection test each.
 */
export async function seedFleet(sequelize: Sequelize, provider: FleetProvider, districts: string[], dailyTime: string): Promise<void> {
  const qi = sequelize.getQueryInterface();
  const key = decodeEncryptionKey(FLEET_ENCRYPTION_KEY);
  const { baseUrl, clientId, clientSecret } = provider;
  const now = new Date();
  const settings = JSON.stringify({ version: '1.1', auth: 'oauth1', baseUrl, clientId });
  for (let i = 0; i < districts.length; i += 250) {
    const slice = districts.slice(i, i + 250);
    await qi.bulkInsert('oneroster_config', slice.map((district) => ({
      district, provider: 'oneroster', settings, encrypted_secret: encryptSecret(clientSecret, key, district), enabled: true, created_at: now, updated_at: now,
    })));
    await qi.bulkInsert('oneroster_automation', slice.map((district) => ({
      district, student_import: true, staff_import: true, daily_time: dailyTime, timezone: 'UTC', full_sync_every: 7, paused: false,
      deactivate_missing: true, district_offices: true, created_at: now, updated_at: now,
    })));
  }
}

/** One daily run as a worker process saw it: when it started and ended, by that process's clock. */
export interface RunSpan {
  worker: string;
  district: string;
  start: number;
  end: number;
}

/** The most runs one worker had going at one moment. */
export function maxOverlap(spans: RunSpan[]): number {
  const edges = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as Array<[number, number]>);
  // At a tie an end comes first: a run that ends as another starts did not overlap it.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) {
    now += step;
    most = Math.max(most, now);
  }
  return most;
}

/** A fleet worker process (`fleet-worker.ts`) and what it has said. */
export interface FleetWorker {
  name: string;
  child: ChildProcessWithoutNullStreams;
  /** Its daily runs so far. */
  runs: RunSpan[];
  /** Resolves once it has said `event` (rejects if it exits first). */
  said(event: string): Promise<void>;
  exited: Promise<number | null>;
}

const WORKER = path.join(__dirname, 'fleet-worker.ts');
const PROJECT_ROOT = path.join(__dirname, '..');

/** Starts one fleet worker process (`node -r tsx/cjs`, no build step). */
export function spawnFleetWorker(args: FleetWorkerArgs): FleetWorker {
  const { name } = args;
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', WORKER, JSON.stringify(args)], { cwd: PROJECT_ROOT });
  const runs: RunSpan[] = [];
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: { event: string; district?: string; start?: number; end?: number };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return; // a stray line (a library's warning) is not an event
    }
    if (message.event === 'run') runs.push({ worker: name, district: message.district!, start: message.start!, end: message.end! });
    seen.add(message.event);
    waiters.get(message.event)?.();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    name,
    child,
    runs,
    exited,
    said: (event) =>
      seen.has(event)
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.set(event, resolve);
            void exited.then((code) => reject(new Error(`${name} exited ${code} before "${event}": ${stderr}`)));
          }),
  };
}

/** What `runFleet` needs: the database, the workers' settings, and how to tell the fleet is done. */
export interface FleetRound {
  url: string;
  workers: number;
  runner: FleetWorkerArgs['runner'];
  redisPort?: number;
  maxConcurrentRuns: number;
  /** Daily runs the fleet must end (one per district). */
  districts: number;
  /** How many daily claims have ended, read from the database. */
  endedClaims(): Promise<number>;
  /** Give up after this long, in ms. */
  timeoutMs: number;
}

/**
 * Starts the workers, lets them go at once, waits until every district's daily run has ended (in
 * the claims table and in the workers' reports), stops them, and says how long it took.
 */
export async function runFleet(round: FleetRound): Promise<{ workers: FleetWorker[]; elapsedMs: number }> {
  const queueName = `fleet-${Date.now()}`;
  const workers = Array.from({ length: round.workers }, (_, i) =>
    spawnFleetWorker({ url: round.url, name: `server-${i + 1}`, runner: round.runner, redisPort: round.redisPort, queueName, maxConcurrentRuns: round.maxConcurrentRuns }),
  );
  try {
    await Promise.all(workers.map((w) => w.said('ready')));
    const began = Date.now();
    for (const worker of workers) worker.child.stdin.write('go\n');
    const deadline = began + round.timeoutMs;
    const reported = () => workers.reduce((n, w) => n + w.runs.length, 0);
    while ((await round.endedClaims()) < round.districts || reported() < round.districts) {
      if (Date.now() > deadline) throw new Error(`the fleet did not finish within ${round.timeoutMs} ms (${reported()} of ${round.districts} runs reported)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const elapsedMs = Date.now() - began;
    for (const worker of workers) worker.child.stdin.write('stop\n');
    await Promise.all(workers.map((w) => w.said('stopped')));
    return { workers, elapsedMs };
  } finally {
    // Only the processes this round started, each by its own handle.
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
  }
}
