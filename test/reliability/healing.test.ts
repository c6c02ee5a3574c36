import request from 'supertest';
import type { Sequelize } from 'sequelize';
import type { Sandbox } from '../../examples/oneroster-sandbox';
import type { RunView } from '../../server/domain/contract';
import { AS_ADMIN, MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { assertRosterInvariants } from '../helpers/invariants';
import { createReliabilityHost, providerInput, resetDatabase, saveConfig, startSmallDistrict, syncNow, waitUntil } from './kit';
import { createOutageDatabase, type OutageDatabase } from './outage';
import { internalsOf } from '../../server/create-oneroster';

/** Short, so a lease left behind expires within the test. */
const LEASE_TTL_MS = 1500;
/** The clock gap between two servers that made the second steal a live lease. */
const CLOCK_GAP_MS = 75_000;

async function runRow(sequelize: Sequelize, id: number): Promise<{ status: string; phase: string; error_code: string | null }> {
  const [rows] = await sequelize.query(`SELECT status, phase, error_code FROM oneroster_runs WHERE id = ${Number(id)}`);
  const row = (rows as Array<Record<string, unknown>>)[0]!;
  return { status: String(row.status), phase: String(row.phase), error_code: (row.error_code as string | null) ?? null };
}

async function startUsers(host: TestHost): Promise<number> {
  const started = await request(host.app).post(`${MOUNT}/sync/users`).set(AS_ADMIN).send({});
  if (started.status !== 202) throw new Error(`POST /sync/users answered ${started.status}: ${JSON.stringify(started.body)}`);
  return (started.body as { run: RunView }).run.id;
}

describeEachDatabase('healing leases: outages, clock skew, dead runs and stalled days', (db) => {
  let sandbox: Sandbox;
  let outage: OutageDatabase;
  let host: TestHost;

  beforeAll(async () => {
    sandbox = await startSmallDistrict();
    outage = await createOutageDatabase(db());
    host = await createReliabilityHost(outage.db, sandbox, { leaseTtlMs: LEASE_TTL_MS });
    await resetDatabase(db().sequelize);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
  });
  afterEach(() => sandbox.faults.clear());
  afterAll(async () => {
    await host.oneroster.close();
    await outage.close();
    await sandbox.close();
  });

  it('a database outage mid-sync (release fails) does not block syncs once the database is back: the lease expires, the dead run is marked failed', async () => {
    sandbox.faults.set({ kind: 'slow', delayMs: 400, path: '/users' });
    const runId = await startUsers(host);
    await waitUntil(async () => (await runRow(db().sequelize, runId)).status === 'running', 10_000, 'the run to start');
    await outage.cut();
    // The run fails on the dead database; recording that and releasing the lease fail too.
    await host.oneroster.sync.whenIdle();
    expect((await runRow(db().sequelize, runId)).status).toBe('running');
    await outage.restore();
    sandbox.faults.clear();

    // Within a few lease lifetimes a new sync starts: nothing renews the dead run's lease.
    let next: request.Response | undefined;
    await waitUntil(async () => {
      next = await request(host.app).post(`${MOUNT}/sync/buildings`).set(AS_ADMIN).send({});
      return next.status === 202;
    }, 8 * LEASE_TTL_MS, 'a sync to be accepted after the outage');
    const nextId = (next!.body as { run: RunView }).run.id;
    expect((await host.oneroster.sync.waitForRun(nextId)).status).toBe('succeeded');
    await host.oneroster.sync.whenIdle();
    // The run the outage killed is not shown running for ever.
    expect(await runRow(db().sequelize, runId)).toMatchObject({ status: 'failed', phase: 'done', error_code: 'interrupted' });
    expect(host.logger.lines.some((line) => line.includes('oneroster lease release failed'))).toBe(true);
    await assertRosterInvariants(db().sequelize);
  });

  it(`two servers ${CLOCK_GAP_MS / 1000} s apart in clock: the one ahead does not steal the live lease (the database's clock judges it)`, async () => {
    const ahead = await createReliabilityHost(db(), sandbox, { leaseTtlMs: 60_000, clock: { now: () => new Date(Date.now() + CLOCK_GAP_MS) } });
    const behindHost = await createReliabilityHost(db(), sandbox, { leaseTtlMs: 60_000, clock: { now: () => new Date(Date.now() - CLOCK_GAP_MS) } });
    try {
      sandbox.faults.set({ kind: 'slow', delayMs: 300, path: '/users' });
      const runId = await startUsers(behindHost);
      await waitUntil(async () => (await runRow(db().sequelize, runId)).status === 'running', 10_000, 'the run to start');
      const second = await request(ahead.app).post(`${MOUNT}/sync/buildings`).set(AS_ADMIN).send({});
      expect(second.status).toBe(409);
      expect(second.body.error).toMatchObject({ code: 'sync_in_progress', details: { runId } });
      expect((await ahead.oneroster.sync.activeRun())?.id).toBe(runId);
      sandbox.faults.clear();
      const run = await behindHost.oneroster.sync.waitForRun(runId);
      expect(run.status).toBe('succeeded');
    } finally {
      await ahead.oneroster.close();
      await behindHost.oneroster.close();
    }
  });

  it('at start-up, a run left running by a dead server is marked failed, and a daily claim it left running is marked failed and retried', async () => {
    const now = new Date();
    await db().sequelize.getQueryInterface().bulkInsert('oneroster_runs', [
      { kind: 'users', run_trigger: 'schedule', mode: 'full', dry_run: false, status: 'running', phase: 'applying', processed: 10, issue_count: 0, created_at: now, started_at: now, updated_at: now },
    ]);
    const [dead] = (await db().sequelize.query('SELECT MAX(id) AS id FROM oneroster_runs'))[0] as Array<{ id: number }>;
    const deadId = Number(dead!.id);
    await db().sequelize.query(`UPDATE oneroster_sync_lease SET holder_id = 'dead-server', run_id = ${deadId}, expires_at_ms = 1`);
    // The daily slot that server claimed an hour ago, still "running", no longer renewed.
    const slotAt = new Date(now.getTime() - 60 * 60_000);
    slotAt.setUTCSeconds(0, 0);
    const dailyTime = slotAt.toISOString().slice(11, 16);
    const saved = await request(host.app).put(`${MOUNT}/automation`).set(AS_ADMIN).send({ dailyTime, timezone: 'UTC', studentImport: true, staffImport: true, paused: false });
    expect(saved.status).toBe(200);
    const slotKey = `${slotAt.toISOString().slice(0, 10)} ${dailyTime} UTC`;
    await db().sequelize.getQueryInterface().bulkInsert('oneroster_schedule_claims', [
      { slot_key: slotKey, scheduled_for: slotAt, claimed_by: 'dead-server', claimed_at: slotAt, outcome: 'running', building_run_id: deadId, expires_at_ms: 1 },
    ]);

    const restarted = await createReliabilityHost(db(), sandbox, { leaseTtlMs: LEASE_TTL_MS });
    try {
      await restarted.oneroster.scheduler.start();
      await waitUntil(async () => {
        const [rows] = await db().sequelize.query(`SELECT outcome FROM oneroster_schedule_claims WHERE slot_key = '${slotKey}'`);
        return ['succeeded', 'held', 'error', 'not_started'].includes(String((rows as Array<{ outcome: string }>)[0]?.outcome));
      }, 60_000, 'the stalled day to be retried');
      await internalsOf(restarted.oneroster).scheduler.whenIdle();
      await restarted.oneroster.sync.whenIdle();
      expect(await runRow(db().sequelize, deadId)).toMatchObject({ status: 'failed', error_code: 'interrupted' });
      const [rows] = await db().sequelize.query(`SELECT outcome, claimed_by, building_run_id, user_run_id FROM oneroster_schedule_claims WHERE slot_key = '${slotKey}'`);
      const claim = (rows as Array<Record<string, unknown>>)[0]!;
      expect(claim.outcome).toBe('succeeded');
      expect(claim.claimed_by).not.toBe('dead-server');
      expect(Number(claim.building_run_id)).toBeGreaterThan(deadId);
      expect(claim.user_run_id).not.toBeNull();
    } finally {
      await restarted.oneroster.close();
    }
  });
});
