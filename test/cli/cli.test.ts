import { runCli } from '../../cli/run-cli';
import type { CliIo } from '../../cli/io';
import { MIGRATION_TABLE } from '../../server';
import { TEST_ENCRYPTION_KEY } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { captureStream } from './capture';

/** Runs the CLI in-process with the given environment; answers the exit code and what it wrote. */
async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const io: CliIo = { env, stdout, stderr, pollIntervalMs: 20 };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('oneroster command line: usage', () => {
  it('prints help on --help, -h and help, and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['sync', '--help']]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: oneroster <command>');
      expect(result.stdout).toMatch(/Exit codes:/);
    }
  });

  it.each([
    [[], /Name a command/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['sync'], /Say "sync buildings" or "sync users"/],
    [['sync', 'teachers'], /Unknown sync "teachers"/],
    [['sync', 'users', '--mode', 'weekly'], /--mode must be full or delta/],
    [['sync', 'buildings', '--dry-run'], /--dry-run does not apply to "sync buildings"/],
    [['runs', '--limit', 'ten'], /--limit must be a whole number/],
    [['runs', '--limit', '0'], /--limit must be a whole number/],
    [['migrate', '--json'], /--json does not apply to "migrate"/],
    [['status', 'now'], /Unexpected argument "now"/],
    [['status', '--verbose'], /Unknown option '--verbose'/],
  ])('answers 2 with the reason and the help text for %j', async (argv, reason) => {
    const result = await cli(argv as string[], { DATABASE_URL: 'sqlite::memory:' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain('Usage: oneroster <command>');
    expect(result.stdout).toBe('');
  });
});

describe('oneroster command line: environment', () => {
  it('answers 3 when DATABASE_URL is missing or not a supported URL', async () => {
    const missing = await cli(['status'], { ONEROSTER_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/DATABASE_URL is not set/);

    const postgres = await cli(['migrate'], { DATABASE_URL: 'postgres://app:hunter2@db/app' });
    expect(postgres.code).toBe(3);
    expect(postgres.stderr).toMatch(/must start with sqlite: or mysql:\/\//);
    expect(postgres.stderr).not.toContain('hunter2');
  });

  it('answers 3 without printing the password when the database cannot be opened', async () => {
    const result = await cli(['migrate'], { DATABASE_URL: 'mysql://root:s3cret-pw@127.0.0.1:1/nowhere' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Cannot open the database mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    expect(result.stderr).not.toContain('s3cret-pw');
  });
});

describeEachDatabase('oneroster command line: database commands', (db) => {
  const env = () => ({ DATABASE_URL: db().url, ONEROSTER_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });

  it('refuses to work before the migrations ran (3), naming the fix', async () => {
    const result = await cli(['status'], env());
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/migration\(s\) pending .*Run "oneroster migrate" first/);
  });

  it('migrate applies every migration (no key needed), then says it is up to date', async () => {
    const first = await cli(['migrate'], { DATABASE_URL: db().url });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied 0001-roster-tables/);
    expect(first.stdout).toMatch(/Migrations: \d+ applied, up to date\./);

    const tables = (await db().sequelize.getQueryInterface().showAllTables()).map((t) =>
      typeof t === 'string' ? t : (t as { tableName: string }).tableName,
    );
    expect(tables).toEqual(expect.arrayContaining([MIGRATION_TABLE, 'oneroster_buildings', 'oneroster_students', 'oneroster_staff']));

    const again = await cli(['migrate'], { DATABASE_URL: db().url });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Migrations: already up to date.\n');
  });

  it('answers 3 for a missing or malformed key and a bad ONEROSTER_ALLOW_HTTP', async () => {
    const noKey = await cli(['status'], { DATABASE_URL: db().url });
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toMatch(/ONEROSTER_ENCRYPTION_KEY is not set/);

    const badKey = await cli(['status'], { DATABASE_URL: db().url, ONEROSTER_ENCRYPTION_KEY: 'too-short' });
    expect(badKey.code).toBe(3);
    expect(badKey.stderr).toMatch(/encryptionKey/);
    expect(badKey.stderr).not.toContain('too-short');

    const badHttp = await cli(['status'], { ...env(), ONEROSTER_ALLOW_HTTP: 'sometimes' });
    expect(badHttp.code).toBe(3);
    expect(badHttp.stderr).toMatch(/ONEROSTER_ALLOW_HTTP must be never, loopback or always/);
  });

  it('status says nothing is configured yet', async () => {
    const result = await cli(['status'], env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OneRoster: not configured\./m);
    expect(result.stdout).toMatch(/^Buildings synced: no/m);
    expect(result.stdout).toMatch(/^Last user sync: never/m);

    const json = await cli(['status', '--json'], env());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ configured: false, enabled: false, buildingsSynced: false });
  });

  it('runs says there are none yet; sync and test-connection answer 3 before a provider is saved', async () => {
    const runs = await cli(['runs'], env());
    expect(runs.stderr).toBe('');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toBe('No sync runs yet.\n');

    const runsJson = await cli(['runs', '--json', '--limit', '5'], env());
    expect(JSON.parse(runsJson.stdout)).toEqual({ total: 0, items: [] });

    const sync = await cli(['sync', 'buildings'], env());
    expect(sync.code).toBe(3);
    expect(sync.stderr).toMatch(/not_configured/);

    const test = await cli(['test-connection'], env());
    expect(test.code).toBe(3);
    expect(test.stderr).toMatch(/No provider is configured/);
  });
});
