import request from 'supertest';
import { Sequelize } from 'sequelize';
import type { Sandbox } from '../../examples/oneroster-sandbox';
import type { RunView } from '../../server/domain/contract';
import type { RosterStore } from '../../server/store/roster-store';
import { createSequelizeRosterStore } from '../../server/store/sequelize-roster-store';
import { AS_ADMIN, MOUNT, type TestHost } from '../helpers/app';
import { createScratchDatabase, describeEachDatabase, MARIADB_URL, type ScratchDatabase } from '../helpers/databases';
import { assertRosterInvariants, assertRunCountsMatch, rosterBySourcedId, snapshotRoster } from '../helpers/invariants';
import { killChild, spawnSyncChild } from './children';
import {
  changeDistrictALittle,
  createReliabilityHost,
  providerInput,
  resetDatabase,
  saveConfig,
  startSmallDistrict,
  syncNow,
  waitUntil,
} from './kit';

/** Short, so a killed process's lease expires within the test. */
const LEASE_TTL_MS = 2000;
/** Big enough that applying it takes several store batches (1000 rows each). */
const APPLY_DISTRICT = { students: 2500, schools: 3, seed: 12 };

/** The run row as the database holds it (what another server would see). */
async function runRow(sequelize: Sequelize, id?: number): Promise<{ id: number; status: string; phase: string; error_code: string | null } | null> {
  const where = id === undefined ? 'ORDER BY id DESC LIMIT 1' : `WHERE id = ${Number(id)}`;
  const [rows] = await sequelize.query(`SELECT id, status, phase, error_code FROM oneroster_runs ${where}`);
  const row = (rows as Array<Record<string, unknown>>)[0];
  return row ? { id: Number(row.id), status: String(row.status), phase: String(row.phase), error_code: (row.error_code as string | null) ?? null } : null;
}

async function count(sequelize: Sequelize, sql: string): Promise<number> {
  const [rows] = await sequelize.query(sql);
  return Number((rows as Array<Record<string, unknown>>)[0]?.n ?? 0);
}

/** Starts the run after a killed one (once its lease frees), waits for it, and expects it to succeed. */
async function nextRunAfter(host: TestHost, deadRunId: number): Promise<RunView> {
  const next = await host.oneroster.sync.waitForRun(await startUsersOnceLeaseFrees(host, deadRunId));
  await host.oneroster.sync.whenIdle();
  expect(next.status).toBe('succeeded');
  return next;
}

/** A count read without isolation (READ UNCOMMITTED, MariaDB): it sees rows of transactions not yet committed. */
async function dirtyCount(db: ScratchDatabase, sql: string): Promise<number> {
  const reader = new Sequelize(db.url, { logging: false, pool: { max: 1 } });
  try {
    await reader.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
    return await count(reader, sql);
  } finally {
    await reader.close();
  }
}

/** Starts a user sync through the router, retrying while a dead process's lease has not expired yet. */
async function startUsersOnceLeaseFrees(host: TestHost, deadRunId: number): Promise<number> {
  const until = Date.now() + LEASE_TTL_MS * 5;
  for (;;) {
    const res = await request(host.app).post(`${MOUNT}/sync/users`).set(AS_ADMIN).send({});
    if (res.status === 202) return (res.body as { run: RunView }).run.id;
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'sync_in_progress', details: { runId: deadRunId } });
    if (Date.now() > until) throw new Error('the dead run\'s lease never expired');
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** What a clean sync of the sandbox's current district gives, on a fresh database of the same kind. */
async function cleanSyncOf(sandbox: Sandbox, name: ScratchDatabase['name']): Promise<ReturnType<typeof rosterBySourcedId>> {
  const fresh = await createScratchDatabase(name);
  try {
    const host = await createReliabilityHost(fresh, sandbox, { http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 3, pageSize: 1000 } });
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    expect((await syncNow(host, 'users')).status).toBe('succeeded');
    await host.oneroster.close();
    return activeOnly(rosterBySourcedId(await snapshotRoster(fresh.sequelize)));
  } finally {
    await fresh.drop();
  }
}

