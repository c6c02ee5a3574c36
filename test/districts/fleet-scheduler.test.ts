import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createFleetScheduler, createOneRoster, databaseRunner, type OneRoster, type RunnerHost, type ScheduleRunner } from '../../server';
import { createScratchDatabase, describeEachDatabase, testDatabases, type ScratchDatabase } from '../helpers/databases';
import { createMemoryLogger } from '../helpers/app';
import { waitUntil } from '../helpers/wait-until';
import { dailyTimeOf, FLEET_ENCRYPTION_KEY, seedFleet } from '../../bench/fleet-kit';

/** Test options: the sandbox on loopback, quick retries. */
const NETWORK = { network: { allowHttp: 'loopback' as const, allowLoopback: true }, http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 10_000 } };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 30, schools: 2, seed: 3 });
});
afterAll(() => sandbox.close());

/** What a runner was asked to do and did, in order, with the claims table's row count at each claim. */
interface Step {
  step: 'claim' | 'start' | 'end';
  district: string;
  claimsBefore?: number;
}

/** The database runner, watched: every claim (and the claims already in the table then), start and end. */
function watchedRunner(countClaims: () => Promise<number>, steps: Step[]): ScheduleRunner {
  const inner = databaseRunner();
  return {
    ...inner,
    name: 'watched',
    start: (host: RunnerHost) =>
      inner.start({
        ...host,
        maxConcurrentRuns: host.maxConcurrentRuns,
        jitterMs: host.jitterMs,
        instanceName: host.instanceName,
        logger: host.logger,
        capacityFreed: () => host.capacityFreed(),
        async claim(run) {
          steps.push({ step: 'claim', district: run.district, claimsBefore: await countClaims() });
          return host.claim(run);
        },
        async execute(run) {
          steps.push({ step: 'start', district: run.district });
          await host.execute(run);
          steps.push({ step: 'end', district: run.district });
        },
      }),
    dispatch: (due) => inner.dispatch(due),
    active: () => inner.active(),
    stop: () => inner.stop(),
  };
}

describeEachDatabase('the fleet scheduler on one database', (db) => {
  let oneroster: OneRoster;
  const query = async (sql: string) => (await db().sequelize.query(sql, { type: 'SELECT' })) as Array<Record<string, unknown>>;
  const claimCount = async () => Number((await query('SELECT COUNT(*) AS n FROM oneroster_schedule_claims'))[0]!.n);

  beforeAll(async () => {
    oneroster = createOneRoster({ sequelize: db().sequelize, encryptionKey: FLEET_ENCRYPTION_KEY, logger: createMemoryLogger(), ...NETWORK });
    await oneroster.migrate();
  });
  afterAll(() => oneroster.close());

  it('claims only what it has room for: the rest stay due and unclaimed, and are taken oldest first as runs end', async () => {
    const districts = ['cap-a', 'cap-b', 'cap-c'];
    await seedFleet(db().sequelize, sandbox.credentials.oneroster11, districts, dailyTimeOf(new Date()));
    const steps: Step[] = [];
    const fleet = createFleetScheduler({
      listDistricts: async () => districts,
      instanceFor: () => oneroster,
      runner: watchedRunner(claimCount, steps),
      maxConcurrentRuns: 1,
      jitterMs: 0,
      tickMs: 60_000,
      logger: createMemoryLogger(),
    });
    await fleet.start();
    await waitUntil(async () => steps.filter((s) => s.step === 'end').length === 3, 60_000, 'three daily runs to end');
    await fleet.stop();

    // With room for one: claim, run, end, and only then the next claim, with nothing else claimed meanwhile.
    expect(steps.map((s) => `${s.step} ${s.district}`)).toEqual([
      'claim cap-a', 'start cap-a', 'end cap-a',
      'claim cap-b', 'start cap-b', 'end cap-b',
      'claim cap-c', 'start cap-c', 'end cap-c',
    ]);
    expect(steps.filter((s) => s.step === 'claim').map((s) => s.claimsBefore)).toEqual([0, 1, 2]);
    const claims = await query("SELECT district, outcome FROM oneroster_schedule_claims WHERE district LIKE 'cap-%' ORDER BY district");
    expect(claims).toEqual(districts.map((district) => ({ district, outcome: 'succeeded' })));
  });

  it('runs each due district exactly once however many schedulers tick, skips a slot older than the catch-up window, and lists every district\'s health', async () => {
    const due = ['twin-a', 'twin-b', 'twin-c', 'twin-d'];
    await seedFleet(db().sequelize, sandbox.credentials.oneroster11, due, dailyTimeOf(new Date()));
    // Due two hours ago, with a one-hour window: missed, and too old to catch up.
    await seedFleet(db().sequelize, sandbox.credentials.oneroster11, ['late'], dailyTimeOf(new Date(Date.now() - 2 * 60 * 60_000)));
    const districts = [...due, 'late'];
    const fleets = ['one', 'two'].map((name) =>
      createFleetScheduler({
        listDistricts: async () => districts,
        instanceFor: () => oneroster,
        maxConcurrentRuns: 2,
        jitterMs: 20,
        tickMs: 200,
        missedRunWindowMs: 60 * 60_000,
        instanceName: name,
        logger: createMemoryLogger(),
      }),
    );
    await Promise.all(fleets.map((fleet) => fleet.start()));
    const finished = async () => Number((await query("SELECT COUNT(*) AS n FROM oneroster_schedule_claims WHERE district LIKE 'twin-%' AND outcome = 'succeeded'"))[0]!.n) === 4;
    await waitUntil(finished, 60_000, 'four districts to finish');
    // A few more ticks of both: nothing runs twice.
    await Promise.all(fleets.map((fleet) => fleet.tick()));
    await Promise.all(fleets.map((fleet) => fleet.stop()));

    const runs = await query("SELECT district, kind, COUNT(*) AS n FROM oneroster_runs WHERE district LIKE 'twin-%' OR district = 'late' GROUP BY district, kind ORDER BY district, kind");
    expect(runs.map((r) => [r.district, r.kind, Number(r.n)])).toEqual(due.flatMap((d) => [[d, 'buildings', 1], [d, 'users', 1]]));
    expect(await query("SELECT * FROM oneroster_schedule_claims WHERE district = 'late'")).toEqual([]);

    const health = await fleets[0]!.health();
    expect(health.map((h) => [h.district, h.lastRun?.outcome ?? null, h.failingStreak, h.held])).toEqual([
      ...due.map((d) => [d, 'succeeded', 0, null]),
      ['late', null, 0, null],
    ]);
    expect(health.every((h) => h.configured && h.enabled && typeof h.nextRunAt === 'string')).toBe(true);
  });
});

