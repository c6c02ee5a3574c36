/**
 * `npm run bench -- --fleet [options]`: many districts' daily runs due in one minute, spread over
 * several server processes sharing one MariaDB database (issue 19). Reports how long the fleet took
 * to run every district once, with each runner, and checks it ran each exactly once within the cap.
 *   --districts 500     districts (default 500)
 *   --people 200        people per district from the sandbox, 90 % students (default 200)
 *   --workers 3         server processes (default 3)
 *   --cap 2             daily runs at once per process (default 2)
 *   --runner database,bullmq   runners, a round each (default both)
 */
import { parseArgs } from 'node:util';
import { Sequelize } from 'sequelize';
import { startSandbox } from '../examples/oneroster-sandbox';
import { createOneRoster } from '../server';
import { dailyTimeOf, FLEET_ENCRYPTION_KEY, fleetDistricts, maxOverlap, runFleet, seedFleet } from './fleet-kit';
import { startTestRedis } from './redis-server';
import { createScratchDatabase } from './scratch-database';

/** One runner's round: how long, and whether it kept its promises. */
export interface FleetResult {
  runner: 'database' | 'bullmq';
  districts: number;
  people: number;
  workers: number;
  cap: number;
  seconds: number;
  /** Districts whose daily run did not happen exactly once (0 when all is well). */
  notExactlyOnce: number;
  /** The most runs any one process had going at once. */
  maxOverlap: number;
}

/** Reads the `--fleet` flags. */
export function parseFleetArguments(argv: string[]): { districts: number; people: number; workers: number; cap: number; runners: Array<'database' | 'bullmq'> } {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({ args: argv, strict: true, options: { fleet: { type: 'boolean' }, districts: text, people: text, workers: text, cap: text, runner: text } });
  const count = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: not a count: ${value}`);
    return n;
  };
  const runners = (values.runner ?? 'database,bullmq').split(',').map((s) => s.trim()).filter(Boolean);
  for (const runner of runners) if (runner !== 'database' && runner !== 'bullmq') throw new Error(`--runner: unknown runner ${runner} (database, bullmq)`);
  return {
    districts: count('districts', values.districts, 500),
    people: count('people', values.people, 200),
    workers: count('workers', values.workers, 3),
    cap: count('cap', values.cap, 2),
    runners: runners as Array<'database' | 'bullmq'>,
  };
}

/** Runs the fleet rounds and prints a table. */
export async function runFleetBench(argv: string[]): Promise<FleetResult[]> {
  const options = parseFleetArguments(argv);
  const students = Math.round(options.people * 0.9);
  const sandbox = await startSandbox({ students, staff: options.people - students, guardians: 0, schools: 3, seed: 19 });
  const redis = options.runners.includes('bullmq') ? await startTestRedis() : null;
  const results: FleetResult[] = [];
  try {
    for (const runner of options.runners) {
      const scratch = await createScratchDatabase('mariadb');
      const sequelize = new Sequelize(scratch.location, { logging: false });
      try {
        const oneroster = createOneRoster({ sequelize, encryptionKey: FLEET_ENCRYPTION_KEY, logger: { debug() {}, info() {}, warn() {}, error() {} } });
        await oneroster.migrate();
        await oneroster.close();
        const districts = fleetDistricts(options.districts);
        await seedFleet(sequelize, sandbox.credentials.oneroster11, districts, dailyTimeOf(new Date()));
        const count = async (sql: string) => Number(((await sequelize.query(sql, { type: 'SELECT' })) as Array<{ n: number }>)[0]!.n);
        const { workers, elapsedMs } = await runFleet({
          url: scratch.location, workers: options.workers, runner, redisPort: redis?.port, maxConcurrentRuns: options.cap, districts: districts.length,
          endedClaims: () => count("SELECT COUNT(*) AS n FROM oneroster_schedule_claims WHERE outcome <> 'running'"),
          timeoutMs: 60 * 60_000,
        });
        const once = await count(
          "SELECT COUNT(*) AS n FROM (SELECT district FROM oneroster_runs WHERE run_trigger = 'schedule' GROUP BY district HAVING COUNT(*) = 2) AS good",
        );
        results.push({
          runner, districts: districts.length, people: options.people, workers: options.workers, cap: options.cap,
          seconds: Math.round(elapsedMs / 100) / 10,
          notExactlyOnce: districts.length - once,
          maxOverlap: Math.max(...workers.map((w) => maxOverlap(w.runs))),
        });
      } finally {
        await sequelize.close();
        await scratch.drop();
      }
    }
  } finally {
    await redis?.stop();
    await sandbox.close();
  }
  const lines = [
    '| runner | districts | people each | processes | cap | seconds | not exactly once | most at once in a process |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.runner} | ${r.districts} | ${r.people} | ${r.workers} | ${r.cap} | ${r.seconds} | ${r.notExactlyOnce} | ${r.maxOverlap} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return results;
}
