import request from 'supertest';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { runCli } from '../../cli/run-cli';
import { AS_ADMIN, createTestHost, MOUNT, TEST_ENCRYPTION_KEY, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { captureStream } from './capture';

// The operator's path end to end: a configuration saved through the router, then the CLI (in
// this process, on its own connection to the same database) tests it, syncs, lists and reports.

describeEachDatabase('oneroster command line against the sandbox provider', (db) => {
  let sandbox: Sandbox;
  let host: TestHost;
  /** Students and staff the first user sync imported (the sandbox skips a few on purpose). */
  const imported = { students: 0, staff: 0 };

  const env = () => ({
    DATABASE_URL: db().url,
    ONEROSTER_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ONEROSTER_ALLOW_HTTP: 'loopback',
    USER: 'ops',
  });

  async function cli(argv: string[], options: { tty?: boolean } = {}) {
    const stdout = captureStream(options.tty ?? false);
    const stderr = captureStream();
    const code = await runCli(argv, { env: env(), stdout, stderr, pollIntervalMs: 10, plainProgressIntervalMs: 0 });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 11, schools: 3, students: 60, staff: 12, guardians: 6 });
    host = await createTestHost(db());
    const { baseUrl, clientId, clientSecret } = sandbox.credentials.oneroster11;
    const saved = await request(host.app)
      .put(`${MOUNT}/config`)
      .set(AS_ADMIN)
      .send({ provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl, clientId, clientSecret });
    expect(saved.status).toBe(200);
  });

  afterAll(async () => {
    await host?.oneroster.close();
    await sandbox?.close();
  });

  it('test-connection passes (0) listing the schools, and fails (1) with hints when access is revoked', async () => {
    const ok = await cli(['test-connection']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {3}authenticate/m);
    expect(ok.stdout).toMatch(/Connection OK: 3 school\(s\) found/);

    const fault = sandbox.faults.set({ kind: 'revoked', afterRequests: 0 });
    try {
      const failed = await cli(['test-connection', '--json']);
      expect(failed.code).toBe(1);
      const result = JSON.parse(failed.stdout);
      expect(result.ok).toBe(false);
      expect(result.error.hints.length).toBeGreaterThan(0);
    } finally {
      sandbox.faults.remove(fault);
    }
  });

  it('refuses a user sync before the first building sync (3)', async () => {
    const result = await cli(['sync', 'users']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/buildings_not_synced/);
  });

  it('syncs buildings with timestamped progress lines when not on a terminal (0)', async () => {
    const result = await cli(['sync', 'buildings']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/[\r\x1b]/);
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z run #\d+ buildings: /m);
    expect(result.stdout).toMatch(/^\S+Z run #\d+ buildings: succeeded/m);
    expect(result.stdout).toMatch(/^Run #\d+ \(buildings, full\) succeeded/m);
    // Three schools and the district office.
    expect(result.stdout).toMatch(/^ {2}buildings +created 4, /m);
  });

  it('syncs users with a progress bar on a terminal (0), then a dry run changes nothing', async () => {
    const result = await cli(['sync', 'users'], { tty: true });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\r\x1b[2K#');
    expect(result.stdout).toMatch(/#\d+ users (queued|pulling|planning|applying|done)/);
    expect(result.stdout).toMatch(/^Run #\d+ \(users, full\) succeeded/m);
    imported.students = Number(/^ {2}students +created (\d+), /m.exec(result.stdout)?.[1]);
    imported.staff = Number(/^ {2}staff +created (\d+), /m.exec(result.stdout)?.[1]);
    expect(imported.students).toBeGreaterThan(45);
    expect(imported.staff).toBeGreaterThan(5);
    const [rows] = await db().sequelize.query('SELECT COUNT(*) AS n FROM oneroster_students');
    expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBe(imported.students);

    const dry = await cli(['sync', 'users', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const run = JSON.parse(dry.stdout);
    expect(run).toMatchObject({ kind: 'users', status: 'succeeded', dryRun: true, trigger: 'cli' });
    expect(run.counts.kinds.students.created).toBe(0);
  });

  it('status and runs show what happened', async () => {
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^OneRoster: enabled/m);
    expect(status.stdout).toMatch(/^Provider: oneroster 1\.1 oauth1, http:\/\/127\.0\.0\.1:\d+.*secret set/m);
    expect(status.stdout).toMatch(/^Buildings synced: yes/m);
    expect(status.stdout).toMatch(/^Last user sync: #\d+ succeeded \(cli, dry run\)/m);
    expect(status.stdout).not.toContain(sandbox.credentials.oneroster11.clientSecret);

    const runs = await cli(['runs', '--limit', '2']);
    expect(runs.code).toBe(0);
    const lines = runs.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+STATUS/);
    expect(lines[1]).toMatch(/^\d+\s+users \(dry\)\s+succeeded\s+cli\s+full/);
    expect(lines[2]).toMatch(new RegExp(`^\\d+\\s+users\\s+succeeded\\s+cli\\s+full\\s+.*created ${imported.students + imported.staff}`));
    expect(lines[3]).toBe('2 of 3 run(s).');
  });

  it('answers 5 while another sync runs, and starts nothing', async () => {
    const slow = sandbox.faults.set({ kind: 'slow', delayMs: 400 });
    let other;
    try {
      other = await host.oneroster.sync.startBuildingSync({ trigger: 'manual', user: { id: 1, name: 'Ada Admin' } });
      const result = await cli(['sync', 'buildings']);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(new RegExp(`run #${other.id}`));
    } finally {
      sandbox.faults.remove(slow);
      if (other) await host.oneroster.sync.waitForRun(other.id);
    }
    const runs = await cli(['runs', '--json']);
    expect(JSON.parse(runs.stdout).total).toBe(4);
  });

  it('answers 4 when the safeguard holds a run that would deactivate most students', async () => {
    const students = [...sandbox.district.people()].filter((person) => person.role === 'student').slice(0, 40);
    for (const student of students) sandbox.district.removePerson(student.sourcedId);

    const result = await cli(['sync', 'users']);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/^Run #\d+ \(users, full\) held/m);
    const held = /Held: would deactivate (\d+) of (\d+) active students \(threshold 25\)/.exec(result.stdout);
    expect(held).not.toBeNull();
    expect(Number(held![1])).toBeGreaterThan(25);
    expect(Number(held![1])).toBeLessThanOrEqual(40);
    expect(Number(held![2])).toBe(imported.students);
    expect(result.stdout).not.toMatch(/would deactivate \d+ of \d+ active staff/);
    expect(result.stdout).toMatch(/Nothing was applied/);

    const latest = JSON.parse((await cli(['runs', '--json', '--limit', '1'])).stdout).items[0];
    expect(latest.status).toBe('held');
    await host.oneroster.sync.cancel(latest.id, { id: 1, name: 'Ada Admin' });
    const [rows] = await db().sequelize.query('SELECT COUNT(*) AS n FROM oneroster_students WHERE active = 1');
    expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBe(imported.students);
  });
});
