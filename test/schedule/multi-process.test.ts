import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DataTypes } from 'sequelize';
import { createScratchDatabase, testDatabases, type ScratchDatabase } from '../helpers/databases';
import { claimRows, createAutomationTables, createSchedulerHarness, createTestClock } from './scheduler-harness';

const WORKER = path.join(__dirname, 'fixtures', 'scheduler-worker.ts');
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** A worker process and a way to send it a command and read its answer. */
interface Worker {
  name: string;
  send(command: Record<string, unknown>): Promise<Record<string, unknown>>;
  child: ChildProcessWithoutNullStreams;
}

/** Spawns a real Node process running the scheduler on the same database; resolves once it is ready. */
function spawnWorker(url: string, name: string): Promise<Worker> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', WORKER, url, name], { cwd: PROJECT_ROOT });
  const answers: Array<(answer: Record<string, unknown>) => void> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => code !== 0 && reject(new Error(`worker ${name} exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (message.ready) {
        resolve({
          name,
          child,
          send: (command) =>
            new Promise((answer) => {
              answers.push(answer);
              child.stdin.write(`${JSON.stringify(command)}\n`);
            }),
        });
      } else {
        answers.shift()?.(message);
      }
    });
  });
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null) return;
  const exited = new Promise((resolve) => worker.child.on('exit', resolve));
  worker.child.stdin.end(`${JSON.stringify({ cmd: 'exit' })}\n`);
  const killLater = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killLater);
}

// Several servers of the monolith share one MySQL/MariaDB database; SQLite is one process by nature.
const onMariaDb = testDatabases().includes('mariadb') ? describe : describe.skip;

onMariaDb('exactly once across processes [mariadb]', () => {
  let db: ScratchDatabase;
  let workers: Worker[] = [];

  const syncCalls = async () => {
    const [rows] = await db.sequelize.query('SELECT worker, kind FROM test_sync_calls ORDER BY id');
    return rows as Array<{ worker: string; kind: string }>;
  };

  beforeAll(async () => {
    db = await createScratchDatabase('mariadb');
    await createAutomationTables(db.sequelize);
    await db.sequelize.getQueryInterface().createTable('test_sync_calls', {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      worker: { type: DataTypes.STRING(64), allowNull: false },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      at: { type: DataTypes.DATE(3), allowNull: false },
    });
    const { automation } = createSchedulerHarness(db.sequelize, { clock: createTestClock('2025-01-01T00:00:00Z') });
    await automation.update({ dailyTime: '02:00', timezone: 'America/Chicago' });
    workers = await Promise.all(['web-1', 'web-2', 'web-3', 'web-4'].map((name) => spawnWorker(db.url, name)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await db?.drop();
  }, 30_000);

  it('four processes firing the same slots at the same moment: each slot runs once, on the process that claimed it', async () => {
    const slots = ['2025-01-13T08:00:00Z', '2025-01-14T08:00:00Z', '2025-01-15T08:00:00Z', '2025-01-16T08:00:00Z', '2025-01-17T08:00:00Z'];
    for (const at of slots) {
      const answers = await Promise.all(workers.map((w) => w.send({ cmd: 'slot', at })));
      const statuses = answers.map((a) => (a.result as { status: string }).status).sort();
      expect(statuses).toEqual(['already_claimed', 'already_claimed', 'already_claimed', 'ran']);
    }

    const claims = await claimRows(db.sequelize);
    expect(claims.map((c) => c.slot_key)).toEqual(slots.map((_, i) => `2025-01-${13 + i} 02:00 America/Chicago`));
    const calls = await syncCalls();
    expect(calls).toHaveLength(slots.length * 2); // one building run and one user run per slot
    expect(calls.map((c) => c.worker)).toEqual(claims.flatMap((c) => [c.claimed_by, c.claimed_by]));
  });

  it('four processes starting together after every server missed the slot: one catch-up run', async () => {
    await db.sequelize.getQueryInterface().bulkDelete('test_sync_calls', {});
    // 02:00 Chicago on the 20th was 08:00Z; it is now three hours later.
    await Promise.all(workers.map((w) => w.send({ cmd: 'clock', at: '2025-01-20T11:00:00Z' })));
    await Promise.all(workers.map((w) => w.send({ cmd: 'start' })));

    expect((await syncCalls()).map((c) => c.kind)).toEqual(['buildings', 'users']);
    const claim = (await claimRows(db.sequelize)).find((c) => c.slot_key === '2025-01-20 02:00 America/Chicago');
    expect(claim).toMatchObject({ outcome: 'succeeded' });
  });
});
