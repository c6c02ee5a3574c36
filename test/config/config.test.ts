import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createConfigService } from '../../server/config/config-service';
import { configInputSchema } from '../../server/config/config-schema';
import { validate } from '../../server/domain/validate';
import type { ModuleContext } from '../../server/context';
import { DEFAULT_DISTRICT } from '../../server/domain/district';
import { resolveOptions } from '../../server/options';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, createMemoryLogger, createTestHost, MOUNT, TEST_ENCRYPTION_KEY, type TestHost } from '../helpers/app';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 30, schools: 3 });
});
afterAll(() => sandbox.close());

const ADMIN = { id: 1, name: 'Ada Admin' };
const OTHER_KEY = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';

const oneroster11 = () => ({ provider: 'oneroster', version: '1.1', auth: 'oauth1', ...sandbox.credentials.oneroster11 });
const campus = () => {
  const { baseUrl, tokenUrl, clientId, clientSecret } = sandbox.credentials.infinitecampus;
  return { provider: 'infinitecampus', baseUrl, tokenUrl, clientId, clientSecret };
};
const classlink = () => ({ provider: 'classlink', tenantId: sandbox.credentials.classlink.tenantId });

function secrets(): string[] {
  const c = sandbox.credentials;
  return [c.oneroster11.clientSecret, c.oneroster12.clientSecret, c.infinitecampus.clientSecret, c.classlink.apiKey, c.edfi.clientSecret];
}