describe('a database per district, one fleet scheduler over them', () => {
  const databases = new Map<string, ScratchDatabase>();
  afterAll(async () => {
    for (const scratch of databases.values()) await scratch.drop();
  });

  it('creates each district\'s instance when first needed, runs each district once in its own database, and lets idle ones be closed', async () => {
    // One SQLite file per district, and one MariaDB schema when MariaDB is tested too.
    const districts = testDatabases().map((name, i) => ({ district: `own-db-${i}`, name }));
    for (const { district, name } of districts) databases.set(district, await createScratchDatabase(name));
    const instances = new Map<string, OneRoster>();
    const dailyTime = dailyTimeOf(new Date());
    for (const { district } of districts) {
      const setup = createOneRoster({ sequelize: databases.get(district)!.sequelize, encryptionKey: FLEET_ENCRYPTION_KEY, logger: createMemoryLogger() });
      await setup.migrate();
      await setup.close();
      await seedFleet(databases.get(district)!.sequelize, sandbox.credentials.oneroster11, [district], dailyTime);
    }

    // The host's pool: an instance per district database, created lazily.
    const created: string[] = [];
    const instanceFor = async (district: string): Promise<OneRoster> => {
      let instance = instances.get(district);
      if (!instance) {
        created.push(district);
        instance = createOneRoster({
          sequelize: databases.get(district)!.sequelize, encryptionKey: FLEET_ENCRYPTION_KEY, logger: createMemoryLogger(),
          district: () => district, ...NETWORK,
        });
        instances.set(district, instance);
      }
      return instance;
    };
    const fleet = createFleetScheduler({
      listDistricts: async () => districts.map((d) => d.district),
      instanceFor,
      maxConcurrentRuns: 2,
      jitterMs: 0,
      tickMs: 60_000,
      logger: createMemoryLogger(),
    });
    expect(created).toEqual([]);
    await fleet.start();
    const done = async () => {
      for (const { district } of districts) {
        const rows = (await databases.get(district)!.sequelize.query("SELECT outcome FROM oneroster_schedule_claims WHERE outcome = 'succeeded'", { type: 'SELECT' })) as unknown[];
        if (rows.length !== 1) return false;
      }
      return true;
    };
    await waitUntil(done, 60_000, 'each district database to finish its daily run');
    await fleet.stop();
    expect(created.sort()).toEqual(districts.map((d) => d.district).sort());

    for (const { district } of districts) {
      const sequelize = databases.get(district)!.sequelize;
      const runs = (await sequelize.query('SELECT district, kind FROM oneroster_runs ORDER BY id', { type: 'SELECT' })) as Array<{ district: string; kind: string }>;
      expect(runs).toEqual([{ district, kind: 'buildings' }, { district, kind: 'users' }]);
      const people = (await sequelize.query('SELECT COUNT(*) AS n FROM oneroster_students', { type: 'SELECT' })) as Array<{ n: number }>;
      expect(Number(people[0]!.n)).toBeGreaterThan(0);
    }
    expect((await fleet.health()).map((h) => [h.district, h.lastRun?.outcome])).toEqual(districts.map((d) => [d.district, 'succeeded']));

    // Idle (nothing of theirs running): the host closes them; the next tick would create them again.
    for (const [district, instance] of instances) {
      expect(fleet.busy(district)).toBe(false);
      await instance.close();
    }
  });
});
