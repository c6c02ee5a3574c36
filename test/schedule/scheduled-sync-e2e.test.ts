import request from 'supertest';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import { createTestClock } from './scheduler-harness';
import { internalsOf } from '../../server/create-oneroster';

/**
 * The daily job with every real part: the sandbox provider over loopback HTTP, the real sync
 * engine and configuration, the module as a host builds it. Slots are driven by hand with the
 * test clock instead of waiting for 02:00.
 */
describeEachDatabase('scheduled sync end to end', (db) => {
  const clock = createTestClock('2025-09-02T12:00:00Z');
  let sandbox: Sandbox;
  let host: TestHost;

  beforeAll(async () => {
    sandbox = await startSandbox({ students: 120, schools: 3, seed: 11 });
    host = await createTestHost(db(), { clock, missedRunWindowMs: 0, http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 1 } });
  });
  afterAll(async () => {
    await host.oneroster.close();
    await sandbox.close();
  });

  const automation = async () => (await request(host.app).get(`${MOUNT}/automation`).set(AS_ADMIN)).body;
  const scheduledRuns = async () =>
    ((await request(host.app).get(`${MOUNT}/runs?limit=50`).set(AS_ADMIN)).body.items as Array<Record<string, unknown>>)
      .filter((run) => run.trigger === 'schedule')
      .reverse();
  const count = async (table: string) => {
    const [rows] = await db().sequelize.query(`SELECT COUNT(*) AS n FROM oneroster_${table}`);
    return Number((rows as Array<{ n: number }>)[0]!.n);
  };

  it('before a provider is configured, the daily run is recorded as not started (not_configured)', async () => {
    await request(host.app).put(`${MOUNT}/automation`).set(AS_ADMIN).send({ dailyTime: '02:00', timezone: 'America/Chicago' });
    const result = await internalsOf(host.oneroster).scheduler.runSlot(new Date('2025-09-01T07:00:00Z'));

    expect(result).toMatchObject({ status: 'ran', outcome: 'not_started' });
    expect((await automation()).lastScheduledRun).toMatchObject({
      slot: '2025-09-01 02:00 America/Chicago',
      outcome: 'not_started',
      error: { code: 'not_configured' },
    });
  });

  it('syncs buildings then the switched-on kind, full first and delta the next night', async () => {
    const c = sandbox.credentials.oneroster12;
    const saved = await request(host.app)
      .put(`${MOUNT}/config`)
      .set(AS_ADMIN)
      .send({ provider: 'oneroster', version: '1.2', auth: 'oauth2', baseUrl: c.baseUrl, tokenUrl: c.tokenUrl, clientId: c.clientId, clientSecret: c.clientSecret });
    expect(saved.status).toBe(200);
    await request(host.app).put(`${MOUNT}/automation`).set(AS_ADMIN).send({ staffImport: false, fullSyncEvery: 7 });

    const first = await internalsOf(host.oneroster).scheduler.runSlot(new Date('2025-09-02T07:00:00Z'));
    expect(first).toMatchObject({ status: 'ran', outcome: 'succeeded' });
    expect(await count('buildings')).toBeGreaterThan(0);
    expect(await count('students')).toBeGreaterThan(0);
    expect(await count('staff')).toBe(0); // staff import is off

    clock.set('2025-09-03T07:00:05Z');
    const second = await internalsOf(host.oneroster).scheduler.runSlot(new Date('2025-09-03T07:00:00Z'));
    expect(second).toMatchObject({ status: 'ran', outcome: 'succeeded' });

    const runs = await scheduledRuns();
    expect(runs.map((run) => [run.kind, run.mode, run.status, run.requestedBy])).toEqual([
      ['buildings', 'full', 'succeeded', null],
      ['users', 'full', 'succeeded', null],
      ['buildings', 'full', 'succeeded', null],
      ['users', 'delta', 'succeeded', null],
    ]);
    expect((await automation()).lastScheduledRun).toMatchObject({
      slot: '2025-09-03 02:00 America/Chicago',
      outcome: 'succeeded',
      runIds: second.runIds,
    });
  });
});
