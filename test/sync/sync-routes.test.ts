import request from 'supertest';
import { AS_ADMIN, MOUNT } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { createFakeConnection, createSyncHarness, person, resetTables, school, type FakeDistrict, type SyncHarness } from './harness';

describeEachDatabase('sync routes', (db) => {
  let h: SyncHarness;
  let district: FakeDistrict;

  beforeAll(async () => {
    district = { schools: [school('org-1')], people: Array.from({ length: 40 }, (_, i) => person(`s${i}`)) };
    h = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 10 }), { safeguard: { minDeactivations: 2, maxDeactivationRatio: 0.05 } });
  });
  beforeEach(() => resetTables(h.sequelize));
  afterAll(() => h.sync.whenIdle());

  const post = (path: string, body: object = {}) => request(h.app).post(`${MOUNT}${path}`).set(AS_ADMIN).send(body);
  const get = (path: string) => request(h.app).get(`${MOUNT}${path}`).set(AS_ADMIN);

  it('answers 202 with the queued run at once, and the run shows its result when done', async () => {
    const res = await post('/sync/buildings');
    expect(res.status).toBe(202);
    expect(res.body.run).toMatchObject({ kind: 'buildings', status: 'queued', trigger: 'manual', requestedBy: 'Ada Admin', mode: 'full', dryRun: false, issues: [], plan: null });
    await h.sync.waitForRun(res.body.run.id);
    const run = await get(`/runs/${res.body.run.id}`);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ status: 'succeeded', phase: 'done', counts: { kinds: { buildings: { created: 1 } } }, error: null });
    expect(run.body.durationMs).toEqual(expect.any(Number));
  });

  it('answers 409 buildings_not_synced before a building sync, then syncs users with mode and dryRun', async () => {
    const early = await post('/sync/users');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('buildings_not_synced');
    await h.sync.waitForRun((await post('/sync/buildings')).body.run.id);

    const dry = await post('/sync/users', { dryRun: true });
    expect(dry.status).toBe(202);
    expect(dry.body.run).toMatchObject({ kind: 'users', dryRun: true });
    expect((await h.sync.waitForRun(dry.body.run.id)).counts.kinds.students!.created).toBe(40);

    const bad = await post('/sync/users', { mode: 'sometimes' });
    expect(bad.status).toBe(400);
  });

  it('answers 409 sync_in_progress with the running run id', async () => {
    h.setConnection(createFakeConnection(district, { pageSize: 10, pageDelayMs: 100 }));
    try {
      const first = await post('/sync/buildings');
      const second = await post('/sync/buildings');
      expect(second.status).toBe(409);
      expect(second.body.error).toMatchObject({ code: 'sync_in_progress', details: { runId: first.body.run.id } });
      await h.sync.waitForRun(first.body.run.id);
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 10 }));
    }
  });

  it('lists runs newest first with filters and a total, and answers 404 for an unknown run', async () => {
    await h.sync.waitForRun((await post('/sync/buildings')).body.run.id);
    await h.sync.waitForRun((await post('/sync/users')).body.run.id);
    await h.sync.waitForRun((await post('/sync/buildings')).body.run.id);
    const all = await get('/runs');
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((r: { kind: string }) => r.kind)).toEqual(['buildings', 'users', 'buildings']);
    expect(all.body.items[0].id).toBeGreaterThan(all.body.items[1].id);
    const users = await get('/runs?kind=users&status=succeeded');
    expect(users.body).toMatchObject({ total: 1, items: [{ kind: 'users', status: 'succeeded' }] });
    const page = await get('/runs?limit=1&offset=1');
    expect(page.body.total).toBe(3);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].kind).toBe('users');
    expect((await get('/runs/999999')).status).toBe(404);
  });

  it('approves and cancels held runs over HTTP', async () => {
    await h.sync.waitForRun((await post('/sync/buildings')).body.run.id);
    await h.sync.waitForRun((await post('/sync/users')).body.run.id);
    district.people = (district.people as ReturnType<typeof person>[]).slice(5);
    const held = await h.sync.waitForRun((await post('/sync/users')).body.run.id);
    expect(held.status).toBe('held');
    const cancelled = await post(`/runs/${held.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.run.status).toBe('cancelled');

    const again = await h.sync.waitForRun((await post('/sync/users')).body.run.id);
    expect(again.status).toBe('held');
    const approved = await post(`/runs/${again.id}/approve`);
    expect(approved.status).toBe(200);
    expect((await h.sync.waitForRun(again.id)).status).toBe('succeeded');
    expect((await post(`/runs/${again.id}/cancel`)).status).toBe(409);
  });
});