describeEachDatabase('provider configuration', (db) => {
  let host: TestHost;
  const api = () => request(host.app);
  const put = (body: object) => api().put(`${MOUNT}/config`).set(AS_ADMIN).send(body);
  const testConfig = (body: object) => api().post(`${MOUNT}/config/test`).set(AS_ADMIN).send(body);
  const responses: string[] = [];
  const keep = <T extends { text: string }>(response: T): T => {
    responses.push(response.text);
    return response;
  };
  const auditActions = async () =>
    ((await db().sequelize.query('SELECT action FROM oneroster_audit_events ORDER BY id', { type: 'SELECT' })) as Array<{ action: string }>).map(
      (row) => row.action,
    );
  const rawRow = async () =>
    ((await db().sequelize.query('SELECT * FROM oneroster_config', { type: 'SELECT' })) as Array<Record<string, unknown>>)[0];

  beforeAll(async () => {
    const { apiKey, proxyUrl } = sandbox.credentials.classlink;
    host = await createTestHost(db(), { classlink: { apiKey, proxyUrl } });
  });

  it('starts unconfigured, says ClassLink is available, and refuses to test saved settings that do not exist', async () => {
    const view = keep(await api().get(`${MOUNT}/config`).set(AS_ADMIN));
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ configured: false, enabled: false, config: null, classlinkAvailable: true, lastTest: null });
    const test = keep(await testConfig({}));
    expect(test.status).toBe(409);
    expect(test.body.error.code).toBe('not_configured');
  });

  it('tests submitted settings of all three providers and lists the schools', async () => {
    const schoolIds = sandbox.district.schools().map((school) => school.sourcedId).sort();
    for (const body of [oneroster11(), campus(), classlink()]) {
      const res = keep(await testConfig(body));
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.schools.count).toBe(schoolIds.length);
      expect(res.body.schools.sample.map((s: { sourcedId: string }) => s.sourcedId).sort()).toEqual(schoolIds);
    }
  });

  it('answers a failing test with 200, the failed step, the code and hints', async () => {
    const res = keep(await testConfig({ ...classlink(), tenantId: '424242' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: false,
      steps: [{ name: 'resolve_tenant', ok: false }],
      error: { code: 'tenant_not_found', hints: expect.arrayContaining(['Verify the Tenant ID']) },
    });
  });

  it('answers 400 with a field error for every bad field, file: and http-to-the-internet URLs included', async () => {
    const res = keep(await put({ provider: 'oneroster', version: '2.0', auth: 'oauth2', baseUrl: 'file:///etc/passwd', tokenUrl: 'http://sis.example.org/token' }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = res.body.error.details.map((detail: { field: string }) => detail.field).sort();
    expect(fields).toEqual(['baseUrl', 'clientId', 'tokenUrl', 'version']);
    const test = keep(await testConfig({ ...oneroster11(), baseUrl: 'http://sis.example.org/ims/oneroster/v1p1' }));
    expect(test.status).toBe(400);
    expect(test.body.error.details).toEqual([{ field: 'baseUrl', message: expect.stringMatching(/https/) }]);
    expect(keep(await put({ provider: 'powerschool' })).status).toBe(400);
    expect(keep(await put({ ...oneroster11(), clientSecret: '' })).body.error.details).toEqual([{ field: 'clientSecret', message: 'clientSecret is required' }]);
  });

  it('refuses to save a configuration that fails its test (422, the test in details) and saves nothing', async () => {
    const res = keep(await put({ ...oneroster11(), clientSecret: 'wrong-secret' }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('connection_test_failed');
    expect(res.body.error.details).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await api().get(`${MOUNT}/config`).set(AS_ADMIN)).body.configured).toBe(false);
    expect(await host.oneroster.isEnabled()).toBe(false);
  });

  it('refuses to save a grant that sees no schools (it would enable OneRoster on an empty feed)', async () => {
    const edfi = { provider: 'oneroster', version: '1.2', auth: 'oauth2', ...sandbox.credentials.edfi };
    const fault = sandbox.faults.set({ kind: 'emptyFeed' });
    try {
      const res = keep(await put(edfi));
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('connection_test_failed');
      expect(res.body.error.details).toMatchObject({ ok: false, error: { code: 'no_schools' } });
      expect((await api().get(`${MOUNT}/config`).set(AS_ADMIN)).body.configured).toBe(false);
      expect(await host.oneroster.isEnabled()).toBe(false);
    } finally {
      sandbox.faults.remove(fault);
    }
  });

  it('saves a passing configuration, enables OneRoster, masks the secret and stores it encrypted', async () => {
    const res = keep(await put(oneroster11()));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      configured: true,
      enabled: true,
      config: {
        provider: 'oneroster',
        version: '1.1',
        auth: 'oauth1',
        baseUrl: sandbox.credentials.oneroster11.baseUrl,
        clientId: sandbox.credentials.oneroster11.clientId,
        clientSecret: { set: true },
        updatedBy: 'Ada Admin',
      },
      lastTest: { ok: true, at: expect.any(String), schools: { count: 3 } },
    });
    expect(await host.oneroster.isEnabled()).toBe(true);
    expect(await auditActions()).toEqual(['config_saved', 'oneroster_enabled']);

    const row = (await rawRow())!;
    expect(JSON.stringify(row)).not.toContain(sandbox.credentials.oneroster11.clientSecret);
    // v2: sealed for its district (issue 19).
    expect(String(row.encrypted_secret)).toMatch(/^v2:[^:]+:[^:]+:[^:]+$/);
    const view = keep(await api().get(`${MOUNT}/config`).set(AS_ADMIN));
    expect(view.body.config.clientSecret).toEqual({ set: true });
  });

  it('tests the saved settings on an empty body and remembers that test', async () => {
    const res = keep(await testConfig({}));
    expect(res.body.ok).toBe(true);
    const view = keep(await api().get(`${MOUNT}/config`).set(AS_ADMIN));
    expect(view.body.lastTest).toMatchObject({ ok: true, steps: [{ name: 'authenticate' }, { name: 'read_schools' }] });
  });

  it('keeps the saved secret when the same provider is tested or saved with it left blank', async () => {
    const before = (await rawRow())!.encrypted_secret;
    expect(keep(await testConfig({ ...oneroster11(), clientSecret: '' })).body.ok).toBe(true);
    const res = keep(await put({ ...oneroster11(), clientSecret: '' }));
    expect(res.status).toBe(200);
    expect((await rawRow())!.encrypted_secret).toBe(before);
    // A new secret is encrypted afresh (a new IV), even when the same.
    keep(await put(oneroster11()));
    expect((await rawRow())!.encrypted_secret).not.toBe(before);
  });

  it('a blank secret never borrows the saved secret of another provider', async () => {
    const res = keep(await testConfig({ ...campus(), clientSecret: '' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('clientSecret');
  });

  it('needs a confirmation to switch provider after data was synced, and audits the switch', async () => {
    const ctx = contextFor(db().sequelize);
    const service = createConfigService(ctx);
    // The service takes settings the route has validated (defaults filled in), as PUT /config does.
    const validated = (body: unknown) => validate(configInputSchema(ctx.options.network), body);
    await expect(service.save(validated(campus()), ADMIN, { hasSyncedData: true })).rejects.toMatchObject({
      status: 409,
      code: 'provider_switch_requires_confirmation',
    });
    await service.save(validated({ ...campus(), confirmProviderSwitch: true }), ADMIN, { hasSyncedData: true });
    const view = keep(await api().get(`${MOUNT}/config`).set(AS_ADMIN));
    expect(view.body.config).toMatchObject({ provider: 'infinitecampus', version: '1.2', auth: 'oauth2' });
    const actions = await auditActions();
    expect(actions.slice(-2)).toEqual(['config_saved', 'provider_switched']);
    const [switched] = (await db().sequelize.query("SELECT * FROM oneroster_audit_events WHERE action = 'provider_switched'", { type: 'SELECT' })) as Array<
      Record<string, unknown>
    >;
    expect(JSON.parse(String(switched!.details))).toEqual({ from: 'oneroster', to: 'infinitecampus', confirmed: true });
    expect(switched!.actor_name).toBe('Ada Admin');
  });

  it('switches provider without a confirmation while nothing was synced (HTTP), to ClassLink', async () => {
    const res = keep(await put(classlink()));
    expect(res.status).toBe(200);
    expect(res.body.config).toEqual({
      provider: 'classlink',
      tenantId: sandbox.credentials.classlink.tenantId,
      clientSecret: { set: false },
      updatedAt: expect.any(String),
      updatedBy: 'Ada Admin',
    });
    expect((await rawRow())!.encrypted_secret).toBeNull();
  });

  it('DELETE disables OneRoster and keeps the configuration and the audit trail', async () => {
    const res = keep(await api().delete(`${MOUNT}/config`).set(AS_ADMIN).send({}));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ configured: true, enabled: false, config: { provider: 'classlink' } });
    expect(await host.oneroster.isEnabled()).toBe(false);
    expect((await auditActions()).slice(-1)).toEqual(['oneroster_disabled']);
    // Saving again enables it again, and says so.
    keep(await put(oneroster11()));
    expect(await host.oneroster.isEnabled()).toBe(true);
    expect((await auditActions()).slice(-3)).toEqual(['config_saved', 'provider_switched', 'oneroster_enabled']);
  });

  it('gives encryption_key_mismatch, never garbage, when the key changed', async () => {
    const other = await createTestHost(db(), { encryptionKey: OTHER_KEY, classlink: { apiKey: sandbox.credentials.classlink.apiKey, proxyUrl: sandbox.url } });
    const view = keep(await request(other.app).get(`${MOUNT}/config`).set(AS_ADMIN));
    expect(view.status).toBe(200);
    expect(view.body.config.clientSecret).toEqual({ set: true });
    const test = keep(await request(other.app).post(`${MOUNT}/config/test`).set(AS_ADMIN).send({}));
    expect(test.status).toBe(500);
    expect(test.body.error).toEqual({ code: 'encryption_key_mismatch', message: expect.stringMatching(/cannot be decrypted with the configured encryption key/) });
    const keepBlank = keep(await request(other.app).put(`${MOUNT}/config`).set(AS_ADMIN).send({ ...oneroster11(), clientSecret: '' }));
    expect(keepBlank.body.error.code).toBe('encryption_key_mismatch');
    await expect(createConfigService(contextFor(db().sequelize, OTHER_KEY)).openConnection()).rejects.toMatchObject({ code: 'encryption_key_mismatch' });
    // Entering the secret again repairs it under the new key.
    expect(keep(await request(other.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(oneroster11())).status).toBe(200);
    expect(keep(await request(other.app).post(`${MOUNT}/config/test`).set(AS_ADMIN).send({})).body.ok).toBe(true);
  });

  it('opens a connection to the saved provider for a sync', async () => {
    const other = createConfigService(contextFor(db().sequelize, OTHER_KEY));
    const connection = await other.openConnection();
    expect(connection.provider).toBe('oneroster');
    let schools = 0;
    for await (const page of connection.schools()) schools += page.records.length;
    expect(schools).toBe(3);
  });

  it('refuses a save while a sync runs, and a provider switch after a real sync without confirmation', async () => {
    // The last save was under the other key: save again under this host's key.
    expect(keep(await put(oneroster11())).status).toBe(200);
    // Hold the building sync in its pull so the save meets it running.
    sandbox.faults.set({ kind: 'slow', delayMs: 800, path: '/schools', count: 1 });
    try {
      const started = keep(await api().post(`${MOUNT}/sync/buildings`).set(AS_ADMIN).send({}));
      expect(started.status).toBe(202);
      const during = keep(await put(oneroster11()));
      expect(during.status).toBe(409);
      expect(during.body.error).toMatchObject({ code: 'sync_in_progress', details: { runId: started.body.run.id } });
      const run = await host.oneroster.sync.waitForRun(started.body.run.id);
      expect(run.status).toBe('succeeded');
    } finally {
      sandbox.faults.clear();
    }
    const switching = keep(await put(campus()));
    expect(switching.status).toBe(409);
    expect(switching.body.error.code).toBe('provider_switch_requires_confirmation');
    const confirmed = keep(await put({ ...campus(), confirmProviderSwitch: true }));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.config.provider).toBe('infinitecampus');
  });

  it('never answered or logged a secret, an API key or a token', () => {
    const everything = [...responses, ...host.logger.lines].join('\n');
    expect(responses.length).toBeGreaterThan(30);
    for (const secret of secrets()) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/Bearer |Basic |oauth_signature/);
  });
});

/** A module context over a database, as `createOneRoster` builds it. */
function contextFor(sequelize: Sequelize, encryptionKey = TEST_ENCRYPTION_KEY): ModuleContext {
  const logger = createMemoryLogger();
  const options = resolveOptions(
    {
      sequelize,
      encryptionKey,
      logger,
      network: { allowHttp: 'loopback', allowLoopback: true },
      http: { retryBaseMs: 1, retryMaxMs: 10, timeoutMs: 2000 },
      classlink: { apiKey: sandbox.credentials.classlink.apiKey, proxyUrl: sandbox.credentials.classlink.proxyUrl },
    },
    logger,
  );
  return { options, sequelize, store: undefined as never, logger, clock: options.clock, district: DEFAULT_DISTRICT };
}
