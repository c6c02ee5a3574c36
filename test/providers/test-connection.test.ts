import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { testProviderConnection } from '../../server/providers';
import type { ProviderSettings } from '../../server/providers/types';
import { providerDeps, stubServer } from './provider-helpers';

let sandbox: Sandbox;
let deps: ReturnType<typeof providerDeps>;

beforeAll(async () => {
  sandbox = await startSandbox({ students: 40, schools: 4 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  const { apiKey, proxyUrl } = sandbox.credentials.classlink;
  deps = providerDeps({ classlink: { apiKey, proxyUrl }, http: { retryBaseMs: 1, retryMaxMs: 10, timeoutMs: 400, maxRetries: 2 } });
});

const oneroster11 = (): ProviderSettings => ({ provider: 'oneroster', version: '1.1', auth: 'oauth1', ...sandbox.credentials.oneroster11 });
const oneroster12 = (): ProviderSettings => ({ provider: 'oneroster', version: '1.2', auth: 'oauth2', ...sandbox.credentials.oneroster12 });
const campus = (): ProviderSettings => {
  const { baseUrl, tokenUrl, clientId, clientSecret } = sandbox.credentials.infinitecampus;
  return { provider: 'infinitecampus', version: '1.2', auth: 'oauth2', baseUrl, tokenUrl, clientId, clientSecret };
};
const classlink = (tenantId = sandbox.credentials.classlink.tenantId): ProviderSettings => ({ provider: 'classlink', version: '1.1', auth: 'oauth2', tenantId });

/** Every secret the sandbox hands out: none may appear in a result or a log line. */
function secrets(): string[] {
  const c = sandbox.credentials;
  return [c.oneroster11.clientSecret, c.oneroster12.clientSecret, c.oneroster11oauth2.clientSecret, c.infinitecampus.clientSecret, c.classlink.apiKey];
}

function expectNoSecrets(text: string): void {
  for (const secret of secrets()) expect(text).not.toContain(secret);
}

describe('a passing test lists the schools', () => {
  const schoolIds = () => sandbox.district.schools().map((school) => school.sourcedId);

  it.each([
    ['OneRoster 1.1 with OAuth 1.0a', oneroster11, ['authenticate', 'read_schools']],
    ['OneRoster 1.2 with OAuth 2.0', oneroster12, ['authenticate', 'read_schools']],
    ['Infinite Campus 1.2', campus, ['authenticate', 'read_schools']],
    ['Infinite Campus 1.1', () => ({ ...campus(), version: '1.1', baseUrl: sandbox.credentials.infinitecampus.baseUrl11 }), ['authenticate', 'read_schools']],
    ['ClassLink', () => classlink(), ['resolve_tenant', 'authenticate', 'read_schools']],
  ] as Array<[string, () => ProviderSettings, string[]]>)('%s', async (_name, settings, stepNames) => {
    const result = await testProviderConnection(settings(), deps);
    expect(result.ok).toBe(true);
    expect(result.steps.map((step) => [step.name, step.ok])).toEqual(stepNames.map((name) => [name, true]));
    expect(result.schools!.count).toBe(schoolIds().length);
    expect(result.schools!.sample.map((school) => school.sourcedId).sort()).toEqual([...schoolIds()].sort());
    expect(result.schools!.sample[0]).toEqual({ sourcedId: expect.any(String), name: expect.any(String), identifier: expect.any(String) });
    expectNoSecrets(JSON.stringify(result));
  });
});

describe('each failure has its code and hints', () => {
  async function failure(settings: ProviderSettings, stepName: string) {
    const result = await testProviderConnection(settings, deps);
    expect(result.ok).toBe(false);
    const last = result.steps[result.steps.length - 1]!;
    expect(last).toMatchObject({ name: stepName, ok: false });
    expectNoSecrets(JSON.stringify(result));
    expectNoSecrets(deps.logger.lines.join('\n'));
    return result.error!;
  }

  it('a Tenant ID that did not approve the app: tenant_not_found', async () => {
    const error = await failure(classlink('999999'), 'resolve_tenant');
    expect(error.code).toBe('tenant_not_found');
    expect(error.hints).toEqual(expect.arrayContaining(['Verify the Tenant ID', 'Confirm the application was approved in ClassLink']));
  });

  it('a district that disabled the app: application_disabled', async () => {
    const error = await failure(classlink(sandbox.credentials.classlink.disabledTenantId), 'resolve_tenant');
    expect(error.code).toBe('application_disabled');
  });

  it('no ClassLink API key on this installation: missing_api_key', async () => {
    deps = providerDeps();
    const error = await failure(classlink(), 'resolve_tenant');
    expect(error.code).toBe('missing_api_key');
  });

  it('a wrong vendor key: unauthorized', async () => {
    deps = providerDeps({ classlink: { apiKey: 'not-the-key', proxyUrl: sandbox.url } });
    expect((await failure(classlink(), 'resolve_tenant')).code).toBe('unauthorized');
  });

  it('a wrong OAuth 1.0a secret: the sandbox checks the signature and refuses it', async () => {
    const error = await failure({ ...oneroster11(), clientSecret: 'wrong-secret' }, 'authenticate');
    expect(error.code).toBe('unauthorized');
    expect(error.hints).toContain('The credentials were rejected or have expired');
  });

  it('a wrong OAuth 2.0 secret (generic and Infinite Campus): unauthorized', async () => {
    expect((await failure({ ...oneroster12(), clientSecret: 'wrong' }, 'authenticate')).code).toBe('unauthorized');
    const error = await failure({ ...campus(), clientSecret: 'wrong' }, 'authenticate');
    expect(error.code).toBe('unauthorized');
    expect(error.hints.join(' ')).toMatch(/Campus/);
  });

  it('a wrong base URL: not_found', async () => {
    const error = await failure({ ...oneroster12(), baseUrl: `${sandbox.url}/ims/oneroster/v9` }, 'read_schools');
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/404/);
  });

  it('a closed port: unreachable', async () => {
    const port = await closedPort();
    const error = await failure({ ...oneroster12(), baseUrl: `http://127.0.0.1:${port}/x`, tokenUrl: `http://127.0.0.1:${port}/token` }, 'authenticate');
    expect(error.code).toBe('unreachable');
  });

  it('a provider that never answers: timeout', async () => {
    sandbox.faults.set({ kind: 'hang', path: '/schools' });
    const started = Date.now();
    const error = await failure(oneroster12(), 'read_schools');
    expect(error.code).toBe('timeout');
    // Bounded: (retries + 1) × timeout, not forever.
    expect(Date.now() - started).toBeLessThan(3 * 400 + 1500);
  });

  it('429 beyond the retries: rate_limited', async () => {
    sandbox.faults.set({ kind: 'rateLimit', retryAfterSeconds: 0 });
    expect((await failure(oneroster12(), 'authenticate')).code).toBe('rate_limited');
  });

  it('500s beyond the retries: server_error', async () => {
    sandbox.faults.set({ kind: 'serverError', status: 500, path: '/schools' });
    expect((await failure(oneroster11(), 'authenticate')).code).toBe('server_error');
  });

  it('a 200 without an envelope: bad_response, not "no schools"', async () => {
    sandbox.faults.set({ kind: 'missingEnvelope', path: '/schools' });
    expect((await failure(campus(), 'read_schools')).code).toBe('bad_response');
  });

  it('https to a plain-http port: tls_error', async () => {
    const url = new URL(sandbox.url);
    const baseUrl = `https://127.0.0.1:${url.port}/ims/oneroster/v1p1`;
    expect((await failure({ ...oneroster11(), baseUrl }, 'authenticate')).code).toBe('tls_error');
  });

  it('http to a host that is not this machine, or a refused address: url_not_allowed, with nothing sent', async () => {
    const before = sandbox.stats().requests;
    expect((await failure({ ...oneroster11(), baseUrl: 'http://sis.example.org/ims/oneroster/v1p1' }, 'authenticate')).code).toBe('url_not_allowed');
    expect((await failure({ ...oneroster11(), baseUrl: 'https://169.254.169.254/latest' }, 'authenticate')).code).toBe('url_not_allowed');
    // The name resolves to loopback, which this installation does not allow.
    deps = providerDeps({ network: { allowHttp: 'always', allowLoopback: false } });
    const port = new URL(sandbox.url).port;
    expect((await failure({ ...oneroster11(), baseUrl: `http://localhost:${port}/ims/oneroster/v1p1` }, 'authenticate')).code).toBe('url_not_allowed');
    expect(sandbox.stats().requests).toBe(before);
  });

  it('a redirect is not followed: bad_response', async () => {
    const server = await stubServer((_req, res) => {
      res.writeHead(302, { Location: 'http://169.254.169.254/' }).end();
    });
    try {
      const error = await failure({ ...oneroster11(), baseUrl: `${server.url}/ims/oneroster/v1p1` }, 'authenticate');
      expect(error.code).toBe('bad_response');
      expect(error.message).toMatch(/redirect/);
    } finally {
      server.close();
    }
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
