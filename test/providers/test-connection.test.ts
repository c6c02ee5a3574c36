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

  it('a grant that sees no schools (Ed-Fi answers [] with 200): no_schools, with a hint about school access', async () => {
    sandbox.faults.set({ kind: 'emptyFeed' });
    const error = await failure({ ...oneroster12(), ...sandbox.credentials.edfi }, 'read_schools');
    expect(error.code).toBe('no_schools');
    expect(error.hints.join(' ')).toMatch(/access to any school/);
  });

  it('counts only active schools as found', async () => {
    const [first] = sandbox.district.schools();
    sandbox.district.markSchoolToBeDeleted(first!.sourcedId);
    try {
      const result = await testProviderConnection(oneroster12(), deps);
      expect(result.schools!.count).toBe(sandbox.district.schools().length - 1);
      expect(result.schools!.sample.map((school) => school.sourcedId)).not.toContain(first!.sourcedId);
    } finally {
      sandbox.district.updateSchool(first!.sourcedId, { status: 'active' });
    }
  });

  it('invalid_scope at the token URL: a scope problem naming the scope, not bad credentials', async () => {
    sandbox.faults.set({ kind: 'tokenError', error: 'invalid_scope', description: 'scope roster-core.readonly not granted', path: '/oauth2/token' });
    const error = await failure(oneroster12(), 'authenticate');
    expect(error.code).toBe('scope_refused');
    expect(error.message).toContain('invalid_scope');
    expect(error.message).toContain('scope roster-core.readonly not granted');
    expect(error.hints.join(' ')).toContain('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly');
    expect(error.hints.join(' ')).not.toMatch(/secret/);
    expect(error.message).not.toMatch(/client ID and secret/);
  });

  it('invalid_client at the token URL: the credentials, with the provider\'s words', async () => {
    sandbox.faults.set({ kind: 'tokenError', error: 'invalid_client', description: 'client authentication failed', status: 401, path: '/oauth2/token' });
    const error = await failure(oneroster12(), 'authenticate');
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('invalid_client');
    expect(error.hints).toEqual(expect.arrayContaining(['Check the client ID and client secret']));
  });

  it.each([['a redirect', { kind: 'redirect' as const }], ['a 404', { kind: 'serverError' as const, status: 500 as const }]])(
    '%s at the token URL points at the Token URL field',
    async (name, fault) => {
      const settings = name === 'a 404' ? { ...oneroster12(), tokenUrl: `${sandbox.url}/oauth2/no-such-token` } : oneroster12();
      if (name === 'a redirect') sandbox.faults.set({ ...fault, path: '/oauth2/token' });
      const error = await failure(settings, 'authenticate');
      expect(error.hints.join(' ')).toMatch(/Token URL field/);
      expect(error.hints.join(' ')).not.toMatch(/base URL/);
    },
  );
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
