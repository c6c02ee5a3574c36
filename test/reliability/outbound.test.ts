import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Sequelize } from 'sequelize';
import { createOneRoster } from '../../server';
import { AS_ADMIN, createTestHost, MOUNT, TEST_ENCRYPTION_KEY, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';

/**
 * Addresses refused even with every network switch open (`allowHttp: 'always'`, loopback and
 * private allowed): they reach this machine by another name (0.0.0.0, `::`, and their mapped and
 * NAT64 forms), the cloud metadata service (169.254.0.0/16, also inside IPv6), or special-purpose
 * ranges. `PORT` is a loopback server that counts what reaches it.
 */
const NEVER = [
  'http://0.0.0.0:PORT/ims',
  'http://0:PORT/ims',
  'http://[::ffff:0.0.0.0]:PORT/ims',
  'http://[::]:PORT/ims',
  'http://[64:ff9b::]:PORT/ims',
  'http://169.254.169.254/latest/meta-data',
  'http://[::ffff:169.254.169.254]/latest/meta-data',
  'http://[::a9fe:a9fe]/latest/meta-data',
  'http://[64:ff9b::a9fe:a9fe]/latest/meta-data',
  'http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data',
  'http://[2002:a9fe:a9fe::1]/latest/meta-data',
  'http://192.0.0.1/ims',
  'http://198.18.0.1/ims',
  'http://198.19.255.254/ims',
  'http://[fec0::1]/ims',
  'http://[fe80::1]/ims',
  'http://224.0.0.1/ims',
];

describeEachDatabase('outbound safety: addresses refused whatever allowPrivate says', (db) => {
  let host: TestHost;
  let trap: Server;
  let port = 0;
  let reached = 0;

  beforeAll(async () => {
    trap = createServer((_req, res) => {
      reached += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    port = (trap.address() as AddressInfo).port;
    host = await createTestHost(db(), { network: { allowHttp: 'always', allowLoopback: true, allowPrivate: true }, http: { timeoutMs: 1500, maxRetries: 0 } });
  });
  afterAll(async () => {
    await host.oneroster.close();
    await new Promise((resolve) => trap.close(resolve));
  });

  it.each(NEVER)('%s is refused with url_not_allowed (test) and 422 (save); nothing reaches this machine', async (template) => {
    const url = template.replace('PORT', String(port));
    const input = { provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl: url, clientId: 'id', clientSecret: 'secret' };
    const test = await request(host.app).post(`${MOUNT}/config/test`).set(AS_ADMIN).send(input);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, error: { code: 'url_not_allowed' } });
    const save = await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(input);
    expect(save.status).toBe(422);
    expect(reached).toBe(0);
  });

  it('a private address is still allowed with allowPrivate (an on-premises provider), and loopback with allowLoopback', async () => {
    const test = await request(host.app).post(`${MOUNT}/config/test`).set(AS_ADMIN)
      .send({ provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl: `http://127.0.0.1:${port}/ims`, clientId: 'id', clientSecret: 'secret' });
    expect(test.body.error?.code).not.toBe('url_not_allowed');
    expect(reached).toBeGreaterThan(0);
  });
});

describe('encryption keys with too little entropy or loose base64 are refused at creation', () => {
  const sequelize = new Sequelize('sqlite::memory:', { logging: false });
  afterAll(() => sequelize.close());

  it.each([
    ['all zero bytes (base64)', Buffer.alloc(32).toString('base64')],
    ['all zero bytes (hex)', '00'.repeat(32)],
    ['one byte repeated', Buffer.alloc(32, 7).toString('base64')],
    ['two bytes alternating', 'ab12'.repeat(16)],
    ['base64 with a stray character', `${Buffer.from(TEST_ENCRYPTION_KEY, 'hex').toString('base64').slice(0, 20)}!${Buffer.from(TEST_ENCRYPTION_KEY, 'hex').toString('base64').slice(20)}`],
    ['base64 with spaces', Buffer.from(TEST_ENCRYPTION_KEY, 'hex').toString('base64').replace(/(.{11})/g, '$1 ')],
    ['base64 without its padding', Buffer.from(TEST_ENCRYPTION_KEY, 'hex').toString('base64').replace(/=$/, '')],
    ['base64url', randomBytes(32).toString('base64url')],
  ])('%s', (_what, key) => {
    expect(() => createOneRoster({ sequelize, encryptionKey: key })).toThrow(/invalid option "encryptionKey"/);
  });

  it('a random key is accepted, as hex or as base64', () => {
    expect(() => createOneRoster({ sequelize, encryptionKey: randomBytes(32).toString('hex') })).not.toThrow();
    expect(() => createOneRoster({ sequelize, encryptionKey: randomBytes(32).toString('base64') })).not.toThrow();
  });
});
