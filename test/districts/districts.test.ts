import request from 'supertest';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createSyncLease } from '../../server/sync/sync-lease';
import { createRunRecords } from '../../server/sync/run-records';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, createMemoryLogger, createTestHost, MOUNT, type TestHost } from '../helpers/app';

/**
 * Two districts on one database (issue 19): the host's `district(req)` names the district of each
 * request (here a header, as a host would read its subdomain). Nothing one district keeps is seen,
 * changed or blocked by the other.
 */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 40, schools: 3, seed: 19 });
});
afterAll(() => sandbox.close());

const oneroster11 = () => ({ provider: 'oneroster', version: '1.1', auth: 'oauth1', ...sandbox.credentials.oneroster11 });

describeEachDatabase('two districts on one database', (db) => {
  let host: TestHost;
  const as = (district: string) => ({ ...AS_ADMIN, 'x-district': district });
  const api = () => request(host.app);
  const get = (district: string, path: string) => api().get(`${MOUNT}${path}`).set(as(district));
  const send = (district: string, method: 'put' | 'post', path: string, body: object = {}) => api()[method](`${MOUNT}${path}`).set(as(district)).send(body);
  const rows = async (sql: string) => (await db().sequelize.query(sql, { type: 'SELECT' })) as Array<Record<string, unknown>>;

  async function syncAll(district: string): Promise<void> {
    const buildings = await send(district, 'post', '/sync/buildings');
    expect(buildings.status).toBe(202);
    expect((await host.oneroster.forDistrict(district).sync.waitForRun(buildings.body.run.id)).status).toBe('succeeded');
    const users = await send(district, 'post', '/sync/users');
    expect(users.status).toBe(202);
    expect((await host.oneroster.forDistrict(district).sync.waitForRun(users.body.run.id)).status).toBe('succeeded');
    await host.oneroster.forDistrict(district).sync.whenIdle();
  }

  beforeAll(async () => {
    host = await createTestHost(db(), { district: (req) => req.header('x-district') ?? 'default' });
  });
  afterAll(() => host.oneroster.close());

  it('keeps each district\'s configuration, audit log and automation to itself', async () => {
    expect((await send('north', 'put', '/config', oneroster11())).status).toBe(200);
    expect((await get('north', '/config')).body).toMatchObject({ configured: true, enabled: true });
    expect((await get('south', '/config')).body).toMatchObject({ configured: false, enabled: false, config: null });
    expect(await host.oneroster.forDistrict('south').isEnabled()).toBe(false);
    // Nothing configured in south: its syncs refuse, north's configuration notwithstanding.
    expect((await send('south', 'post', '/sync/buildings')).body.error.code).toBe('not_configured');

    expect((await send('north', 'put', '/automation', { dailyTime: '03:15', timezone: 'America/Denver' })).status).toBe(200);
    expect((await get('south', '/automation')).body).toMatchObject({ dailyTime: '02:00', timezone: 'UTC' });
    expect((await get('north', '/automation')).body).toMatchObject({ dailyTime: '03:15', timezone: 'America/Denver' });

    const audit = await rows('SELECT district, action FROM oneroster_audit_events ORDER BY id');
    expect(audit).toEqual([
      { district: 'north', action: 'config_saved' },
      { district: 'north', action: 'oneroster_enabled' },
    ]);
    expect(await host.oneroster.listDistricts()).toEqual(['north']);
  });

  it('keeps each district\'s buildings, people and run history apart, the same sourcedIds in both', async () => {
    expect((await send('south', 'put', '/config', oneroster11())).status).toBe(200);
    await syncAll('north');
    await syncAll('south');

    const people = await rows('SELECT district, COUNT(*) AS n FROM oneroster_students GROUP BY district ORDER BY district');
    expect(people.map((r) => [r.district, Number(r.n)])).toEqual([
      ['north', expect.any(Number)],
      ['south', expect.any(Number)],
    ]);
    expect(Number(people[0]!.n)).toBe(Number(people[1]!.n));
    expect(Number(people[0]!.n)).toBeGreaterThan(0);
    // Each district's people point at its own buildings.
    const crossed = await rows(
      'SELECT COUNT(*) AS n FROM oneroster_students s JOIN oneroster_buildings b ON b.id = s.building_id WHERE b.district <> s.district',
    );
    expect(Number(crossed[0]!.n)).toBe(0);

    const northRuns = (await get('north', '/runs')).body;
    const southRuns = (await get('south', '/runs')).body;
    expect(northRuns.total).toBe(2);
    expect(southRuns.total).toBe(2);
    const northIds = northRuns.items.map((run: { id: number }) => run.id);
    expect(southRuns.items.map((run: { id: number }) => run.id).filter((id: number) => northIds.includes(id))).toEqual([]);
    // Another district's run does not exist here, for reading or deciding.
    expect((await get('south', `/runs/${northIds[0]}`)).status).toBe(404);
    expect((await send('south', 'post', `/runs/${northIds[0]}/cancel`)).status).toBe(404);

    // A second sync finds nothing to change in either: neither saw the other's rows as its own.
    const again = await send('north', 'post', '/sync/users');
    const run = await host.oneroster.forDistrict('north').sync.waitForRun(again.body.run.id);
    expect(run.counts.kinds.students).toMatchObject({ created: 0, deactivated: 0 });
  });

  it('holds a district\'s plan for its own admins only', async () => {
    const records = createRunRecords(db().sequelize, 'north');
    const held = await records.create({ kind: 'users', runTrigger: 'schedule', requestedById: null, requestedByName: null, mode: 'full', dryRun: false }, new Date());
    await records.update(held.id, { status: 'held', phase: 'done', finishedAt: new Date() });

    expect((await get('north', '/status')).body.heldRun).toMatchObject({ id: held.id });
    expect((await get('south', '/status')).body.heldRun).toBeNull();
    expect((await get('south', '/runs?status=held')).body.total).toBe(0);
    expect((await send('south', 'post', `/runs/${held.id}/approve`)).status).toBe(404);
    const health = await host.oneroster.districtHealth(['north', 'south']);
    expect(health.map((h) => [h.district, h.held?.runId ?? null])).toEqual([
      ['north', held.id],
      ['south', null],
    ]);
    expect((await send('north', 'post', `/runs/${held.id}/cancel`)).status).toBe(200);
  });

  it('has one lease per district: a sync in one never blocks the other, two in one do', async () => {
    const northLease = await createSyncLease(db().sequelize, { ttlMs: 60_000, logger: createMemoryLogger(), district: 'north' }).acquire();
    expect(northLease).not.toBeNull();
    try {
      const blocked = await send('north', 'post', '/sync/buildings');
      expect(blocked.status).toBe(409);
      expect(blocked.body.error.code).toBe('sync_in_progress');
      const free = await send('south', 'post', '/sync/buildings');
      expect(free.status).toBe(202);
      await host.oneroster.forDistrict('south').sync.waitForRun(free.body.run.id);
    } finally {
      await northLease!.release();
    }
    const freed = await send('north', 'post', '/sync/buildings');
    expect(freed.status).toBe(202);
    await host.oneroster.forDistrict('north').sync.waitForRun(freed.body.run.id);
  });

  it('seals each district\'s secret for that district: a row copied to another does not decrypt there', async () => {
    const [north] = await rows("SELECT encrypted_secret FROM oneroster_config WHERE district = 'north'");
    expect(String(north!.encrypted_secret)).toMatch(/^v2:/);
    await db().sequelize.query("UPDATE oneroster_config SET encrypted_secret = ? WHERE district = 'south'", { replacements: [north!.encrypted_secret] });
    const copied = await send('south', 'post', '/config/test', {});
    expect(copied.status).toBe(500);
    expect(copied.body.error.code).toBe('encryption_key_mismatch');
    expect((await send('south', 'post', '/sync/users')).body.error.code).toBe('encryption_key_mismatch');
    expect((await send('north', 'post', '/config/test', {})).body.ok).toBe(true);
  });

  it('answers 400 invalid_district when the host names no district a key can be', async () => {
    for (const bad of ['', 'north district', 'x'.repeat(65), 'north;drop']) {
      const res = await get(bad, '/config');
      expect([bad, res.status, res.body.error?.code]).toEqual([bad, 400, 'invalid_district']);
    }
    // The widget script needs no district.
    expect((await api().get(`${MOUNT}/widget/oneroster-settings.js`).set({ 'x-district': 'no good' })).status).not.toBe(400);
    expect(() => host.oneroster.forDistrict('no good')).toThrow(TypeError);
  });
});