/** Inactive rows carry history a fresh database never had; the roster anyone uses is the active rows. */
function activeOnly(roster: ReturnType<typeof rosterBySourcedId>): ReturnType<typeof rosterBySourcedId> {
  return { buildings: roster.buildings.filter((r) => r.active), students: roster.students.filter((r) => r.active), staff: roster.staff.filter((r) => r.active) };
}

/** The module's store, pausing after every batch of people so a test can act while a run applies. */
function pausingStore(sequelize: Sequelize, pauseMs: number): RosterStore {
  const store = createSequelizeRosterStore(sequelize);
  return {
    ...store,
    // Every create goes through applyPeople's batches, even on a first sync (a first load would
    // make them all visible at once, at the end), so the test can act between two batches.
    startFirstLoad: undefined,
    // This very store serves the default district (the module would use forDistrict's store instead).
    forDistrict: undefined,
    async applyPeople(kind, changes, at) {
      await store.applyPeople(kind, changes, at);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    },
  };
}

describeEachDatabase('crashes: a sync process killed mid-run', (db) => {
  let sandbox: Sandbox | undefined;
  let host: TestHost | undefined;

  /** Undo steps a test registers for after it, pass or fail. */
  const afterThisTest: Array<() => void> = [];

  afterEach(async () => {
    for (const undo of afterThisTest.splice(0)) undo();
    await host?.oneroster.close();
    await sandbox?.close();
    host = undefined;
    sandbox = undefined;
  });

  it('SIGKILL while pulling: nothing applied, the lease expires, the next run finishes the job and marks the dead one interrupted', async () => {
    sandbox = await startSmallDistrict();
    host = await createReliabilityHost(db(), sandbox, { leaseTtlMs: LEASE_TTL_MS });
    await resetDatabase(db().sequelize);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    expect((await syncNow(host, 'users')).status).toBe('succeeded');
    changeDistrictALittle(sandbox);
    const before = await snapshotRoster(db().sequelize);

    // Two pages answer, the third hangs: the child is caught in its pull with pages staged, and
    // stays there for seconds (timeout × retries), so the kill cannot come too late.
    sandbox.faults.set({ kind: 'hang', path: '/users', from: 3 });
    const child = spawnSyncChild({ dbUrl: db().url, command: 'sync', kind: 'users', leaseTtlMs: LEASE_TTL_MS });
    const { runId: deadRunId } = await child.next('started');
    await waitUntil(async () => (await runRow(db().sequelize, deadRunId))?.phase === 'pulling', 10_000, 'the child to pull');
    await waitUntil(() => sandbox!.faults.fired('hang') >= 1, 10_000, 'the third page to be asked for');
    // Pages are taken in as they arrive (in any order, with page requests in flight concurrently).
    // A re-sync stages few of their rows (unchanged people are only counted), so the child says
    // when it has matched one against the roster.
    await child.next('matched', 10_000);
    await killChild(child);
    expect(await runRow(db().sequelize, deadRunId)).toMatchObject({ status: 'running', phase: 'pulling' });

    // Killed mid-pull: not one row changed, and the roster rules still hold.
    const afterKill = await snapshotRoster(db().sequelize);
    expect(rosterBySourcedId(afterKill)).toEqual(rosterBySourcedId(before));
    await assertRosterInvariants(db().sequelize);

    sandbox.faults.clear();
    const next = await nextRunAfter(host, deadRunId);
    expect(await runRow(db().sequelize, deadRunId)).toMatchObject({ status: 'failed', error_code: 'interrupted' });
    const after = await snapshotRoster(db().sequelize);
    assertRunCountsMatch(next, before, after);
    await assertRosterInvariants(db().sequelize);
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_staging')).toBe(0);
    expect(activeOnly(rosterBySourcedId(after))).toEqual(await cleanSyncOf(sandbox, db().name));
  });

  it('SIGKILL during a first sync: the people written while pulling never appear, and the next run creates everyone once', async () => {
    sandbox = await startSmallDistrict(APPLY_DISTRICT);
    host = await createReliabilityHost(db(), sandbox, { leaseTtlMs: LEASE_TTL_MS });
    await resetDatabase(db().sequelize);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');

    sandbox.faults.set({ kind: 'hang', path: '/users', from: 3 });
    const child = spawnSyncChild({ dbUrl: db().url, command: 'sync', kind: 'users', leaseTtlMs: LEASE_TTL_MS, pageSize: 1000 });
    const { runId: deadRunId } = await child.next('started');
    await waitUntil(() => sandbox!.faults.fired('hang') >= 1, 10_000, 'the third page to be asked for');
    // MariaDB: the store loads an empty roster during the pull, in a transaction only a dirty read
    // sees. SQLite: no such load; the pull stages its pages.
    const inFlight = db().name === 'mariadb'
      ? () => dirtyCount(db(), 'SELECT COUNT(*) AS n FROM oneroster_students')
      : () => count(db().sequelize, `SELECT COUNT(*) AS n FROM oneroster_staging WHERE run_id = ${deadRunId}`);
    await waitUntil(async () => (await inFlight()) >= 1000, 10_000, 'the answered pages to be written');
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students')).toBe(0);
    await killChild(child);

    // The server rolls the dead connection's transaction back: nobody, not even to a dirty read.
    if (db().name === 'mariadb') await waitUntil(async () => (await inFlight()) === 0, 10_000, 'the load to be rolled back');
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students')).toBe(0);
    await assertRosterInvariants(db().sequelize);

    sandbox.faults.clear();
    const next = await nextRunAfter(host, deadRunId);
    const students = await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students');
    expect(next.counts.kinds.students).toMatchObject({ created: students, unchanged: 0 });
    await assertRosterInvariants(db().sequelize);
    expect(activeOnly(rosterBySourcedId(await snapshotRoster(db().sequelize)))).toEqual(await cleanSyncOf(sandbox, db().name));
  });

  it('SIGKILL while applying: a partly applied run breaks no rule, and the next run repairs the rest', async () => {
    sandbox = await startSmallDistrict(APPLY_DISTRICT);
    host = await createReliabilityHost(db(), sandbox, { leaseTtlMs: LEASE_TTL_MS, http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 3, pageSize: 1000 } });
    await resetDatabase(db().sequelize);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');

    // The child's store pauses after each batch of 1000 people: kill it after the first one landed.
    const child = spawnSyncChild({ dbUrl: db().url, command: 'sync', kind: 'users', leaseTtlMs: LEASE_TTL_MS, pageSize: 1000, slowApplyMs: 3000 });
    const { runId: deadRunId } = await child.next('started', 60_000);
    await waitUntil(async () => (await runRow(db().sequelize, deadRunId))?.phase === 'applying', 60_000, 'the child to apply');
    await waitUntil(async () => (await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students')) >= 1000, 20_000, 'a first batch to land');
    await killChild(child);
    const partial = await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students');
    expect(await runRow(db().sequelize, deadRunId)).toMatchObject({ status: 'running', phase: 'applying' });
    expect(partial).toBeGreaterThanOrEqual(1000);
    expect(partial).toBeLessThan(APPLY_DISTRICT.students);
    await assertRosterInvariants(db().sequelize);
    const afterKill = await snapshotRoster(db().sequelize);

    const nextId = await startUsersOnceLeaseFrees(host, deadRunId);
    const next = await host.oneroster.sync.waitForRun(nextId);
    await host.oneroster.sync.whenIdle();
    expect(next.status).toBe('succeeded');
    // It creates only the people the dead run had not: no one twice.
    expect(next.counts.kinds.students!.created).toBeGreaterThan(0);
    expect(next.counts.kinds.students!.unchanged).toBeGreaterThanOrEqual(partial - 1);
    expect(await runRow(db().sequelize, deadRunId)).toMatchObject({ status: 'failed', error_code: 'interrupted' });
    await assertRosterInvariants(db().sequelize);
    assertRunCountsMatch(next, afterKill, await snapshotRoster(db().sequelize));
    expect(await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_staging')).toBe(0);
    expect(activeOnly(rosterBySourcedId(await snapshotRoster(db().sequelize)))).toEqual(await cleanSyncOf(sandbox, db().name));
  });

  it('the database connection is lost while a run applies: the run fails cleanly and the next one succeeds', async () => {
    sandbox = await startSmallDistrict(APPLY_DISTRICT);
    // On SQLite the module gets its own pool on the file, which the test then closes under it.
    const own = db().name === 'sqlite' ? new Sequelize({ dialect: 'sqlite', storage: db().url.slice('sqlite:'.length), logging: false }) : db().sequelize;
    const broken = await createReliabilityHost({ ...db(), sequelize: own }, sandbox, {
      leaseTtlMs: LEASE_TTL_MS,
      http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 3, pageSize: 1000 },
      rosterStore: pausingStore(own, 1000),
    });
    host = broken;
    await resetDatabase(db().sequelize);
    await saveConfig(broken, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(broken, 'buildings')).status).toBe('succeeded');

    const started = await request(broken.app).post(`${MOUNT}/sync/users`).set(AS_ADMIN).send({});
    expect(started.status).toBe(202);
    const runId = (started.body as { run: RunView }).run.id;
    await waitUntil(async () => (await runRow(db().sequelize, runId))?.phase === 'applying', 60_000, 'the run to apply');
    await waitUntil(async () => (await count(db().sequelize, 'SELECT COUNT(*) AS n FROM oneroster_students')) >= 1000, 20_000, 'a first batch to land');
    // Sequelize warns on the console when it cannot roll back on a killed connection: expected here.
    const realWarn = console.warn;
    const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).startsWith('Rolling back transaction')) realWarn(...args);
    });
    afterThisTest.push(() => warn.mockRestore());
    await loseDatabase(db(), own);

    if (db().name === 'mariadb') {
      // The pool replaces the killed connection: the run records its own failure.
      await waitUntil(async () => (await runRow(db().sequelize, runId))?.status !== 'running', 20_000, 'the run to end');
      expect(await runRow(db().sequelize, runId)).toMatchObject({ status: 'failed', error_code: expect.stringMatching(/^[a-z_]+$/) });
    } else {
      // With its pool closed the process cannot write anything, not even the failure; another server takes over.
      await broken.oneroster.close();
      host = await createReliabilityHost(db(), sandbox, { leaseTtlMs: LEASE_TTL_MS, http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 3, pageSize: 1000 } });
    }
    await host.oneroster.sync.whenIdle();
    await assertRosterInvariants(db().sequelize);

    // The next run starts (the lease was freed, or expires) and completes the roster.
    const afterLoss = await snapshotRoster(db().sequelize);
    const nextId = await startUsersOnceLeaseFrees(host, runId);
    const next = await host.oneroster.sync.waitForRun(nextId);
    await host.oneroster.sync.whenIdle();
    expect(next.status).toBe('succeeded');
    const lost = await runRow(db().sequelize, runId);
    expect(lost).toMatchObject({ status: 'failed', error_code: expect.stringMatching(/^[a-z_]+$/) });
    assertRunCountsMatch(next, afterLoss, await snapshotRoster(db().sequelize));
    await assertRosterInvariants(db().sequelize);
    expect(activeOnly(rosterBySourcedId(await snapshotRoster(db().sequelize)))).toEqual(await cleanSyncOf(sandbox, db().name));
  });
});

