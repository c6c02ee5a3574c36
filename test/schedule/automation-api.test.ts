import request from 'supertest';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, AS_TEACHER, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import { computeNextRun } from '../../server/schedule/slot-time';
import { createTestClock } from './scheduler-harness';
import { internalsOf } from '../../server/create-oneroster';

describeEachDatabase('GET and PUT /automation', (db) => {
  const clock = createTestClock('2025-03-08T12:00:00Z');
  let host: TestHost;
  const url = `${MOUNT}/automation`;

  beforeAll(async () => {
    // No catch-up window: these tests must not start syncs when the scheduler starts.
    host = await createTestHost(db(), { clock, timezone: 'America/Chicago', missedRunWindowMs: 0 });
  });
  beforeEach(async () => {
    await db().sequelize.getQueryInterface().bulkDelete('oneroster_automation', {});
    await db().sequelize.getQueryInterface().bulkDelete('oneroster_schedule_claims', {});
  });
  afterAll(async () => {
    await host.oneroster.scheduler.stop();
  });

  it('answers the defaults before anything is saved, in the host default timezone, with the next run', async () => {
    const res = await request(host.app).get(url).set(AS_ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      studentImport: true,
      staffImport: true,
      dailyTime: '02:00',
      timezone: 'America/Chicago',
      fullSyncEvery: 7,
      paused: false,
      deactivateMissing: true,
      gradeMatrix: {},
      districtOffices: true,
      orgBuildings: {},
      nextRunAt: '2025-03-09T08:00:00.000Z', // 02:00 does not exist on spring-forward day: 03:00 CDT
      lastScheduledRun: null,
    });
  });

  it('keeps a Grade Level Matrix and refuses one whose labels the roster cannot hold', async () => {
    const saved = await request(host.app).put(url).set(AS_ADMIN).send({ gradeMatrix: { 'First grade': 'Gr 1', KG: 'Kinder' } });
    expect(saved.status).toBe(200);
    expect(saved.body.gradeMatrix).toEqual({ 'First grade': 'Gr 1', KG: 'Kinder' });
    expect((await request(host.app).get(url).set(AS_ADMIN)).body.gradeMatrix).toEqual({ 'First grade': 'Gr 1', KG: 'Kinder' });

    for (const bad of [{ KG: 'A label far longer than sixteen' }, { KG: 5 }, ['KG'], { '': 'K' }]) {
      const refused = await request(host.app).put(url).set(AS_ADMIN).send({ gradeMatrix: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('validation_failed');
    }
    expect((await request(host.app).get(url).set(AS_ADMIN)).body.gradeMatrix).toEqual({ 'First grade': 'Gr 1', KG: 'Kinder' });
  });

  it('saves any subset, keeps the rest, records who changed it, and survives a new module instance', async () => {
    const res = await request(host.app)
      .put(url)
      .set(AS_ADMIN)
      .send({ dailyTime: '23:15', timezone: 'Asia/Kolkata', staffImport: false, fullSyncEvery: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      studentImport: true,
      staffImport: false,
      dailyTime: '23:15',
      timezone: 'Asia/Kolkata',
      fullSyncEvery: 3,
      paused: false,
      deactivateMissing: true,
      nextRunAt: '2025-03-08T17:45:00.000Z',
    });

    const other = await createTestHost(db(), { clock, missedRunWindowMs: 0 });
    const again = await request(other.app).get(url).set(AS_ADMIN);
    expect(again.body).toEqual(res.body);

    const [rows] = await db().sequelize.query('SELECT updated_by, updated_by_name FROM oneroster_automation');
    expect(rows).toEqual([{ updated_by: '1', updated_by_name: 'Ada Admin' }]);
  });

  it('nextRunAt is null while paused or with both imports off', async () => {
    expect((await request(host.app).put(url).set(AS_ADMIN).send({ paused: true })).body.nextRunAt).toBeNull();
    await request(host.app).put(url).set(AS_ADMIN).send({ paused: false, studentImport: false, staffImport: false });
    const res = await request(host.app).get(url).set(AS_ADMIN);
    expect(res.body).toMatchObject({ paused: false, studentImport: false, staffImport: false, nextRunAt: null });
  });

  it.each([
    [{ dailyTime: '25:00' }, 'dailyTime', /HH:MM/],
    [{ dailyTime: '2am' }, 'dailyTime', /HH:MM/],
    [{ dailyTime: '2:00' }, 'dailyTime', /HH:MM/],
    [{ timezone: 'Mars/Olympus' }, 'timezone', /IANA timezone/],
    [{ timezone: '' }, 'timezone', /empty/],
    [{ fullSyncEvery: 0 }, 'fullSyncEvery', /greater than or equal to 1/],
    [{ fullSyncEvery: 91 }, 'fullSyncEvery', /less than or equal to 90/],
    [{ fullSyncEvery: 2.5 }, 'fullSyncEvery', /integer/],
    [{ fullSyncEvery: '7' }, 'fullSyncEvery', /number/],
    [{ paused: 'yes' }, 'paused', /boolean/],
    [{ nightly: true }, 'nightly', /not allowed/],
    [{ nextRunAt: '2025-01-01T00:00:00Z' }, 'nextRunAt', /not allowed/],
  ])('refuses %j with a 400 naming the field', async (body, field, message) => {
    const res = await request(host.app).put(url).set(AS_ADMIN).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('lists every bad field at once and saves nothing', async () => {
    const res = await request(host.app).put(url).set(AS_ADMIN).send({ dailyTime: '24:00', timezone: 'Nowhere', paused: true });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['dailyTime', 'timezone']);
    expect((await request(host.app).get(url).set(AS_ADMIN)).body.paused).toBe(false);
  });

  it('refuses a body that is not an object', async () => {
    const res = await request(host.app).put(url).set(AS_ADMIN).send([{ paused: true }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('needs Manage Settings to change anything', async () => {
    const res = await request(host.app).put(url).set(AS_TEACHER).send({ paused: true });
    expect(res.status).toBe(403);
    expect((await request(host.app).get(url).set(AS_ADMIN)).body.paused).toBe(false);
  });

  it('shows the last scheduled run, including a failure to start', async () => {
    await db().sequelize.getQueryInterface().bulkInsert('oneroster_schedule_claims', [
      {
        slot_key: '2025-03-07 02:00 America/Chicago',
        scheduled_for: new Date('2025-03-07T08:00:00Z'),
        claimed_by: 'web-1:123:abc',
        claimed_at: new Date('2025-03-07T08:00:01Z'),
        outcome: 'succeeded',
        building_run_id: 4,
        user_run_id: 5,
        finished_at: new Date('2025-03-07T08:09:00Z'),
      },
      {
        slot_key: '2025-03-08 02:00 America/Chicago',
        scheduled_for: new Date('2025-03-08T08:00:00Z'),
        claimed_by: 'web-2:456:def',
        claimed_at: new Date('2025-03-08T08:00:01Z'),
        outcome: 'not_started',
        error_code: 'not_configured',
        error_message: 'OneRoster is not configured yet.',
        finished_at: new Date('2025-03-08T08:00:02Z'),
      },
    ]);
    const res = await request(host.app).get(url).set(AS_ADMIN);
    expect(res.body.lastScheduledRun).toEqual({
      slot: '2025-03-08 02:00 America/Chicago',
      scheduledFor: '2025-03-08T08:00:00.000Z',
      startedAt: '2025-03-08T08:00:01.000Z',
      finishedAt: '2025-03-08T08:00:02.000Z',
      outcome: 'not_started',
      error: { code: 'not_configured', message: 'OneRoster is not configured yet.' },
      runIds: [],
    });
    expect(JSON.stringify(res.body)).not.toContain('web-2'); // server names stay in the database and log
  });

  it('a PUT re-arms the running daily job of this server at once', async () => {
    const { scheduler } = internalsOf(host.oneroster);
    await scheduler.start();
    await scheduler.whenIdle();
    const res = await request(host.app).put(url).set(AS_ADMIN).send({ dailyTime: '04:45', timezone: 'UTC' });
    expect(res.status).toBe(200);
    const expected = computeNextRun({ ...res.body }, new Date())?.at;
    expect(scheduler.nextRun()).toEqual(expected);
    expect(scheduler.nextRun()?.getUTCHours()).toBe(4);

    await request(host.app).put(url).set(AS_ADMIN).send({ paused: true });
    expect(scheduler.nextRun()).toBeNull();
    await scheduler.stop();
  });
});
