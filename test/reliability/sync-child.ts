/**
 * A second server of the host, as a real child process on the same database: it builds the module
 * with the test options and either runs one sync to its end (`sync`) or fires a volley of sync
 * starts when the parent says go (`starts`). It speaks JSON lines on stdout.
 *
 *   node -r tsx/cjs test/reliability/sync-child.ts '<ChildCommand as JSON>'
 */
import { createInterface } from 'node:readline';
import { Sequelize } from 'sequelize';
import { createOneRoster } from '../../server';
import { OneRosterError } from '../../server/domain/errors';
import type { RosterStore } from '../../server/store/roster-store';
import { createSequelizeRosterStore } from '../../server/store/sequelize-roster-store';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { RELIABILITY_HTTP } from './kit';

/** What the parent asks the child to do. */
export interface ChildCommand {
  /** `sqlite:/path/db.sqlite` or `mysql://…/schema`. */
  dbUrl: string;
  /** `sync`: one run to its end; `starts`: `attempts` starts at once when a line arrives on stdin. */
  command: 'sync' | 'starts';
  /** Which sync. */
  kind: 'buildings' | 'users';
  /** The sync lease's lifetime (short, so a killed child's lease expires quickly). */
  leaseTtlMs: number;
  /** Page size asked of the provider. */
  pageSize?: number;
  /** A pause after each applied batch of people, so the parent can catch the run mid-apply. */
  slowApplyMs?: number;
  /** `starts`: how many starts to fire at once. */
  attempts?: number;
}

/** One line the child prints. */
export type ChildEvent =
  | { event: 'ready' }
  | { event: 'started'; runId: number }
  /** A page of pulled people was matched against the roster (the stager's lookup by sourcedId returned). */
  | { event: 'matched'; records: number }
  | { event: 'finished'; runId: number; status: string; errorCode: string | null }
  | { event: 'starts'; results: Array<{ runId: number } | { status: number; code: string; runId: number | null }> }
  | { event: 'error'; message: string };

function say(event: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function openDatabase(url: string): Sequelize {
  if (url.startsWith('sqlite:')) return new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false });
  return new Sequelize(url, { logging: false, pool: { max: 10 } });
}

/**
 * The default store, saying when a page of people has been matched (a re-sync stages little, so
 * staging shows nothing of it), and pausing after each people batch when asked (a slow database,
 * made visible).
 */
function childStore(sequelize: Sequelize, pauseMs: number): RosterStore {
  const plain = createSequelizeRosterStore(sequelize);
  const store: RosterStore = {
    ...plain,
    // This very store serves the default district (the module would use forDistrict's store instead).
    forDistrict: undefined,
    async findPeopleBySourcedId(kind, sourcedIds) {
      const found = await plain.findPeopleBySourcedId(kind, sourcedIds);
      say({ event: 'matched', records: sourcedIds.length });
      return found;
    },
  };
  if (pauseMs <= 0) return store;
  return {
    ...store,
    // Every create goes through applyPeople's batches, even on a first sync (a first load would
    // make them all visible at once, at the end), so the test can act between two batches.
    startFirstLoad: undefined,
    async applyPeople(kind, changes, at) {
      await store.applyPeople(kind, changes, at);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    },
  };
}

async function main(): Promise<void> {
  const command = JSON.parse(process.argv[2] ?? '{}') as ChildCommand;
  const sequelize = openDatabase(command.dbUrl);
  const oneroster = createOneRoster({
    sequelize,
    encryptionKey: TEST_ENCRYPTION_KEY,
    logger: createMemoryLogger(),
    network: { allowHttp: 'loopback', allowLoopback: true },
    http: { ...RELIABILITY_HTTP, pageSize: command.pageSize ?? RELIABILITY_HTTP.pageSize },
    leaseTtlMs: command.leaseTtlMs,
    rosterStore: childStore(sequelize, command.slowApplyMs ?? 0),
  });
  const user = { id: `child-${process.pid}`, name: 'Child process' };
  const start = () =>
    command.kind === 'buildings'
      ? oneroster.sync.startBuildingSync({ trigger: 'cli', user })
      : oneroster.sync.startUserSync({ trigger: 'cli', user });

  say({ event: 'ready' });
  if (command.command === 'sync') {
    const run = await start();
    say({ event: 'started', runId: run.id });
    const done = await oneroster.sync.waitForRun(run.id);
    say({ event: 'finished', runId: done.id, status: done.status, errorCode: done.error?.code ?? null });
  } else {
    // Every process waits for the parent's "go", so the volleys leave within a millisecond or two.
    await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
    const attempts = Array.from({ length: command.attempts ?? 1 }, () =>
      start().then(
        (run) => ({ runId: run.id }),
        (err: unknown) => {
          if (!(err instanceof OneRosterError)) return { status: 500, code: `unexpected: ${(err as Error).message}`, runId: null };
          const details = err.details as { runId?: number | null } | undefined;
          return { status: err.status, code: err.code, runId: details?.runId ?? null };
        },
      ),
    );
    say({ event: 'starts', results: await Promise.all(attempts) });
  }
  // A server keeps serving until the runs it won have ended: close() would abort them (SIGTERM).
  await oneroster.sync.whenIdle();
  await oneroster.close();
  await sequelize.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say({ event: 'error', message: (err as Error).stack ?? String(err) });
    process.exit(1);
  },
);
