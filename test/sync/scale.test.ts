import type { Sequelize } from 'sequelize';
import { startSandbox } from '../../examples/oneroster-sandbox';
import { createProviderConnection } from '../../server/providers';
import type { NormalizedPerson } from '../../server/providers/types';
import { describeEachDatabase } from '../helpers/databases';
import { createFakeConnection, createSyncHarness, person, resetTables, school, syncBuildingsNow, syncUsersNow, type FakeDistrict, type SyncHarness } from './harness';

/** A district generated lazily, so the test itself never holds it: `count` people over 10 schools. */
function generatedPeople(count: number, variant: (i: number) => Partial<NormalizedPerson> = () => ({})): () => Iterable<NormalizedPerson> {
  return function* () {
    for (let i = 0; i < count; i++) {
      const staff = i % 20 === 0;
      yield person(`p${String(i).padStart(7, '0')}`, {
        roles: staff ? ['teacher'] : ['student'],
        orgSourcedIds: [`org-${i % 10}`],
        grades: staff ? [] : [String((i % 12) + 1).padStart(2, '0')],
        ...variant(i),
      });
    }
  };
}

/** Counts the SQL statements Sequelize sends while `work` runs. */
async function countQueries(sequelize: Sequelize, work: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const hooks = sequelize as unknown as { addHook(name: string, key: string, fn: () => void): void; removeHook(name: string, key: string): void };
  hooks.addHook('beforeQuery', 'oneroster-query-count', () => {
    count += 1;
  });
  try {
    await work();
  } finally {
    hooks.removeHook('beforeQuery', 'oneroster-query-count');
  }
  return count;
}

describeEachDatabase('sync at scale', (db) => {
  let h: SyncHarness;
  let district: FakeDistrict;

  beforeAll(async () => {
    district = { schools: Array.from({ length: 10 }, (_, i) => school(`org-${i}`)), people: [] };
    h = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 1000 }));
  });
  beforeEach(async () => {
    await resetTables(h.sequelize);
    await syncBuildingsNow(h);
  });
  afterAll(() => h.sync.whenIdle());

  it('issues a bounded number of queries per 1,000 people, on first sync and on re-sync', async () => {
    district.people = generatedPeople(2000);
    const small = await countQueries(h.sequelize, () => syncUsersNow(h));
    await resetTables(h.sequelize);
    await syncBuildingsNow(h);
    district.people = generatedPeople(8000);
    const large = await countQueries(h.sequelize, () => syncUsersNow(h));
    const resync = await countQueries(h.sequelize, () => syncUsersNow(h));
    // The marginal cost of 6,000 more people, per thousand: a small constant, never one per person.
    const perThousand = (large - small) / 6;
    expect(perThousand).toBeLessThanOrEqual(20);
    expect(resync / 8).toBeLessThanOrEqual(20);
    expect(large).toBeLessThan(8000 / 10);
  });

  it('syncs a 100,000-student sandbox district end to end (20,000 on SQLite, to keep the suite short)', async () => {
    const SIZE = db().name === 'mariadb' ? 100_000 : 20_000;
    const sandbox = await startSandbox({ students: SIZE, schools: 20, seed: 3 });
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    try {
      const c = sandbox.credentials.oneroster12;
      h.setConnection(createProviderConnection(
        { provider: 'oneroster', version: '1.2', auth: 'oauth2', baseUrl: c.baseUrl, tokenUrl: c.tokenUrl, clientId: c.clientId, clientSecret: c.clientSecret },
        { ...h.ctx, options: { ...h.ctx.options, network: { allowHttp: 'loopback', allowLoopback: true, allowPrivate: false } } },
      ));
      await resetTables(h.sequelize);
      expect((await syncBuildingsNow(h)).status).toBe('succeeded');
      let started = Date.now();
      const first = await syncUsersNow(h);
      const initialMs = Date.now() - started;
      expect(first.status).toBe('succeeded');
      const created = first.counts.kinds.students!.created;
      expect(created).toBeGreaterThan(SIZE * 0.9);

      started = Date.now();
      const again = await syncUsersNow(h);
      const noChangeMs = Date.now() - started;
      expect(again.counts.kinds.students).toMatchObject({ created: 0, updated: 0, deactivated: 0, unchanged: created });

      const changed = sandbox.district.changeRandomPeople(0.01, 5);
      started = Date.now();
      const delta = await syncUsersNow(h, { mode: 'delta' });
      const deltaMs = Date.now() - started;
      expect(delta.status).toBe('succeeded');
      const touched = delta.counts.kinds.students!.updated + delta.counts.kinds.staff!.updated;
      expect(touched).toBeGreaterThan(changed.length * 0.5);
      expect(touched).toBeLessThanOrEqual(changed.length);

      const [rows] = await h.sequelize.query('SELECT COUNT(*) AS n FROM oneroster_students');
      expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBe(created);
      process.stdout.write(
        `[scale ${db().name}] sandbox ${SIZE} students: initial ${initialMs} ms, no-change ${noChangeMs} ms, 1% delta ${deltaMs} ms, ` +
          `RSS ${Math.round(rssBefore / 1e6)} → peak ${Math.round(peakRss / 1e6)} MB (jest included)\n`,
      );
    } finally {
      clearInterval(sampler);
      await sandbox.close();
    }
  }, 300_000);
});
