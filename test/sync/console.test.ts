import request from 'supertest';
import { defineAutomationModels } from '../../server/schedule/automation-models';
import { AS_ADMIN, MOUNT } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import {
  createFakeConnection, createSyncHarness, person, resetTables, rosterRows, school, syncBuildingsNow, syncUsersNow,
  type FakeDistrict, type SyncHarness,
} from './harness';

const admin = { id: 1, name: 'Ada Admin' };
const HOUR = 60 * 60 * 1000;

/**
 * The admin console's server side: one held plan at most (a newer run supersedes it), who resolved
 * it and when, the wait left out of the duration, the audit log, manual syncs independent of the
 * automatic-import toggles, the status at a glance, CSV export and history filters.
 */
describeEachDatabase('admin console: held runs, manual syncs, status', (db) => {
  let h: SyncHarness;
  let district: FakeDistrict;
  /** Added to the real time by the module's clock, so a test can let hours pass. */
  let offsetMs = 0;
  const students = Array.from({ length: 60 }, (_, i) => person(`s${i + 1}`, { identifier: `N${i + 1}` }));
  const teachers = Array.from({ length: 5 }, (_, i) => person(`t${i + 1}`, { roles: ['teacher'] }));

  beforeAll(async () => {
    district = { schools: [school('org-1', { name: 'Lincoln Elementary' })], people: [...students, ...teachers] };
    h = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 25 }), {
      safeguard: { minDeactivations: 5, maxDeactivationRatio: 0.1 },
      clock: { now: () => new Date(Date.now() + offsetMs) },
    });
  });

  beforeEach(async () => {
    offsetMs = 0;
    await resetTables(h.sequelize);
    await h.sequelize.query('DELETE FROM oneroster_audit_events');
    Object.assign(h.settings, { studentImport: true, staffImport: true, paused: false });
    district.people = [...students, ...teachers];
    await syncBuildingsNow(h);
    expect((await syncUsersNow(h)).status).toBe('succeeded');
  });

  afterAll(() => h.sync.whenIdle());

  const get = (path: string) => request(h.app).get(`${MOUNT}${path}`).set(AS_ADMIN);
  const post = (path: string, body: object = {}) => request(h.app).post(`${MOUNT}${path}`).set(AS_ADMIN).send(body);
  const auditActions = async () => {
    const [rows] = await h.sequelize.query('SELECT action, actor_name, details FROM oneroster_audit_events ORDER BY id');
    return (rows as Array<{ action: string; actor_name: string; details: string }>).map((r) => ({ action: r.action, by: r.actor_name, details: JSON.parse(r.details) }));
  };

  /** An empty feed: the provider sends no students (every one of the 60 would be deactivated). */
  async function holdEmptyStudentFeed() {
    district.people = [...teachers];
    const run = await syncUsersNow(h);
    expect(run.status).toBe('held');
    return run;
  }

  it('a newer run supersedes the held one: at most one plan waits, and the older cannot be approved', async () => {
    const first = await holdEmptyStudentFeed();
    const second = await holdEmptyStudentFeed();
    expect((await h.sync.getRun(first.id))).toMatchObject({ status: 'superseded', supersededBy: second.id });
    const held = await get('/runs?status=held');
    expect(held.body.items.map((r: { id: number }) => r.id)).toEqual([second.id]);
    const refused = await post(`/runs/${first.id}/approve`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('run_not_held');
    expect((await get('/runs?status=superseded')).body.items.map((r: { id: number }) => r.id)).toEqual([first.id]);
    // The daily job supersedes too.
    const daily = await h.sync.startUserSync({ trigger: 'schedule', user: null, kinds: ['students', 'staff'] });
    await h.sync.waitForRun(daily.id);
    expect((await h.sync.getRun(second.id)).status).toBe('superseded');
    // A preview plans without replacing the plan that waits.
    const preview = await syncUsersNow(h, { dryRun: true });
    expect(preview.status).toBe('succeeded');
    expect((await h.sync.getRun(daily.id)).status).toBe('held');
  });

  it('the held plan says what the provider sent beside what is active, with names, numbers and buildings', async () => {
    const run = await holdEmptyStudentFeed();
    expect(run.plan!.deactivations.students).toEqual({ planned: 60, active: 60, threshold: 6, received: 0 });
    expect(run.plan!.deactivations.staff).toMatchObject({ planned: 0, active: 5, received: 5 });
    expect(run.plan!.samples.students![0]).toEqual({ sourcedId: 's1', name: 'Givens1 Familys1', number: 'N1', building: 'Lincoln Elementary' });
  });

  it('approval records who and when, audits it, and leaves the wait out of the duration', async () => {
    const run = await holdEmptyStudentFeed();
    offsetMs = 30 * 24 * HOUR; // the admin looks at it a month later (longer than an INT of milliseconds holds)
    const res = await post(`/runs/${run.id}/approve`);
    expect(res.status).toBe(200);
    const done = await h.sync.waitForRun(run.id);
    await h.sync.whenIdle();
    expect(done.status).toBe('succeeded');
    expect(done.decision).toEqual({ action: 'approved', by: 'Ada Admin', at: expect.any(String) });
    expect(Date.parse(done.decision!.at) - Date.parse(run.finishedAt!)).toBeGreaterThanOrEqual(30 * 24 * HOUR);
    expect(done.durationMs!).toBeLessThan(HOUR);
    expect(await auditActions()).toEqual([{ action: 'run_approved', by: 'Ada Admin', details: { runId: run.id, kind: 'users', deactivations: { students: 60, staff: 0 } } }]);
    expect((await rosterRows(h.sequelize, 'students')).filter((s) => s.active)).toHaveLength(0);
  });

  it('cancelling records who and when and audits it', async () => {
    const run = await holdEmptyStudentFeed();
    offsetMs = 2 * HOUR;
    const res = await post(`/runs/${run.id}/cancel`);
    expect(res.body.run).toMatchObject({ status: 'cancelled', decision: { action: 'cancelled', by: 'Ada Admin' } });
    expect(res.body.run.durationMs).toBeLessThan(HOUR);
    expect((await auditActions()).map((a) => a.action)).toEqual(['run_cancelled']);
  });

  it('manual syncs import both kinds whatever the automatic-import toggles say; an admin may pick one', async () => {
    Object.assign(h.settings, { studentImport: false, staffImport: false });
    district.people = [...students, ...teachers].map((p) => ({ ...p, familyName: 'Renamed' }));
    const both = await syncUsersNow(h);
    expect(both.status).toBe('succeeded');
    expect(both.counts.kinds).toMatchObject({ students: { updated: 60 }, staff: { updated: 5 } });

    district.people = [...students, ...teachers].map((p) => ({ ...p, familyName: 'Again' }));
    const res = await post('/sync/users', { kinds: ['staff'] });
    expect(res.status).toBe(202);
    const staffOnly = await h.sync.waitForRun(res.body.run.id);
    expect(Object.keys(staffOnly.counts.kinds)).toEqual(['staff']);
    expect((await post('/sync/users', { kinds: ['parents'] })).status).toBe(400);
  });

  it('GET /status shows the held run and the last outcome after a reload, and a stale daily sync', async () => {
    const fresh = await get('/status');
    expect(fresh.body).toMatchObject({ activeRun: null, heldRun: null, lastRun: { kind: 'users', status: 'succeeded' }, dailyStale: false });
    const run = await holdEmptyStudentFeed();
    const status = await get('/status');
    expect(status.body.heldRun).toMatchObject({ id: run.id, status: 'held' });
    expect(status.body.lastRun).toMatchObject({ id: run.id });
    const config = await get('/config');
    expect(config.body.heldRun).toMatchObject({ id: run.id });
    offsetMs = 25 * HOUR;
    expect((await get('/status')).body.dailyStale).toBe(true);
    h.settings.paused = true;
    expect((await get('/status')).body.dailyStale).toBe(false);
  });

  it('issues carry the name, number and school, export as CSV, and history filters by trigger', async () => {
    district.people = [...students, person('bad-email', { email: 'nope', givenName: '=HYPERLINK("x")', identifier: 'N-BAD' })];
    const run = await syncUsersNow(h);
    const issue = run.issues.find((i) => i.code === 'invalid_email')!;
    expect(issue).toMatchObject({ sourcedId: 'bad-email', name: '=HYPERLINK("x") Familybad-email', number: 'N-BAD', school: 'Lincoln Elementary' });

    const csv = await get(`/runs/${run.id}/issues.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`oneroster-run-${run.id}-issues.csv`);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('sourcedId,name,number,school,code,message');
    // A spreadsheet never runs a roster name as a formula.
    expect(lines.find((l) => l.startsWith('bad-email'))).toContain(`"'=HYPERLINK(""x"") Familybad-email",N-BAD,Lincoln Elementary,invalid_email,`);
    expect((await get('/runs/999999/issues.csv')).status).toBe(404);

    await h.sync.waitForRun((await h.sync.startUserSync({ trigger: 'schedule', user: null, kinds: ['students'] })).id);
    const scheduled = await get('/runs?trigger=schedule');
    expect(scheduled.body.items.map((r: { trigger: string }) => r.trigger)).toEqual(['schedule']);
    expect((await get('/runs?trigger=nightly')).status).toBe(400);
  });

  it('notes the active counts after each applied user run (Automation Status)', async () => {
    const status = await get('/automation/status');
    expect(status.status).toBe(200);
    expect(status.body.activeCounts.at(-1)).toMatchObject({ students: 60, staff: 5 });
    expect(status.body.days).toHaveLength(30);
  });
});

describeEachDatabase('automation status: the daily health', (db) => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await createSyncHarness(db(), createFakeConnection({ schools: [school('org-1')], people: [] }));
  });
  beforeEach(() => h.sequelize.query('DELETE FROM oneroster_schedule_claims'));

  async function claim(daysAgo: number, outcome: string) {
    const at = new Date(Date.now() - daysAgo * 24 * HOUR);
    const date = at.toISOString().slice(0, 10);
    await defineAutomationModels(h.sequelize).ScheduleClaim.create({
      slotKey: `${date} 02:00 UTC`, scheduledFor: at, claimedBy: 'test', claimedAt: at, outcome: outcome as never,
      errorCode: outcome === 'failed' ? 'unreachable' : null, errorMessage: null, buildingRunId: 7, userRunId: null, finishedAt: at,
    });
    return date;
  }
  const get = () => request(h.app).get(`${MOUNT}/automation/status`).set(AS_ADMIN);

  it('is unknown before the first daily run', async () => {
    expect((await get()).body).toMatchObject({ health: 'unknown', failingStreak: 0 });
  });

  it('is healthy after a success, failing after three failures in a row; the heatmap has each day', async () => {
    const okDay = await claim(4, 'succeeded');
    await claim(3, 'failed');
    await claim(2, 'failed');
    expect((await get()).body).toMatchObject({ health: 'healthy', failingStreak: 2 });
    const lastDay = await claim(1, 'failed');
    const body = (await get()).body;
    expect(body).toMatchObject({ health: 'failing', failingStreak: 3 });
    expect(body.days.find((d: { date: string }) => d.date === okDay)).toEqual({ date: okDay, outcome: 'succeeded', runIds: [7], error: null });
    expect(body.days.find((d: { date: string }) => d.date === lastDay)).toMatchObject({ outcome: 'failed', error: { code: 'unreachable' } });
    expect(body.days.filter((d: { outcome: string }) => d.outcome === 'none')).toHaveLength(26);
  });
});
