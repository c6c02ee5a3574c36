import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadHostConfig } from '../../examples/host-app/config';
import { createHostApp, type HostApp } from '../../examples/host-app/create-host-app';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';

describe('loadHostConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'host-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('defaults to an SQLite file, the sandbox, and a local key kept across starts, with warnings', () => {
    const first = loadHostConfig({}, { dataDir });
    expect(first.port).toBe(3000);
    expect(first.databaseUrl).toBe(`sqlite:${path.join(dataDir, 'host-app.sqlite')}`);
    expect(first.sandbox).toEqual({ enabled: true, port: 4100, students: 2000 });
    expect(first.encryptionKey).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path.join(dataDir, 'encryption.key')).mode & 0o077).toBe(0);
    expect(first.warnings.join('\n')).toMatch(/SESSION_SECRET is not set[\s\S]*ONEROSTER_ENCRYPTION_KEY is not set/);
    const second = loadHostConfig({}, { dataDir });
    expect(second.encryptionKey).toBe(first.encryptionKey);
    expect(second.sessionSecret).not.toBe(first.sessionSecret);
  });

  it('reads the environment, and turns the sandbox off in production', () => {
    const config = loadHostConfig(
      {
        NODE_ENV: 'production',
        PORT: '8080',
        DATABASE_URL: 'mysql://u:p@db/m1',
        SESSION_SECRET: 's',
        ONEROSTER_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        CLASSLINK_API_KEY: 'k',
      },
      { dataDir },
    );
    expect(config).toMatchObject({ production: true, port: 8080, databaseUrl: 'mysql://u:p@db/m1', classlinkApiKey: 'k', warnings: [] });
    expect(config.sandbox.enabled).toBe(false);
    expect(readFileSafe(path.join(dataDir, 'encryption.key'))).toBeNull();
  });

  it('refuses unusable values, naming the variable', () => {
    expect(() => loadHostConfig({ PORT: 'http' }, { dataDir })).toThrow(/PORT must be a whole number/);
    expect(() => loadHostConfig({ ONEROSTER_SANDBOX: 'maybe' }, { dataDir })).toThrow(/ONEROSTER_SANDBOX must be true or false/);
    expect(() => loadHostConfig({ NODE_ENV: 'production' }, { dataDir })).toThrow(/ONEROSTER_ENCRYPTION_KEY must be set in production/);
  });
});

describeEachDatabase('the host app started as npm start starts it', (db) => {
  let host: HostApp;
  let url: string;

  beforeAll(async () => {
    host = await createHostApp({
      databaseUrl: db().url,
      encryptionKey: TEST_ENCRYPTION_KEY,
      sandbox: { port: 0, students: 40 },
      logger: createMemoryLogger(),
    });
    ({ url } = await host.start(0, '127.0.0.1'));
  });
  afterAll(() => host.close());

  it('serves the login page over HTTP, with the demo users', async () => {
    const res = await fetch(`${url}/login`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('<form method="post" action="/login"');
    expect(text).toContain('<code>admin</code> / <code>admin</code>');
  });

  it('shows the sandbox credentials on Settings and points ClassLink at the sandbox', async () => {
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin' }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const settings = await (await fetch(`${url}/settings`, { headers: { cookie } })).text();
    expect(settings).toContain(`<code>${host.sandbox?.credentials.oneroster12.clientId}</code>`);
    expect(settings).toContain(`<code>${host.sandbox?.credentials.classlink.tenantId}</code>`);
    const config = await (await fetch(`${url}/settings/automation/oneroster/config`, { headers: { cookie } })).json();
    expect(config.classlinkAvailable).toBe(true);
  });

  it('stops the server and the sandbox on close', async () => {
    const sandboxUrl = host.sandbox?.url as string;
    await host.close();
    await expect(fetch(`${url}/login`)).rejects.toThrow();
    await expect(fetch(sandboxUrl)).rejects.toThrow();
  });
});

function readFileSafe(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
