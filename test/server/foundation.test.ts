import request from 'supertest';
import { Sequelize } from 'sequelize';
import express from 'express';
import { createOneRoster, createSequelizeRosterStore } from '../../server';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../helpers/databases';
import { AS_ADMIN, AS_TEACHER, createTestHost, MOUNT, TEST_ENCRYPTION_KEY, type TestHost } from '../helpers/app';

describe('createOneRoster options', () => {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  afterAll(() => sequelize.close());

  it('names the missing option', () => {
    expect(() => createOneRoster({ encryptionKey: TEST_ENCRYPTION_KEY } as never)).toThrow(
      new TypeError('createOneRoster: invalid option "sequelize": is required'),
    );
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createOneRoster({ sequelize, encryptionKey: 'short' })).toThrow(/invalid option "encryptionKey".*32 bytes/);
  });

  it('refuses an unknown timezone and a bad nested value', () => {
    expect(() => createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, timezone: 'Mars/Olympus' })).toThrow(
      /invalid option "timezone"/,
    );
    expect(() =>
      createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, safeguard: { maxDeactivationRatio: 2 } }),
    ).toThrow(/invalid option "safeguard.maxDeactivationRatio"/);
  });

  it('checks combinations at creation, each as a TypeError naming the option', () => {
    const base = { sequelize, encryptionKey: TEST_ENCRYPTION_KEY };
    const attempt = (extra: object) => () => createOneRoster({ ...base, ...extra } as never);
    expect(attempt({ bodyLimit: 'banana' })).toThrow(new TypeError('createOneRoster: invalid option "bodyLimit": must be a byte size such as 100kb or 1mb'));
    expect(attempt({ http: { retryBaseMs: 5000, retryMaxMs: 1000 } })).toThrow(/invalid option "http.retryBaseMs": must be at most http.retryMaxMs \(1000\)/);
    expect(attempt({ network: { allowHttp: 'loopback', allowLoopback: false } })).toThrow(/invalid option "network.allowLoopback"/);
    const store = createSequelizeRosterStore(sequelize);
    const { countActivePeople: _dropped, ...incomplete } = store;
    expect(attempt({ rosterStore: incomplete })).toThrow(new TypeError('createOneRoster: invalid option "rosterStore": is missing countActivePeople'));
    expect(attempt({ rosterStore: store, bodyLimit: '512kb', http: { retryBaseMs: 10, retryMaxMs: 10 } })).not.toThrow();
  });

  it('allowHttp "loopback" alone lets the sandbox on 127.0.0.1 through (it implies loopback hosts)', async () => {
    const { startSandbox } = await import('../../examples/oneroster-sandbox');
    const sandbox = await startSandbox({ students: 1, schools: 1 });
    try {
      const handle = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, network: { allowHttp: 'loopback' } });
      await handle.migrate();
      const app = express();
      app.use((req, _res, next) => {
        Object.assign(req, { user: { id: 1, permissions: ['manage_settings'] } });
        next();
      });
      app.use(MOUNT, handle.router);
      const res = await request(app).post(`${MOUNT}/config/test`).send({ provider: 'oneroster', version: '1.1', auth: 'oauth1', ...sandbox.credentials.oneroster11 });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses options it does not know, so typos surface', () => {
    expect(() => createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, timeZone: 'UTC' } as never)).toThrow(
      /invalid option "timeZone": is not allowed/,
    );
  });

  it('accepts a base64 key and gives a handle with a router and migrate()', () => {
    const handle = createOneRoster({ sequelize, encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, 'hex').toString('base64') });
    expect(typeof handle.router).toBe('function');
    expect(typeof handle.migrate).toBe('function');
  });

  it('shares nothing between two instances', () => {
    const a = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY });
    const b = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY });
    expect(a.router).not.toBe(b.router);
    expect(a.scheduler).not.toBe(b.scheduler);
  });
});

