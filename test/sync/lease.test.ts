import { Transaction } from 'sequelize';
import { createSequelizeRosterStore } from '../../server/store/sequelize-roster-store';
import { describeEachDatabase } from '../helpers/databases';
import { waitUntil } from '../helpers/wait-until';
import {
  createFakeConnection, createSyncHarness, person, resetTables, rosterRows, school, syncBuildingsNow, syncUsersNow,
  type FakeDistrict, type SyncHarness,
} from './harness';

/** How many rows a run has staged so far. */
async function stagedRows(harness: SyncHarness, runId: number): Promise<number> {
  const [rows] = await harness.sequelize.query(`SELECT COUNT(*) AS n FROM oneroster_staging WHERE run_id = ${runId}`);
  return Number((rows as Array<{ n: number }>)[0]!.n);
}

const request = { trigger: 'manual' as const, user: { id: 7, name: 'Ada Admin' } };

describeEachDatabase('one sync at a time', (db) => {
  let h: SyncHarness;
  let other: SyncHarness; // a second "process": its own service instance on the same database
  let district: FakeDistrict;

  beforeAll(async () => {
    district = { schools: [school('org-1')], people: Array.from({ length: 20 }, (_, i) => person(`s${i}`)) };
    h = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 5 }), { leaseTtlMs: 1500 });
    other = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 5 }), { leaseTtlMs: 1500 });
  });
  beforeEach(() => resetTables(h.sequelize));
  afterAll(async () => {
    await h.sync.whenIdle();
    await other.sync.whenIdle();
  });

  it('two simultaneous starts give one run and one 409 naming it', async () => {
    const results = await Promise.allSettled([h.sync.startBuildingSync(request), other.sync.startBuildingSync(request)]);
    const started = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const run = (started[0] as PromiseFulfilledResult<{ id: number; status: string }>).value;
    expect(run.status).toBe('queued');
    expect(refused[0]!.reason).toMatchObject({ status: 409, code: 'sync_in_progress', details: { runId: run.id } });
    await h.sync.waitForRun(run.id);
    expect((await h.sync.listRuns({ limit: 10, offset: 0 })).total).toBe(1);
  });

  it('building and user syncs share the lease; activeRun names the running run in every process', async () => {
    await syncBuildingsNow(h);
    const slow = createFakeConnection(district, { pageSize: 5, pageDelayMs: 150 });
    h.setConnection(slow);
    try {
      const run = await h.sync.startUserSync(request);
      await expect(other.sync.startBuildingSync(request)).rejects.toMatchObject({ code: 'sync_in_progress', details: { runId: run.id } });
      expect(await other.sync.activeRun()).toMatchObject({ id: run.id, kind: 'users' });
      const done = await h.sync.waitForRun(run.id);
      expect(done.status).toBe('succeeded');
      expect(await other.sync.activeRun()).toBeNull();
      // Free again once it ended.
      const next = await other.sync.startBuildingSync(request);
      await other.sync.waitForRun(next.id);
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 5 }));
    }
  });

  it('frees the lease as the run ends: the next sync can start the moment waitForRun returns', async () => {
    for (let i = 0; i < 5; i++) {
      const buildings = await h.sync.startBuildingSync(request);
      expect((await h.sync.waitForRun(buildings.id)).status).toBe('succeeded');
      const users = await h.sync.startUserSync(request);
      expect((await h.sync.waitForRun(users.id)).status).toBe('succeeded');
    }
  });

  it('takes over a lease left by a crashed process and marks its run interrupted', async () => {
    const now = new Date();
    await h.sequelize.getQueryInterface().bulkInsert('oneroster_runs', [
      { id: 900, kind: 'users', run_trigger: 'schedule', mode: 'full', dry_run: false, status: 'running', phase: 'pulling', processed: 10, issue_count: 0, created_at: now, started_at: now, updated_at: now },
    ]);
    await h.sequelize.query(`UPDATE oneroster_sync_lease SET holder_id = 'dead-process', run_id = 900, expires_at_ms = ${Date.now() - 1000}`);
    await h.sequelize.getQueryInterface().bulkInsert('oneroster_staging', [
      { run_id: 900, kind: 'students', sourced_id: 'left-over', action: 'create', disabled: false },
    ]);

    const run = await h.sync.startBuildingSync(request);
    expect((await h.sync.waitForRun(run.id)).status).toBe('succeeded');
    const dead = await h.sync.getRun(900);
    expect(dead).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
    expect(h.finished.some((r) => r.id === 900 && r.status === 'failed')).toBe(true);
    await h.sync.whenIdle();
    expect(await stagedRows(h, 900)).toBe(0);
  });

  it('refuses while another process holds a live lease', async () => {
    await h.sequelize.query(`UPDATE oneroster_sync_lease SET holder_id = 'alive', run_id = 901, expires_at_ms = ${Date.now() + 60_000}`);
    await expect(h.sync.startBuildingSync(request)).rejects.toMatchObject({ status: 409, code: 'sync_in_progress', details: { runId: 901 } });
    expect((await h.sync.listRuns({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it('a run whose lease is taken over stops and applies nothing', async () => {
    await syncBuildingsNow(h);
    h.setConnection(createFakeConnection(district, { pageSize: 2, pageDelayMs: 200 }));
    try {
      const run = await h.sync.startUserSync(request);
      // Mid-pull: it has taken in a page (staged, or on MariaDB loaded into its first load), and the apply is still ahead of it.
      await waitUntil(async () => (await h.sync.getRun(run.id)).progress.processed > 0, 10_000, 'the run to take in its first page');
      await h.sequelize.query(`UPDATE oneroster_sync_lease SET holder_id = 'usurper', expires_at_ms = ${Date.now() + 60_000}`);
      const done = await h.sync.waitForRun(run.id);
      expect(done).toMatchObject({ status: 'failed', error: { code: 'lease_lost' } });
      expect(await rosterRows(h.sequelize, 'students')).toHaveLength(0);
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 5 }));
    }
  });

  it('a throwing onRunFinished is logged and never fails the run', async () => {
    const throwing = await createSyncHarness(db(), createFakeConnection(district), {
      onRunFinished: () => {
        throw new Error('host hook broke');
      },
    });
    const run = await throwing.sync.startBuildingSync(request);
    expect((await throwing.sync.waitForRun(run.id)).status).toBe('succeeded');
    await throwing.sync.whenIdle();
    expect(throwing.logger.lines.some((line) => line.includes('onRunFinished failed') && line.includes('host hook broke'))).toBe(true);
  });

  it('refuses a user sync before buildings and when nothing is configured, without queuing a run', async () => {
    await expect(h.sync.startUserSync(request)).rejects.toMatchObject({ status: 409, code: 'buildings_not_synced' });
    h.setConnection(null);
    try {
      await expect(h.sync.startBuildingSync(request)).rejects.toMatchObject({ status: 409, code: 'not_configured' });
      await expect(h.sync.startUserSync(request)).rejects.toMatchObject({ status: 409, code: 'not_configured' });
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 5 }));
    }
    expect((await h.sync.listRuns({ limit: 10, offset: 0 })).total).toBe(0);
    await syncBuildingsNow(h);
    expect((await syncUsersNow(h)).status).toBe('succeeded');
  });
  it('frees the lease even when the commit that ends a run fails', async () => {
    // The run's last write is the transaction that records its end and frees the lease: fail that
    // commit once (rolled back, as a lost connection or deadlock would), once the roster is applied.
    let armed = false;
    const store = createSequelizeRosterStore(h.sequelize);
    const failing = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 5 }), {
      leaseTtlMs: 60_000,
      rosterStore: { ...store, applyBuildings: async (changes, at) => { await store.applyBuildings(changes, at); armed = true; } },
    });
    const realCommit = Transaction.prototype.commit;
    const commit = jest.spyOn(Transaction.prototype, 'commit').mockImplementation(async function (this: Transaction) {
      if (!armed) return realCommit.call(this);
      armed = false;
      await this.rollback();
      throw new Error('simulated commit failure');
    });
    try {
      const run = await failing.sync.startBuildingSync(request);
      await failing.sync.whenIdle();
      expect((await failing.sync.getRun(run.id)).status).toBe('failed');
    } finally {
      commit.mockRestore();
    }
    // Free now, not when its 60 s expire: another process starts at once.
    const next = await other.sync.startBuildingSync(request);
    expect((await other.sync.waitForRun(next.id)).status).toBe('succeeded');
  });
});
