import request from 'supertest';
import { Transaction, type Sequelize } from 'sequelize';
import type { Sandbox } from '../../examples/oneroster-sandbox';
import type { ConfigView, RunView } from '../../server/domain/contract';
import { AS_ADMIN, MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { activeIds, assertRosterInvariants, assertRunCountsMatch, snapshotRoster } from '../helpers/invariants';
import { killChild, spawnSyncChild, type SyncChild } from './children';
import { waitUntil } from '../helpers/wait-until';
import { createReliabilityHost, expectedRoster, providerInput, resetDatabase, saveConfig, startSmallDistrict, syncNow } from './kit';

/** Child processes, and the starts each fires at the same moment. */
const PROCESSES = 3;
const STARTS_PER_PROCESS = 5;
/** Starts the test process itself fires (through the router) at that moment. */
const LOCAL_STARTS = 5;
/** Every start of the volley: the README counts them. */
export const CONCURRENT_STARTS = PROCESSES * STARTS_PER_PROCESS + LOCAL_STARTS;

type StartResult = { runId: number } | { status: number; code: string; runId: number | null };

async function count(sequelize: Sequelize, sql: string): Promise<number> {
  const [rows] = await sequelize.query(sql);
  return Number((rows as Array<Record<string, unknown>>)[0]?.n ?? 0);
}

async function runCount(host: TestHost): Promise<number> {
  return (await host.oneroster.sync.listRuns({ limit: 1, offset: 0 })).total;
}

describeEachDatabase('concurrency: simultaneous starts and saves', (db) => {
  let sandbox: Sandbox;
  let host: TestHost;
  let children: SyncChild[] = [];

  beforeAll(async () => {
    sandbox = await startSmallDistrict();
    host = await createReliabilityHost(db(), sandbox);
    await resetDatabase(db().sequelize);
    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
  });
  afterEach(async () => {
    sandbox.faults.clear();
    for (const child of children) await killChild(child);
    children = [];
  });
  afterAll(async () => {
    await host.oneroster.close();
    await sandbox.close();
  });

  it(`${CONCURRENT_STARTS} user-sync starts from ${PROCESSES + 1} processes at once give exactly one run; the rest get 409 naming it`, async () => {
    children = Array.from({ length: PROCESSES }, () =>
      spawnSyncChild({ dbUrl: db().url, command: 'starts', kind: 'users', leaseTtlMs: 60_000, attempts: STARTS_PER_PROCESS }),
    );
    await Promise.all(children.map((child) => child.next('ready', 60_000)));
    // Slow pages and one hung request (retried after the timeout) keep the winning run going for
    // seconds, far past the volley, so a late start still meets it running.
    sandbox.faults.set({ kind: 'slow', delayMs: 300, path: '/users' });
    sandbox.faults.set({ kind: 'hang', path: '/users', from: 2, count: 1 });
    const runsBefore = await runCount(host);
    const before = await snapshotRoster(db().sequelize);

    for (const child of children) child.process.stdin.write('go\n');
    const local = await Promise.all(
      Array.from({ length: LOCAL_STARTS }, () => request(host.app).post(`${MOUNT}/sync/users`).set(AS_ADMIN).send({})),
    );
    const remote = await Promise.all(children.map((child) => child.next('starts', 30_000)));

    const results: StartResult[] = [
      ...local.map((res): StartResult =>
        res.status === 202
          ? { runId: (res.body as { run: RunView }).run.id }
          : { status: res.status, code: res.body?.error?.code, runId: res.body?.error?.details?.runId ?? null },
      ),
      ...remote.flatMap((said) => said.results),
    ];
    expect(results).toHaveLength(CONCURRENT_STARTS);
    const winners = results.filter((r): r is { runId: number } => !('status' in r));
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.runId;
    const losers = results.filter((r) => 'status' in r);
    expect(losers).toEqual(Array.from({ length: CONCURRENT_STARTS - 1 }, () => ({ status: 409, code: 'sync_in_progress', runId: winner })));

    // Whoever won, the one run finishes and the roster is right.
    await Promise.all(children.map((child) => child.exited));
    const run = await host.oneroster.sync.waitForRun(winner);
    await host.oneroster.sync.whenIdle();
    expect(run.status).toBe('succeeded');
    expect(await runCount(host)).toBe(runsBefore + 1);
    const after = await snapshotRoster(db().sequelize);
    assertRunCountsMatch(run, before, after);
    await assertRosterInvariants(db().sequelize);
    expect(activeIds(after, 'students')).toEqual(expectedRoster(sandbox, 'oneroster12').students);
  });

  it('saving the configuration while a sync runs is refused with 409, and the run is not disturbed', async () => {
    sandbox.faults.set({ kind: 'slow', delayMs: 300, path: '/users' });
    const before = await snapshotRoster(db().sequelize);
    sandbox.district.updatePerson([...sandbox.district.people()].find((p) => p.role === 'student' && p.status === 'active' && p.familyName)!.sourcedId, { familyName: 'Mid-Save' });
    const started = await request(host.app).post(`${MOUNT}/sync/users`).set(AS_ADMIN).send({});
    expect(started.status).toBe(202);
    const runId = (started.body as { run: RunView }).run.id;

    // Same provider, another; with and without the confirmation: all refused while the run goes.
    const attempts = [
      { ...providerInput(sandbox, 'oneroster12'), clientId: 'someone-else' },
      { ...providerInput(sandbox, 'oneroster11'), confirmProviderSwitch: true },
      providerInput(sandbox, 'oneroster12'),
    ];
    for (const body of attempts) {
      const res = await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(body);
      expect({ status: res.status, code: res.body.error?.code, runId: res.body.error?.details?.runId }).toEqual({ status: 409, code: 'sync_in_progress', runId });
    }
    const view = (await request(host.app).get(`${MOUNT}/config`).set(AS_ADMIN)).body as ConfigView;
    expect(view.config).toMatchObject({ provider: 'oneroster', version: '1.2', clientId: sandbox.credentials.oneroster12.clientId });

    const run = await host.oneroster.sync.waitForRun(runId);
    await host.oneroster.sync.whenIdle();
    expect(run.status).toBe('succeeded');
    const after = await snapshotRoster(db().sequelize);
    assertRunCountsMatch(run, before, after);
    expect(run.counts.kinds.students!.updated).toBe(1);
    await assertRosterInvariants(db().sequelize);

    // Once it has ended, saving works again.
    sandbox.faults.clear();
    const saved = await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(providerInput(sandbox, 'oneroster12'));
    expect(saved.status).toBe(200);
  });

  it('a configuration write meeting a sync\'s open write transaction waits its turn: never a 500', async () => {
    // What a sync's apply does: a write transaction on the roster, held a moment (IMMEDIATE on SQLite, as the store does).
    const type = db().name === 'sqlite' ? Transaction.TYPES.IMMEDIATE : undefined;
    const held = await db().sequelize.transaction({ type }, async (transaction) => {
      await db().sequelize.query('UPDATE oneroster_students SET active = active WHERE id < 0', { transaction });
      const issued: string[] = [];
      const writes = withStatementLog(db().sequelize, issued, () =>
        Promise.all([
          request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(providerInput(sandbox, 'oneroster12')),
          request(host.app).delete(`${MOUNT}/config`).set(AS_ADMIN).set('Content-Type', 'application/json').send('{}'),
        ]),
      );
      // Both writes have sent their first write, taking the lease for the save; on SQLite it now
      // waits for this transaction's write lock, which is the meeting this case is about.
      const leaseTakes = () => issued.filter((sql) => /UPDATE `oneroster_sync_lease` SET holder_id = 'settings:/.test(sql)).length;
      await waitUntil(() => leaseTakes() >= 2, 10_000, 'both configuration writes to reach the database');
      // Wrapped, so the transaction commits now instead of waiting for the writes it blocks.
      return { writes };
    });
    const answers = await held.writes;
    expect(answers.map((res) => ({ status: res.status, error: res.body.error }))).toEqual([
      { status: 200, error: undefined },
      { status: 200, error: undefined },
    ]);
    expect(host.logger.lines.filter((line) => line.startsWith('error request failed'))).toEqual([]);
    // Turned on again for the next case.
    expect((await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(providerInput(sandbox, 'oneroster12'))).status).toBe(200);
  });

  // Turning OneRoster off mid-run stops the run (it ends cancelled): see stopping.test.ts.
});

/** Runs `body` with every SQL statement the instance issues (logged before it runs) appended to `issued`. */
async function withStatementLog<T>(sequelize: Sequelize, issued: string[], body: () => Promise<T>): Promise<T> {
  // Sequelize reads `options.logging` on every query; its typings do not declare the field.
  const options = (sequelize as unknown as { options: { logging: unknown } }).options;
  const before = options.logging;
  options.logging = (sql: string) => issued.push(sql);
  try {
    return await body();
  } finally {
    options.logging = before;
  }
}
