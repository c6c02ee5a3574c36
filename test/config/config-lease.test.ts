import request from 'supertest';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, createMemoryLogger, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import { createSyncLease } from '../../server/sync/sync-lease';
import { waitUntil } from '../helpers/wait-until';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 10, schools: 2 });
});
afterAll(() => sandbox.close());

describeEachDatabase('settings and runs never interleave', (db) => {
  let host: TestHost;
  const api = () => request(host.app);
  const body = () => ({ provider: 'oneroster', version: '1.1', auth: 'oauth1', ...sandbox.credentials.oneroster11 });
  const settingsHoldLease = async () => {
    const [row] = (await db().sequelize.query('SELECT holder_id FROM oneroster_sync_lease WHERE id = 1', { type: 'SELECT' })) as Array<{ holder_id: string | null }>;
    return String(row?.holder_id ?? '').startsWith('settings:');
  };

  beforeAll(async () => {
    host = await createTestHost(db());
    expect((await api().put(`${MOUNT}/config`).set(AS_ADMIN).send(body())).status).toBe(200);
  });
  afterAll(() => host.oneroster.close());

  it('building matching writes under the lease: refused while another process syncs, and nothing is written', async () => {
    const [school] = (await api().get(`${MOUNT}/buildings/matching`).set(AS_ADMIN)).body.schools as Array<{ sourcedId: string }>;
    const now = new Date();
    await db().sequelize.query('INSERT INTO oneroster_buildings (name, source, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', {
      replacements: ['Hand-made building', 'manual', true, now, now],
    });
    const sisOfHandMade = async () =>
      ((await db().sequelize.query("SELECT id, sis_id FROM oneroster_buildings WHERE name = 'Hand-made building'", { type: 'SELECT' })) as Array<{ id: number; sis_id: string | null }>)[0]!;
    // A sync in another process holds the lease for run 4242.
    const otherProcess = await createSyncLease(db().sequelize, { ttlMs: 60_000, logger: createMemoryLogger() }).acquire();
    try {
      await otherProcess!.attachRun(4242);
      const during = await api().put(`${MOUNT}/buildings/matching`).set(AS_ADMIN).send({ matches: [{ buildingId: (await sisOfHandMade()).id, sourcedId: school!.sourcedId }] });
      expect(during.status).toBe(409);
      expect(during.body.error).toMatchObject({ code: 'sync_in_progress', details: { runId: 4242 } });
      expect((await sisOfHandMade()).sis_id).toBeNull();
    } finally {
      await otherProcess!.release();
      await db().sequelize.query("DELETE FROM oneroster_buildings WHERE name = 'Hand-made building'");
    }
  });

  it('a sync started while PUT /config tests and saves is refused (409), and starts on the new settings after', async () => {
    // Slow the save's own connection test, so the start lands in the middle of it.
    sandbox.faults.set({ kind: 'slow', delayMs: 1000, path: '/schools', count: 1 });
    try {
      const saving = api().put(`${MOUNT}/config`).set(AS_ADMIN).send(body()).then((res) => res);
      await waitUntil(settingsHoldLease, 10_000, 'the settings save to hold the lease');
      const during = await api().post(`${MOUNT}/sync/buildings`).set(AS_ADMIN).send({});
      expect(during.status).toBe(409);
      expect(during.body.error.code).toBe('settings_being_saved');
      expect((await saving).status).toBe(200);
    } finally {
      sandbox.faults.clear();
    }
    expect(await settingsHoldLease()).toBe(false);
    const after = await api().post(`${MOUNT}/sync/buildings`).set(AS_ADMIN).send({});
    expect(after.status).toBe(202);
    expect((await host.oneroster.sync.waitForRun(after.body.run.id)).status).toBe('succeeded');
  });

  it('a failed save (422) frees the lease too', async () => {
    const res = await api().put(`${MOUNT}/config`).set(AS_ADMIN).send({ ...body(), clientSecret: 'wrong' });
    expect(res.status).toBe(422);
    expect(await settingsHoldLease()).toBe(false);
    const [row] = (await db().sequelize.query('SELECT holder_id FROM oneroster_sync_lease', { type: 'SELECT' })) as Array<{ holder_id: string | null }>;
    expect(row!.holder_id).toBeNull();
  });

  it('turning OneRoster off while a sync runs stops that run (issue 16) instead of waiting for it', async () => {
    sandbox.faults.set({ kind: 'slow', delayMs: 800, path: '/schools', count: 1 });
    try {
      const started = await api().post(`${MOUNT}/sync/buildings`).set(AS_ADMIN).send({});
      expect(started.status).toBe(202);
      const off = await api().delete(`${MOUNT}/config`).set(AS_ADMIN).send({});
      expect(off.status).toBe(200);
      expect(off.body.enabled).toBe(false);
      expect((await host.oneroster.sync.waitForRun(started.body.run.id)).status).toBe('cancelled');
    } finally {
      sandbox.faults.clear();
    }
    expect(await settingsHoldLease()).toBe(false);
  });
});