/**
 * Takes the database away from the module in the middle of a write. On MariaDB another connection
 * locks the students table so the run's next write waits, then `KILL`s the connection that waits
 * (the run's query dies with "connection lost") and unlocks. On SQLite, whose driver waits out
 * locks, the module's own pool is closed under it.
 */
async function loseDatabase(db: ScratchDatabase, own: Sequelize): Promise<void> {
  if (db.name === 'mariadb') {
    const schema = db.url.slice(db.url.lastIndexOf('/') + 1);
    const admin = new Sequelize(MARIADB_URL, { logging: false, pool: { max: 1 } });
    try {
      await admin.query(`LOCK TABLES \`${schema}\`.oneroster_students WRITE`);
      let victims: number[] = [];
      await waitUntil(async () => {
        const [rows] = await admin.query(
          `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ${admin.escape(schema)} AND ID <> CONNECTION_ID() AND STATE LIKE '%lock%'`,
        );
        victims = (rows as Array<{ id: number }>).map((row) => Number(row.id));
        return victims.length > 0;
      }, 20_000, 'the run to wait on the locked table');
      for (const id of victims) await admin.query(`KILL ${id}`);
    } finally {
      await admin.query('UNLOCK TABLES').catch(() => {});
      await admin.close();
    }
    return;
  }
  await own.close();
}
