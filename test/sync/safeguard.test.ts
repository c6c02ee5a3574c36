import { describeEachDatabase } from '../helpers/databases';
import {
  createFakeConnection, createSyncHarness, person, resetTables, rosterRows, school, syncBuildingsNow, syncUsersNow,
  type FakeDistrict, type SyncHarness,
} from './harness';

const admin = { id: 1, name: 'Ada Admin' };

describeEachDatabase('mass-deactivation safeguard', (db) => {
  let h: SyncHarness;
  let district: FakeDistrict;
  const people = Array.from({ length: 60 }, (_, i) => person(`s${i + 1}`));

  beforeAll(async () => {
    district = { schools: [school('org-1')], people };
    // Threshold: max(5, ceil(0.1 × 60)) = 6.
    h = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 25 }), {
      safeguard: { minDeactivations: 5, maxDeactivationRatio: 0.1 },
    });
  });

  beforeEach(async () => {
    await resetTables(h.sequelize);
    district.schools = [school('org-1')];
    district.people = people;
    await syncBuildingsNow(h);
    expect((await syncUsersNow(h)).counts.kinds.students!.created).toBe(60);
  });

  afterAll(() => h.sync.whenIdle());

  it('deactivates up to the threshold without asking', async () => {
    district.people = people.slice(6);
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students!.deactivated).toBe(6);
  });

  it('holds a run above the threshold, applies nothing, and shows the plan', async () => {
    const before = await rosterRows(h.sequelize, 'students');
    district.people = [...people.slice(7).map((p) => ({ ...p, givenName: 'Held' })), person('s-new')];
    const run = await syncUsersNow(h);
    expect(run.status).toBe('held');
    expect(run.plan).toMatchObject({
      counts: { students: { deactivated: 7, updated: 53, created: 1 } },
      deactivations: { students: { planned: 7, active: 60, threshold: 6 } },
    });
    // Nothing was applied, so the run's own counts claim nothing; the plan holds the numbers.
    expect(run.counts.kinds).toEqual({});
    expect(run.plan!.samples.students).toHaveLength(7);
    expect(run.plan!.samples.students![0]).toEqual({ sourcedId: 's1', name: 'Givens1 Familys1', number: 'num-s1', building: 'School org-1' });
    expect(await rosterRows(h.sequelize, 'students')).toEqual(before);
    expect(h.finished.at(-1)).toMatchObject({ id: run.id, status: 'held' });
    expect(await h.sync.activeRun()).toBeNull();
  });

  it('approve applies exactly the held plan and keeps the issues its pull noted', async () => {
    district.people = [...people.slice(7).map((p) => ({ ...p, givenName: 'Held' })), person('s-new'), person('bad-email', { email: 'nope' })];
    const held = await syncUsersNow(h);
    expect(held.issueCount).toBe(1);
    // The feed changes again after the hold: approval still applies what was planned.
    district.people = people;
    const approved = await h.sync.approve(held.id, admin);
    expect(approved.status).toBe('running');
    const done = await h.sync.waitForRun(held.id);
    await h.sync.whenIdle();
    expect(done.status).toBe('succeeded');
    expect(done.counts.kinds.students).toMatchObject({ deactivated: 7, updated: 53, created: 2 });
    expect(done.progress.processed).toBe(62);
    expect(done.issueCount).toBe(1);
    expect(done.issues).toHaveLength(1);
    const students = await rosterRows(h.sequelize, 'students');
    expect(students).toHaveLength(62);
    expect(students.filter((s) => !s.active).map((s) => s.sourced_id).sort()).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
    expect(students.filter((s) => s.first_name === 'Held')).toHaveLength(53);
    const [staged] = await h.sequelize.query('SELECT COUNT(*) AS n FROM oneroster_staging');
    expect(Number((staged as Array<{ n: number }>)[0]!.n)).toBe(0);
    await expect(h.sync.approve(held.id, admin)).rejects.toMatchObject({ status: 409, code: 'run_not_held' });
  });

  it('cancel discards a held run', async () => {
    const before = await rosterRows(h.sequelize, 'students');
    district.people = people.slice(10);
    const held = await syncUsersNow(h);
    expect(held.status).toBe('held');
    const cancelled = await h.sync.cancel(held.id, admin);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.counts.kinds).toEqual({});
    await h.sync.whenIdle();
    expect(await rosterRows(h.sequelize, 'students')).toEqual(before);
    const [staged] = await h.sequelize.query('SELECT COUNT(*) AS n FROM oneroster_staging');
    expect(Number((staged as Array<{ n: number }>)[0]!.n)).toBe(0);
    await expect(h.sync.approve(held.id, admin)).rejects.toMatchObject({ status: 409, code: 'run_not_held' });
  });

  it('refuses to approve a plan the roster has moved on from', async () => {
    district.people = people.slice(10);
    const held = await syncUsersNow(h);
    expect(held.status).toBe('held');
    // A building sync changes the roster without superseding the held user plan.
    expect((await syncBuildingsNow(h)).status).toBe('succeeded');
    await expect(h.sync.approve(held.id, admin)).rejects.toMatchObject({ status: 409, code: 'plan_outdated' });
    expect((await h.sync.getRun(held.id)).status).toBe('held');
    // The next user run supersedes the outdated plan and sweeps its staged rows.
    district.people = people;
    expect((await syncUsersNow(h)).status).toBe('succeeded');
    const [staged] = await h.sequelize.query(`SELECT COUNT(*) AS n FROM oneroster_staging WHERE run_id = ${held.id}`);
    expect(Number((staged as Array<{ n: number }>)[0]!.n)).toBe(0);
    expect((await h.sync.getRun(held.id)).status).toBe('superseded');
    await expect(h.sync.cancel(held.id, admin)).rejects.toMatchObject({ status: 409, code: 'run_not_cancellable' });
  });

  it('holds an empty feed rather than deactivating everyone', async () => {
    const before = await rosterRows(h.sequelize, 'students');
    district.people = [];
    const run = await syncUsersNow(h);
    expect(run.status).toBe('held');
    expect(run.plan!.deactivations.students).toMatchObject({ planned: 60 });
    expect(await rosterRows(h.sequelize, 'students')).toEqual(before);
  });

  it('holds an empty feed even when it is under the threshold', async () => {
    const small = people.slice(0, 4);
    district.people = small;
    await syncUsersNow(h); // 56 deactivated would exceed 6: held
    await resetTables(h.sequelize);
    await syncBuildingsNow(h);
    await syncUsersNow(h);
    district.people = [];
    const run = await syncUsersNow(h);
    expect(run.status).toBe('held');
    expect(run.plan!.deactivations.students).toMatchObject({ planned: 4, threshold: 5 });
  });

  it('holds a building sync that would deactivate many buildings', async () => {
    district.schools = Array.from({ length: 30 }, (_, i) => school(`org-${i + 1}`));
    expect((await syncBuildingsNow(h)).counts.kinds.buildings!.created).toBe(29);
    district.schools = [school('org-1')];
    const run = await syncBuildingsNow(h);
    expect(run.status).toBe('held');
    expect(run.plan!.deactivations.buildings).toMatchObject({ planned: 29, active: 30, threshold: 5 });
    expect((await rosterRows(h.sequelize, 'buildings')).every((b) => b.active)).toBe(true);
    await h.sync.approve(run.id, admin);
    expect((await h.sync.waitForRun(run.id)).status).toBe('succeeded');
    expect((await rosterRows(h.sequelize, 'buildings')).filter((b) => b.active)).toHaveLength(1);
  });
});
