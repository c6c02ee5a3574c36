import request from 'supertest';
import type { Sequelize } from 'sequelize';
import type { Sandbox } from '../../examples/oneroster-sandbox';
import type { RunView } from '../../server/domain/contract';
import { resolveOptions } from '../../server/options';
import { sizeRunLimits } from '../../server/sync/run-limits';
import { AS_ADMIN, createMemoryLogger, createTestHost, MOUNT, TEST_ENCRYPTION_KEY, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { assertRosterInvariants, snapshotRoster } from '../helpers/invariants';
import { createReliabilityHost, providerInput, RELIABILITY_HTTP, resetDatabase, saveConfig, startSmallDistrict, syncNow, waitUntil } from './kit';
import { endlessFeed, repeatPageFeed, startStubProvider, type StubProvider } from './stub-provider';
import { internalsOf } from '../../server/create-oneroster';

async function count(sequelize: Sequelize, sql: string): Promise<number> {
  const [rows] = await sequelize.query(sql);
  return Number((rows as Array<Record<string, unknown>>)[0]?.n ?? 0);
}

async function start(host: TestHost, kind: 'users' | 'buildings'): Promise<number> {
  const started = await request(host.app).post(`${MOUNT}/sync/${kind}`).set(AS_ADMIN).send({});
  if (started.status !== 202) throw new Error(`POST /sync/${kind} answered ${started.status}: ${JSON.stringify(started.body)}`);
  return (started.body as { run: RunView }).run.id;
}

async function runStatus(sequelize: Sequelize, id: number): Promise<string> {
  const [rows] = await sequelize.query(`SELECT status FROM oneroster_runs WHERE id = ${Number(id)}`);
  return String((rows as Array<{ status: string }>)[0]?.status);
}

describeEachDatabase('runs you can stop; disabled means disabled', (db) => {
  let sandbox: Sandbox;
  let host: TestHost;

  beforeAll(async () => {
    sandbox = await startSmallDistrict();
    host = await createReliabilityHost(db(), sandbox);
    await resetDatabase(db().sequelize);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    expect((await syncNow(host, 'users')).status).toBe('succeeded');
  });
  afterEach(async () => {
    sandbox.faults.clear();
    await host.oneroster.sync.whenIdle();
  });
  afterAll(async () => {
    await host.oneroster.close();
    await sandbox.close();
  });

  it('while OneRoster is off, manual syncs, approving a held run and the daily job are refused with 409 oneroster_disabled', async () => {
    // A held run: an empty feed would deactivate everyone.
    sandbox.faults.set({ kind: 'emptyFeed', path: '/users' });
    const held = await syncNow(host, 'users');
    expect(held.status).toBe('held');
    sandbox.faults.clear();
    const before = await snapshotRoster(db().sequelize);

    const automation = await request(host.app).put(`${MOUNT}/automation`).set(AS_ADMIN).send({ studentImport: true, staffImport: true, paused: false });
    expect(automation.status).toBe(200);
    expect((await request(host.app).delete(`${MOUNT}/config`).set(AS_ADMIN).set('Content-Type', 'application/json').send('{}')).status).toBe(200);
    for (const kind of ['users', 'buildings'] as const) {
      const res = await request(host.app).post(`${MOUNT}/sync/${kind}`).set(AS_ADMIN).send({});
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('oneroster_disabled');
    }
    const approve = await request(host.app).post(`${MOUNT}/runs/${held.id}/approve`).set(AS_ADMIN).send({});
    expect(approve.status).toBe(409);
    expect(approve.body.error.code).toBe('oneroster_disabled');
    expect((await host.oneroster.sync.getRun(held.id)).status).toBe('held');

    const daily = await internalsOf(host.oneroster).scheduler.runSlot(new Date());
    expect(daily).toMatchObject({ status: 'ran', outcome: 'not_started', runIds: [] });
    const [claims] = await db().sequelize.query(`SELECT error_code FROM oneroster_schedule_claims WHERE slot_key = '${daily.slot}'`);
    expect((claims as Array<{ error_code: string }>)[0]!.error_code).toBe('oneroster_disabled');

    expect(await snapshotRoster(db().sequelize)).toEqual(before);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    await request(host.app).post(`${MOUNT}/runs/${held.id}/cancel`).set(AS_ADMIN).send({});
  });

  it('turning OneRoster off mid-run cancels the run: it ends cancelled, nothing changed, OneRoster stays off', async () => {
    sandbox.faults.set({ kind: 'slow', delayMs: 300, path: '/users' });
    const person = [...sandbox.district.people()].find((p) => p.role === 'student' && p.status === 'active' && p.familyName)!;
    sandbox.district.updatePerson(person.sourcedId, { familyName: 'Mid-Disable' });
    const before = await snapshotRoster(db().sequelize);
    const runId = await start(host, 'users');
    await waitUntil(async () => (await runStatus(db().sequelize, runId)) === 'running', 10_000, 'the run to start');

    const disabled = await request(host.app).delete(`${MOUNT}/config`).set(AS_ADMIN).set('Content-Type', 'application/json').send('{}');
    expect(disabled.status).toBe(200);
    const run = await host.oneroster.sync.waitForRun(runId);
    await host.oneroster.sync.whenIdle();
    expect(run).toMatchObject({ status: 'cancelled', error: { code: 'oneroster_disabled' } });
    expect(await snapshotRoster(db().sequelize)).toEqual(before);
    expect((await request(host.app).get(`${MOUNT}/config`).set(AS_ADMIN)).body.enabled).toBe(false);
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_staging')).toBe(0);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
  });

  it('cancelling a running run stops it at the next page: it ends cancelled and changes nothing', async () => {
    sandbox.faults.set({ kind: 'slow', delayMs: 300, path: '/users' });
    const person = [...sandbox.district.people()].find((p) => p.role === 'student' && p.status === 'active' && p.familyName && p.familyName !== 'Mid-Disable')!;
    sandbox.district.updatePerson(person.sourcedId, { familyName: 'Mid-Cancel' });
    const before = await snapshotRoster(db().sequelize);
    const runId = await start(host, 'users');
    await waitUntil(async () => (await runStatus(db().sequelize, runId)) === 'running', 10_000, 'the run to start');
    const cancel = await request(host.app).post(`${MOUNT}/runs/${runId}/cancel`).set(AS_ADMIN).send({});
    expect(cancel.status).toBe(200);
    const run = await host.oneroster.sync.waitForRun(runId);
    await host.oneroster.sync.whenIdle();
    expect(run).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    expect(await snapshotRoster(db().sequelize)).toEqual(before);
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_staging')).toBe(0);
    // Not a running run any more: a second cancel is refused.
    expect((await request(host.app).post(`${MOUNT}/runs/${runId}/cancel`).set(AS_ADMIN).send({})).body.error.code).toBe('run_not_cancellable');
    await assertRosterInvariants(db().sequelize);
  });

  it('a cancel sent to another server reaches the run through the lease, at its next heartbeat', async () => {
    const other = await createReliabilityHost(db(), sandbox, { leaseTtlMs: 1500 });
    try {
      sandbox.faults.set({ kind: 'slow', delayMs: 300, path: '/users' });
      const before = await snapshotRoster(db().sequelize);
      const runId = await start(other, 'users');
      await waitUntil(async () => (await runStatus(db().sequelize, runId)) === 'running', 10_000, 'the run to start');
      expect((await request(host.app).post(`${MOUNT}/runs/${runId}/cancel`).set(AS_ADMIN).send({})).status).toBe(200);
      const run = await other.oneroster.sync.waitForRun(runId);
      expect(run).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
      await other.oneroster.sync.whenIdle();
      expect(await snapshotRoster(db().sequelize)).toEqual(before);
    } finally {
      await other.oneroster.close();
    }
  });

  it('close() (SIGTERM) aborts a running run instead of waiting for it: it ends failed with shutdown', async () => {
    const other = await createReliabilityHost(db(), sandbox);
    sandbox.faults.set({ kind: 'slow', delayMs: 500, path: '/users' });
    const before = await snapshotRoster(db().sequelize);
    const runId = await start(other, 'users');
    await waitUntil(async () => (await runStatus(db().sequelize, runId)) === 'running', 10_000, 'the run to start');
    await other.oneroster.close();
    // Ended by the time close() resolved, without the pull having finished.
    expect(await host.oneroster.sync.getRun(runId)).toMatchObject({ status: 'failed', error: { code: 'shutdown' } });
    expect(await snapshotRoster(db().sequelize)).toEqual(before);
  });
});

describeEachDatabase('run caps: a provider that repeats one page or never ends its feed', (db) => {
  let runaway: StubProvider | undefined;
  let host: TestHost | undefined;

  afterEach(async () => {
    await host?.oneroster.close();
    await runaway?.close();
    host = undefined;
    runaway = undefined;
  });

  async function setUp(feed: 'repeatPage' | 'endless', runLimits: { maxRunMs?: number; maxPages?: number; maxStagedRows?: number }): Promise<TestHost> {
    runaway = await startStubProvider(feed === 'repeatPage' ? repeatPageFeed : endlessFeed);
    host = await createTestHost(db(), { http: { ...RELIABILITY_HTTP }, runLimits });
    await resetDatabase(db().sequelize);
    await saveConfig(host, runaway.config);
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    return host;
  }

  it('a provider repeating one page forever: the run ends failed with page_limit, nothing applied', async () => {
    const h = await setUp('repeatPage', { maxPages: 40 });
    const run = await syncNow(h, 'users');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'page_limit' } });
    // The cap, the building sync's one page, and the requests already in flight beside the last
    // page counted (the default concurrency of 4 keeps up to 3 more).
    expect(runaway!.pages()).toBeLessThanOrEqual(41 + 3);
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students')).toBe(0);
  });

  it('a feed that never ends: the run ends failed with staged_row_limit, nothing applied', async () => {
    const h = await setUp('endless', { maxStagedRows: 1000 });
    const run = await syncNow(h, 'users');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'staged_row_limit' } });
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students')).toBe(0);
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_staging')).toBe(0);
  });

  it('a slow feed that never ends: the run ends failed with run_time_limit, nothing applied', async () => {
    const h = await setUp('endless', { maxRunMs: 1500 });
    runaway!.setDelay(50);
    const run = await syncNow(h, 'users');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'run_time_limit' } });
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students')).toBe(0);
  });

  it('a slow feed that never ends, under the default caps: an admin cancels it (200, the run ends cancelled) and config changes are not stuck behind it', async () => {
    // Its own host with the caps sized from the district: under the 1.5 s cap above, a loaded
    // machine could end the run run_time_limit before the cancel arrived (409 run_not_cancellable).
    const h = await setUp('endless', {});
    runaway!.setDelay(50);
    const served = runaway!.pages(); // the building sync's
    const runId = await start(h, 'users');
    await waitUntil(() => runaway!.pages() > served + 5, 10_000, 'the endless pull to be under way');
    expect((await request(h.app).post(`${MOUNT}/runs/${runId}/cancel`).set(AS_ADMIN).send({})).status).toBe(200);
    expect((await h.oneroster.sync.waitForRun(runId)).status).toBe('cancelled');
    await h.oneroster.sync.whenIdle();
    expect((await request(h.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(runaway!.config)).status).toBe(200);
  });
});

describe('run caps are sized from the district', () => {
  const logger = createMemoryLogger();
  const options = resolveOptions({ sequelize: { getDialect: () => 'sqlite' } as never, encryptionKey: TEST_ENCRYPTION_KEY, logger }, logger);

  it('defaults: 5× the roster, at least 2,000,000 staged rows (a first sync of a big district), pages to match, 6 hours', () => {
    expect(sizeRunLimits(options, 120)).toEqual({ maxRunMs: 6 * 60 * 60 * 1000, maxStagedRows: 2_000_000, maxPages: 20_000 });
    expect(sizeRunLimits(options, 1_000_000)).toEqual({ maxRunMs: 6 * 60 * 60 * 1000, maxStagedRows: 5_000_000, maxPages: 50_000 });
  });

  it('the host may set each cap', () => {
    const set = resolveOptions(
      { sequelize: options.sequelize, encryptionKey: TEST_ENCRYPTION_KEY, logger, runLimits: { maxRunMs: 60_000, maxPages: 10, maxStagedRows: 20 } },
      logger,
    );
    expect(sizeRunLimits(set, 1_000_000)).toEqual({ maxRunMs: 60_000, maxPages: 10, maxStagedRows: 20 });
  });
});