describeEachDatabase('two instances on two databases', (db) => {
  let other: ScratchDatabase;
  let a: TestHost;
  let b: TestHost;
  beforeAll(async () => {
    other = await createScratchDatabase(db().name);
    a = await createTestHost(db());
    b = await createTestHost(other);
  });
  afterAll(async () => {
    await a.oneroster.close();
    await b.oneroster.close();
    await other.drop();
  });

  it('changing one instance\'s settings leaves the other\'s as they were', async () => {
    const before = (await request(b.app).get(`${MOUNT}/automation`).set(AS_ADMIN)).body as Record<string, unknown>;
    const changed = { dailyTime: before.dailyTime === '05:15' ? '06:45' : '05:15', timezone: 'Europe/London', fullSyncEvery: 3 };
    expect((await request(a.app).put(`${MOUNT}/automation`).set(AS_ADMIN).send(changed)).status).toBe(200);

    expect((await request(a.app).get(`${MOUNT}/automation`).set(AS_ADMIN)).body).toMatchObject(changed);
    expect((await request(b.app).get(`${MOUNT}/automation`).set(AS_ADMIN)).body).toEqual(before);
    expect((await request(b.app).get(`${MOUNT}/runs`).set(AS_ADMIN)).body).toMatchObject({ total: 0 });
  });
});

describeEachDatabase('router guard and error shape', (db) => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost(db());
  });

  it('answers 401 to nobody, 403 without Manage Settings, 200 to an admin', async () => {
    const anonymous = await request(host.app).get(`${MOUNT}/automation`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });

    const teacher = await request(host.app).get(`${MOUNT}/automation`).set(AS_TEACHER);
    expect(teacher.status).toBe(403);
    expect(teacher.body.error.code).toBe('forbidden');

    const admin = await request(host.app).get(`${MOUNT}/automation`).set(AS_ADMIN);
    expect(admin.status).toBe(200);
    expect(admin.body).toHaveProperty('dailyTime');
  });

  it('checks permission before anything else, even on unknown bodies', async () => {
    const res = await request(host.app).post(`${MOUNT}/sync/buildings`).set(AS_TEACHER).send('not json');
    expect(res.status).toBe(403);
  });

  it('answers 415 to a state-changing request that is not JSON', async () => {
    const res = await request(host.app)
      .post(`${MOUNT}/sync/buildings`)
      .set(AS_ADMIN)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('a=1');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers 400 invalid_json to malformed JSON and 413 to an oversized body', async () => {
    const bad = await request(host.app).put(`${MOUNT}/automation`).set(AS_ADMIN).set('Content-Type', 'application/json').send('{"a":');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');

    const huge = await request(host.app)
      .put(`${MOUNT}/automation`)
      .set(AS_ADMIN)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ dailyTime: 'x'.repeat(200_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('body_too_large');
  });

  it('answers 404 in the error shape for an unknown endpoint and an unknown run id', async () => {
    const unknown = await request(host.app).get(`${MOUNT}/nope`).set(AS_ADMIN);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const badId = await request(host.app).get(`${MOUNT}/runs/abc`).set(AS_ADMIN);
    expect(badId.status).toBe(404);
  });

  it('answers 400 with field errors for a bad query', async () => {
    const res = await request(host.app).get(`${MOUNT}/runs?limit=0`).set(AS_ADMIN);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'limit', message: expect.any(String) }] });
  });
});

describeEachDatabase('prototype keys', (db) => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost(db());
  });

  it.each([
    ['{"__proto__":{"polluted":true}}', '__proto__'],
    ['{"paused":true,"constructor":{"prototype":{"polluted":true}}}', 'constructor'],
    ['{"nested":{"deeper":{"__proto__":{"x":1}}}}', 'nested.deeper.__proto__'],
  ])('refuses %s with a field error and pollutes nothing', async (raw, field) => {
    const res = await request(host.app).put(`${MOUNT}/automation`).set(AS_ADMIN).set('Content-Type', 'application/json').send(raw);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ field }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
