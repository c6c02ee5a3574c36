import request from 'supertest';
import type { Sequelize } from 'sequelize';
import type { Sandbox } from '../../examples/oneroster-sandbox';
import { decodeEncryptionKey } from '../../server/options';
import { decryptSecret } from '../../server/config/secret-box';
import { routeTable } from '../../server/http/routes';
import type { RunView } from '../../server/domain/contract';
import { AS_ADMIN, AS_TEACHER, MOUNT, TEST_ENCRYPTION_KEY, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { assertRosterInvariants, rosterContent, snapshotRoster } from '../helpers/invariants';
import { createReliabilityHost, providerInput, providerSecret, resetDatabase, startSmallDistrict, syncNow, type ProviderName } from './kit';
import { assertNoRosterDataInLogs, assertNoSecrets, rosterFingerprints } from './privacy';

/** Another valid key: what a host that lost or rotated its key would run with. */
const OTHER_KEY = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';

/** Saved in this order, so the last saved configuration (Infinite Campus) holds a secret. */
const PROVIDERS: ProviderName[] = ['classlink', 'oneroster11', 'oneroster12', 'infinitecampus'];

/** An OAuth2 access token as the sandbox issues them (24 random bytes, hex). */
const ACCESS_TOKEN = /\b[0-9a-f]{48}\b/;
/** Authorization material that must never be echoed anywhere. */
const AUTH_MATERIAL = /Bearer [A-Za-z0-9]|Basic [A-Za-z0-9]|oauth_signature=/;

/** Every table of the scratch database, every row, as text (Buffers read as UTF-8). */
async function dumpDatabase(sequelize: Sequelize, dialect: 'sqlite' | 'mariadb'): Promise<Record<string, string>> {
  const sql =
    dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()';
  const [tables] = await sequelize.query(sql);
  const dump: Record<string, string> = {};
  for (const { name } of tables as Array<{ name: string }>) {
    const [rows] = await sequelize.query(`SELECT * FROM ${name}`);
    dump[name] = JSON.stringify(rows, (_key, value: unknown) => {
      // Sequelize hands blobs over as Buffers, which JSON would write as byte lists.
      if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return Buffer.from((value as { data: number[] }).data).toString('utf8');
      return value;
    });
  }
  return dump;
}

describeEachDatabase('secrets and privacy', (db) => {
  let sandbox: Sandbox;
  let host: TestHost;
  /** Every response body the tests received. */
  const responses: string[] = [];
  /** Every run the tests ended, as the router showed it. */
  const runs: RunView[] = [];

  const keep = <T extends { text: string }>(res: T): T => {
    responses.push(res.text);
    return res;
  };
  const rawConfig = async () => ((await db().sequelize.query('SELECT * FROM oneroster_config', { type: 'SELECT' })) as Array<Record<string, unknown>>)[0];
  const sandboxSecrets = () => [
    ...PROVIDERS.map((p) => providerSecret(sandbox, p)),
    sandbox.credentials.oneroster11oauth2.clientSecret,
    ...sandbox.credentials.classlink.tenants.map((t) => t.bearer),
  ];
  const endRun = async (kind: 'buildings' | 'users') => {
    const run = await syncNow(host, kind);
    runs.push(run);
    responses.push(JSON.stringify(run));
    return run;
  };

  beforeAll(async () => {
    sandbox = await startSmallDistrict();
    host = await createReliabilityHost(db(), sandbox);
    await resetDatabase(db().sequelize);
  });
  afterAll(async () => {
    await host.oneroster.close();
    await sandbox.close();
  });

  it.each(PROVIDERS)('%s: the secret is stored encrypted (read from the raw row), decrypts with the key, and syncs work', async (provider) => {
    const input = providerInput(sandbox, provider);
    expect(keep(await request(host.app).post(`${MOUNT}/config/test`).set(AS_ADMIN).send(input)).body.ok).toBe(true);
    const saved = keep(await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send({ ...input, confirmProviderSwitch: true }));
    expect(saved.status).toBe(200);

    const row = (await rawConfig())!;
    const secret = providerSecret(sandbox, provider);
    expect(JSON.stringify(row)).not.toContain(secret);
    if (provider === 'classlink') {
      // ClassLink's secret is the host's vendor key: the module never stores it.
      expect(row.encrypted_secret ?? null).toBeNull();
      expect(saved.body.config.clientSecret).toEqual({ set: false });
    } else {
      expect(String(row.encrypted_secret)).toMatch(/^v2:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      expect(decryptSecret(String(row.encrypted_secret), decodeEncryptionKey(TEST_ENCRYPTION_KEY))).toBe(secret);
      expect(saved.body.config.clientSecret).toEqual({ set: true });
    }

    expect((await endRun('buildings')).status).toBe('succeeded');
    expect((await endRun('users')).status).toBe('succeeded');
    // A run that fails on the provider's refusal: its error and issues carry no credentials either.
    sandbox.faults.set({ kind: 'revoked', afterRequests: 1, path: '/users' });
    try {
      const failed = await endRun('users');
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('unauthorized');
    } finally {
      sandbox.faults.clear();
    }
    await assertRosterInvariants(db().sequelize);
  });

  it('no secret, API key, bearer or access token is in any response of any route, for any caller', async () => {
    for (const route of routeTable.filter((r) => r.method === 'get')) {
      const ids = route.path.includes(':id') ? runs.map((r) => r.id) : [0];
      for (const id of ids) {
        for (const who of [AS_ADMIN, AS_TEACHER, {}]) keep(await request(host.app).get(`${MOUNT}${route.path.replace(':id', String(id))}`).set(who));
      }
    }
    // A wrong secret is refused without being repeated back.
    const wrong = { ...providerInput(sandbox, 'oneroster12'), clientSecret: 'wrong-secret-9f3a' };
    const refused = keep(await request(host.app).post(`${MOUNT}/config/test`).set(AS_ADMIN).send(wrong));
    expect(refused.body.ok).toBe(false);
    expect(refused.text).not.toContain('wrong-secret-9f3a');

    expect(responses.length).toBeGreaterThan(40);
    assertNoSecrets(responses, sandboxSecrets(), 'a response');
    for (const text of responses) {
      expect(text).not.toMatch(ACCESS_TOKEN);
      expect(text).not.toMatch(AUTH_MATERIAL);
    }
  });

  it('no secret or token is in any log line, run error or run issue, and no table holds one in plain text', async () => {
    const issues = runs.flatMap((run) => run.issues.map((issue) => JSON.stringify(issue)));
    const errors = runs.filter((run) => run.error).map((run) => JSON.stringify(run.error));
    // Real material to search: the sandbox's odd records give issues, the revoked pulls errors.
    expect(issues.length).toBeGreaterThan(0);
    expect(errors.length).toBe(PROVIDERS.length);
    const dump = await dumpDatabase(db().sequelize, db().name);
    expect(Object.keys(dump)).toEqual(expect.arrayContaining(['oneroster_config', 'oneroster_runs', 'oneroster_run_issues', 'oneroster_audit_events', 'oneroster_students']));

    for (const [where, texts] of [
      ['a log line', host.logger.lines],
      ['a run issue', issues],
      ['a run error', errors],
      ['a database table', Object.entries(dump).map(([table, rows]) => `${table}: ${rows}`)],
    ] as const) {
      assertNoSecrets(texts, [...sandboxSecrets(), 'wrong-secret-9f3a'], where);
      for (const text of texts) {
        expect({ where, text: text.slice(0, 200), token: ACCESS_TOKEN.test(text) }).toMatchObject({ token: false });
        expect({ where, text: text.slice(0, 200), auth: AUTH_MATERIAL.test(text) }).toMatchObject({ auth: false });
      }
    }
  });

  it('logs and run issues carry no roster record: no names, no email addresses', () => {
    expect(host.logger.lines.length).toBeGreaterThan(10);
    assertNoRosterDataInLogs(host.logger.lines, sandbox);
    // Issues name the record by its sourcedId and say what was wrong, never what it held.
    const fingerprints = rosterFingerprints(sandbox);
    const leaks = runs.flatMap((run) => run.issues).filter((issue) => fingerprints.some((f) => issue.message.includes(f)));
    expect(leaks).toEqual([]);
  });

  it('a wrong encryption key gives encryption_key_mismatch, never garbage, and changes nothing', async () => {
    const stored = (await rawConfig())!.encrypted_secret;
    const before = rosterContent(await snapshotRoster(db().sequelize));
    const runsBefore = (await host.oneroster.sync.listRuns({ limit: 1, offset: 0 })).total;
    const other = await createReliabilityHost(db(), sandbox, { encryptionKey: OTHER_KEY });
    try {
      const mismatch = { code: 'encryption_key_mismatch', message: expect.stringMatching(/cannot be decrypted with the configured encryption key/) };
      // The configuration still reads (the secret only as "set"); anything that needs the secret says why it cannot.
      const view = keep(await request(other.app).get(`${MOUNT}/config`).set(AS_ADMIN));
      expect(view.status).toBe(200);
      expect(view.body.config.clientSecret).toEqual({ set: true });
      for (const [method, path] of [['post', '/config/test'], ['post', '/sync/users'], ['post', '/sync/buildings']] as const) {
        const res = keep(await request(other.app)[method](`${MOUNT}${path}`).set(AS_ADMIN).send({}));
        expect({ path, status: res.status, error: res.body.error }).toEqual({ path, status: 500, error: mismatch });
      }
      const keepBlank = keep(await request(other.app).put(`${MOUNT}/config`).set(AS_ADMIN).send({ ...providerInput(sandbox, 'infinitecampus'), clientSecret: '' }));
      expect(keepBlank.body.error).toEqual(mismatch);
      await other.oneroster.sync.whenIdle();

      expect((await rawConfig())!.encrypted_secret).toBe(stored);
      expect((await host.oneroster.sync.listRuns({ limit: 1, offset: 0 })).total).toBe(runsBefore);
      expect(rosterContent(await snapshotRoster(db().sequelize))).toEqual(before);
      assertNoSecrets([...responses, ...other.logger.lines], [providerSecret(sandbox, 'infinitecampus')], 'the wrong-key host');
    } finally {
      await other.oneroster.close();
    }
    // The right key still reads it.
    expect(keep(await request(host.app).post(`${MOUNT}/config/test`).set(AS_ADMIN).send({})).body.ok).toBe(true);
  });
});
