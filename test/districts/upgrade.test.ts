import { createCipheriv, randomBytes } from 'node:crypto';
import request from 'supertest';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createMigrator } from '../../migrations';
import { createOneRoster } from '../../server';
import { decodeEncryptionKey } from '../../server/options';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, createMemoryLogger, createTestHost, MOUNT, TEST_ENCRYPTION_KEY } from '../helpers/app';

/** The last migration before districts: what an installed single-district release has applied. */
const BEFORE_DISTRICTS = '0007c-run-times-ms';

/** A secret sealed as releases before districts sealed it: `v1`, the purpose alone as associated data. */
function sealV1(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', decodeEncryptionKey(TEST_ENCRYPTION_KEY), iv);
  cipher.setAAD(Buffer.from('oneroster:provider-secret'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 20, schools: 2, seed: 9 });
});
afterAll(() => sandbox.close());

describeEachDatabase('a single-district installation upgraded to districts', (db) => {
  it('keeps its configuration, secret, automation, runs and people under the default district, with no change to the host', async () => {
    const { sequelize } = db();
    const qi = sequelize.getQueryInterface();
    await createMigrator(sequelize, createMemoryLogger()).up({ to: BEFORE_DISTRICTS });
    const now = new Date();
    const { baseUrl, clientId, clientSecret } = sandbox.credentials.oneroster11;
    await qi.bulkInsert('oneroster_config', [{
      id: 1, provider: 'oneroster', settings: JSON.stringify({ version: '1.1', auth: 'oauth1', baseUrl, clientId }),
      encrypted_secret: sealV1(clientSecret), enabled: true, created_at: now, updated_at: now,
    }]);
    await qi.bulkInsert('oneroster_automation', [{
      id: 1, student_import: true, staff_import: false, daily_time: '04:30', timezone: 'America/Chicago', full_sync_every: 7,
      paused: false, deactivate_missing: true, district_offices: true, created_at: now, updated_at: now,
    }]);
    await qi.bulkInsert('oneroster_runs', [{
      id: 41, kind: 'buildings', run_trigger: 'manual', mode: 'full', dry_run: false, status: 'succeeded', phase: 'done',
      processed: 0, issue_count: 0, held_ms: 0, created_at: now, started_at: now, finished_at: now, updated_at: now,
    }]);
    await qi.bulkInsert('oneroster_buildings', [{ id: 5, name: 'North', sis_id: 'org-1', source: 'oneroster', active: true, created_at: now, updated_at: now }]);
    await qi.bulkInsert('oneroster_students', [{ id: 50, first_name: 'Ada', last_name: 'L', sourced_id: 's-1', building_id: 5, created_at: now, updated_at: now }]);
    await qi.bulkInsert('oneroster_schedule_claims', [{
      slot_key: '2025-01-20 04:30 America/Chicago', scheduled_for: now, claimed_by: 'old-server', claimed_at: now, outcome: 'succeeded', building_run_id: 41,
    }]);

    // The host's code as it was: no district option, no new call.
    const host = await createTestHost(db());
    const api = () => request(host.app);
    const config = await api().get(`${MOUNT}/config`).set(AS_ADMIN);
    expect(config.body).toMatchObject({ configured: true, enabled: true, config: { provider: 'oneroster', clientId, clientSecret: { set: true } } });
    // The v1 secret still decrypts for the default district.
    expect((await api().post(`${MOUNT}/config/test`).set(AS_ADMIN).send({})).body.ok).toBe(true);
    expect((await api().get(`${MOUNT}/automation`).set(AS_ADMIN)).body).toMatchObject({
      dailyTime: '04:30', timezone: 'America/Chicago', staffImport: false, lastScheduledRun: { slot: '2025-01-20 04:30 America/Chicago', runIds: [41] },
    });
    expect((await api().get(`${MOUNT}/runs`).set(AS_ADMIN)).body).toMatchObject({ total: 1, items: [{ id: 41, kind: 'buildings' }] });
    const people = await sequelize.query('SELECT id, district FROM oneroster_students', { type: 'SELECT' });
    expect(people).toEqual([{ id: 50, district: 'default' }]);

    // A v1 secret belongs to the default district alone: copied to another, it does not decrypt.
    const other = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, logger: createMemoryLogger(), network: { allowHttp: 'loopback', allowLoopback: true } });
    await sequelize.query("INSERT INTO oneroster_config (district, provider, settings, encrypted_secret, enabled, created_at, updated_at) SELECT 'east', provider, settings, encrypted_secret, enabled, created_at, updated_at FROM oneroster_config WHERE district = 'default'");
    await expect(other.forDistrict('east').testConnection()).rejects.toMatchObject({ code: 'encryption_key_mismatch' });

    // Saving with the secret left blank seals it again, for its district.
    const saved = await api().put(`${MOUNT}/config`).set(AS_ADMIN).send({ provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl, clientId, clientSecret: '' });
    expect(saved.status).toBe(200);
    const [row] = (await sequelize.query("SELECT encrypted_secret FROM oneroster_config WHERE district = 'default'", { type: 'SELECT' })) as Array<{ encrypted_secret: string }>;
    expect(row!.encrypted_secret).toMatch(/^v2:/);
    expect((await api().post(`${MOUNT}/config/test`).set(AS_ADMIN).send({})).body.ok).toBe(true);

    // And down again keeps the default district's rows.
    await host.oneroster.close();
    await other.close();
    await createMigrator(sequelize, createMemoryLogger()).down({ to: '0009-district-key' });
    const [config1] = (await sequelize.query('SELECT id, provider FROM oneroster_config', { type: 'SELECT' })) as Array<{ id: number; provider: string }>;
    expect(config1).toMatchObject({ id: 1, provider: 'oneroster' });
    expect(await sequelize.query('SELECT id FROM oneroster_students', { type: 'SELECT' })).toEqual([{ id: 50 }]);
  });
});
