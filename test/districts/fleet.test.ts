import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createOneRoster } from '../../server';
import { dailyTimeOf, FLEET_ENCRYPTION_KEY, fleetDistricts, maxOverlap, runFleet, seedFleet } from '../../bench/fleet-kit';
import { createScratchDatabase, testDatabases, type ScratchDatabase } from '../helpers/databases';
import { createMemoryLogger } from '../helpers/app';
import { startTestRedis, type TestRedis } from '../../bench/redis-server';

/**
 * The fleet proof (issue 19): three server processes share one database, every district's daily
 * run is due in the same minute, and each process may run two at a time. Every district runs
 * exactly once, no process runs more than two at any moment, and all finish, with either runner.
 * `npm run bench -- --fleet` runs the full 500 districts × 200 people and reports the time; this
 * is the same shape, smaller, so `npm test` stays affordable on two cores. Nothing here is timed.
 */
const DISTRICTS = 24;
const WORKERS = 3;
const CAP = 2;

// Several servers share one MySQL/MariaDB database; SQLite is one process by nature (the
// database-per-district test covers SQLite).
const onMariaDb = testDatabases().includes('mariadb') ? describe : describe.skip;

onMariaDb('a fleet of three servers over many districts due in one minute [mariadb]', () => {
  let sandbox: Sandbox;
  let redis: TestRedis;
  let db: ScratchDatabase;

  beforeAll(async () => {
    // 200 people a district: 180 students and 20 staff.
    sandbox = await startSandbox({ students: 180, staff: 20, guardians: 0, schools: 3, seed: 5 });
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    await sandbox?.close();
  });
  beforeEach(async () => {
    db = await createScratchDatabase('mariadb');
    const oneroster = createOneRoster({ sequelize: db.sequelize, encryptionKey: FLEET_ENCRYPTION_KEY, logger: createMemoryLogger() });
    await oneroster.migrate();
    await oneroster.close();
  });
  afterEach(() => db.drop());

  const query = async (sql: string) => (await db.sequelize.query(sql, { type: 'SELECT' })) as Array<Record<string, unknown>>;

  async function proveFleet(runner: 'database' | 'bullmq'): Promise<void> {
    const districts = fleetDistricts(DISTRICTS);
    await seedFleet(db.sequelize, sandbox.credentials.oneroster11, districts, dailyTimeOf(new Date()));
    const { workers } = await runFleet({
      url: db.url,
      workers: WORKERS,
      runner,
      redisPort: redis.port,
      maxConcurrentRuns: CAP,
      districts: DISTRICTS,
      endedClaims: async () => Number((await query("SELECT COUNT(*) AS n FROM oneroster_schedule_claims WHERE outcome <> 'running'"))[0]!.n),
      timeoutMs: 240_000,
    });

    // Exactly once: one claim per district, one building run and one user run each.
    const claims = await query('SELECT district, outcome, claimed_by FROM oneroster_schedule_claims ORDER BY district');
    expect(claims.map((c) => [c.district, c.outcome])).toEqual(districts.map((d) => [d, 'succeeded']));
    const runs = await query("SELECT district, kind, COUNT(*) AS n FROM oneroster_runs WHERE run_trigger = 'schedule' GROUP BY district, kind");
    expect(runs).toHaveLength(DISTRICTS * 2);
    expect(runs.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(workers.flatMap((w) => w.runs.map((r) => r.district)).sort()).toEqual(districts);
    // Within its cap at every moment, each server; and the claims name the server that ran them.
    expect(workers.map((w) => [w.name, maxOverlap(w.runs) <= CAP])).toEqual(workers.map((w) => [w.name, true]));
    for (const worker of workers) {
      expect(claims.filter((c) => c.claimed_by === worker.name).map((c) => c.district).sort()).toEqual(worker.runs.map((r) => r.district).sort());
    }
    // Each district's people are its own: the same 200 in each, once.
    const people = await query('SELECT district, COUNT(*) AS n FROM oneroster_students GROUP BY district');
    expect(people).toHaveLength(DISTRICTS);
    expect(new Set(people.map((p) => Number(p.n))).size).toBe(1);
  }

  it('with the database runner: every district once, at most two at a time per server, all finished', async () => {
    await proveFleet('database');
  }, 300_000);

  it('with the BullMQ runner: every district once, at most two at a time per server, all finished', async () => {
    await proveFleet('bullmq');
  }, 300_000);
});
