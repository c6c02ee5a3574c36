import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createProviderConnection, testProviderConnection } from '../../server/providers';
import { pagingLimits } from '../../server/providers/connection';
import { createHttpClient } from '../../server/providers/http-client';
import { createSession } from '../../server/providers/session';
import type { ProviderSettings } from '../../server/providers/types';
import { waitUntil } from '../helpers/wait-until';
import { collect, providerDeps, pullError, stubServer, userIds } from './provider-helpers';

// Pages are capped at 40 by the sandbox while the client asks for 100: the silent cap is always on.
let sandbox: Sandbox;
let deps: ReturnType<typeof providerDeps>;

beforeAll(async () => {
  sandbox = await startSandbox({ students: 300, schools: 6, maxPageSize: 40, tokenTtlSeconds: 3600 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  const { apiKey, proxyUrl } = sandbox.credentials.classlink;
  deps = providerDeps({ classlink: { apiKey, proxyUrl }, http: { pageSize: 100, retryBaseMs: 1, retryMaxMs: 10, maxRetries: 4, timeoutMs: 2000 } });
});

const oneroster11 = (): ProviderSettings => ({ provider: 'oneroster', version: '1.1', auth: 'oauth1', ...sandbox.credentials.oneroster11 });
const oneroster12 = (): ProviderSettings => ({ provider: 'oneroster', version: '1.2', auth: 'oauth2', ...sandbox.credentials.oneroster12 });
const classlink = (): ProviderSettings => ({ provider: 'classlink', version: '1.1', auth: 'oauth2', tenantId: sandbox.credentials.classlink.tenantId });

const truth12 = () => [...sandbox.district.people()].map((person) => person.sourcedId).sort();
const truth11 = () => [...sandbox.district.people({ version: '1.1' })].map((person) => person.sourcedId).sort();

describe('a full pull fetches every record exactly once', () => {
  it('through a silent page cap, on OneRoster 1.2 with OAuth 2.0', async () => {
    const ids = await userIds(createProviderConnection(oneroster12(), deps));
    expect(ids.length).toBeGreaterThan(300);
    expect(ids).toEqual(truth12());
  });

  it('through 429 bursts (with and without Retry-After) and 5xx', async () => {
    // Every fault counts the same /users requests, so `from` is the request number.
    sandbox.faults.set({ kind: 'rateLimit', retryAfterSeconds: 0, path: '/users', from: 2, count: 3 });
    sandbox.faults.set({ kind: 'serverError', status: 503, path: '/users', from: 7, count: 2 });
    sandbox.faults.set({ kind: 'rateLimit', path: '/users', from: 10, count: 2 });
    sandbox.faults.set({ kind: 'serverError', status: 502, path: '/users', from: 14, count: 1 });
    expect(await userIds(createProviderConnection(oneroster12(), deps))).toEqual(truth12());
    expect(sandbox.faults.fired()).toBe(8);
    expect(deps.logger.lines.filter((line) => line.includes('provider request retried'))).toHaveLength(8);
  });

  it('when the token expires mid-pull (a new token once, then on)', async () => {
    sandbox.faults.set({ kind: 'tokenExpiresMidPull', afterRequests: 3 });
    expect(await userIds(createProviderConnection(oneroster12(), deps))).toEqual(truth12());
    expect(sandbox.faults.fired('tokenExpiresMidPull')).toBeGreaterThan(0);
  });

  it('when the token lifetime is shorter than the pull (refreshed before it expires)', async () => {
    const shortLived = await startSandbox({ students: 60, maxPageSize: 10, tokenTtlSeconds: 1 });
    try {
      let now = Date.now();
      const clocked = { ...deps, clock: { now: () => new Date((now += 400)) } };
      const settings: ProviderSettings = { provider: 'oneroster', version: '1.2', auth: 'oauth2', ...shortLived.credentials.oneroster12 };
      const ids = await userIds(createProviderConnection(settings, clocked));
      expect(ids).toEqual([...shortLived.district.people()].map((p) => p.sourcedId).sort());
      // Tokens were renewed before expiry, not after a refusal.
      expect(shortLived.stats().byStatus[401] ?? 0).toBe(0);
    } finally {
      await shortLived.close();
    }
  });

  it('on OneRoster 1.1 with OAuth 1.0a, through a cut-off body, and a next link on the last page', async () => {
    sandbox.faults.set({ kind: 'truncatedBody', path: '/users', from: 3, count: 1 });
    sandbox.faults.set({ kind: 'nextOnLastPage', path: '/users' });
    expect(await userIds(createProviderConnection(oneroster11(), deps))).toEqual(truth11());
    expect(sandbox.faults.fired('truncatedBody')).toBe(1);
  });

  it('through ClassLink’s proxy, the application id used verbatim', async () => {
    expect(await userIds(createProviderConnection(classlink(), deps))).toEqual(truth11());
  });

  it('through ClassLink’s direct Roster Server when the proxy data path fails', async () => {
    // Only the proxy's data path (/{application id}/ims/...) fails; the direct root does not.
    sandbox.faults.set({ kind: 'serverError', status: 502, path: /^\/[^/]+\/ims\/oneroster\/v1p1\/users/ });
    expect(await userIds(createProviderConnection(classlink(), deps))).toEqual(truth11());
    expect(deps.logger.lines.some((line) => line.includes('using the direct Roster Server'))).toBe(true);
  });

  it('with a bare-array answer', async () => {
    sandbox.faults.set({ kind: 'bareArray', path: '/users' });
    expect(await userIds(createProviderConnection(oneroster12(), deps))).toEqual(truth12());
  });

  it('when X-Total-Count lies low: reads on to the end', async () => {
    sandbox.faults.set({ kind: 'wrongTotalCount', delta: -45, path: '/users' });
    expect(await userIds(createProviderConnection(oneroster12(), deps))).toEqual(truth12());
  });

  it('schools, normalized, with a total', async () => {
    const { records, pages } = await collect(createProviderConnection(oneroster11(), deps).schools());
    expect(records.map((s) => s.sourcedId).sort()).toEqual(sandbox.district.schools().map((s) => s.sourcedId).sort());
    expect(records.every((s) => s.type === 'school' && s.name !== '')).toBe(true);
    expect(pages[0]!.total).toBe(sandbox.district.schools().length);
  });
});

describe('a pull that cannot complete says so', () => {
  it('X-Total-Count lying high: incomplete_pull, not a short success', async () => {
    sandbox.faults.set({ kind: 'wrongTotalCount', delta: 7, path: '/users' });
    expect(await pullError(createProviderConnection(oneroster12(), deps).users())).toMatchObject({ code: 'incomplete_pull' });
  });

  it('a token revoked mid-pull: unauthorized', async () => {
    sandbox.faults.set({ kind: 'revoked', afterRequests: 3 });
    expect(await pullError(createProviderConnection(oneroster12(), deps).users())).toMatchObject({ code: 'unauthorized' });
  });

  it('a ClassLink bearer refused mid-pull: looked up again, then unauthorized', async () => {
    sandbox.faults.set({ kind: 'revoked', afterRequests: 2, path: /^\/[^/]+\/ims\/oneroster\/v1p1\// });
    expect(await pullError(createProviderConnection(classlink(), deps).users())).toMatchObject({ code: 'unauthorized' });
  });

  it('data shifting between pages: incomplete_pull (a record was skipped)', async () => {
    const small = await startSandbox({ students: 60, maxPageSize: 20 });
    try {
      small.faults.set({ kind: 'shiftingData', path: '/users', count: 1 });
      const settings: ProviderSettings = { provider: 'oneroster', version: '1.2', auth: 'oauth2', ...small.credentials.oneroster12 };
      expect(await pullError(createProviderConnection(settings, deps).users())).toMatchObject({ code: 'incomplete_pull' });
    } finally {
      await small.close();
    }
  });

  it('more pages than the cap: incomplete_pull', async () => {
    const capped = providerDeps({ http: { pageSize: 100, maxPages: 3 } });
    expect(await pullError(createProviderConnection(oneroster12(), capped).users())).toMatchObject({ code: 'incomplete_pull' });
  });

  it('a 200 without an envelope mid-pull: bad_response', async () => {
    sandbox.faults.set({ kind: 'missingEnvelope', path: '/users', from: 2 });
    expect(await pullError(createProviderConnection(oneroster12(), deps).users())).toMatchObject({ code: 'bad_response' });
  });

  it('a cancelled pull stops with aborted, even while waiting for a slow page', async () => {
    const controller = new AbortController();
    sandbox.faults.resetFired();
    sandbox.faults.set({ kind: 'slow', delayMs: 1500, path: '/users', from: 2 });
    const pages = createProviderConnection(oneroster12(), deps).users({ signal: controller.signal });
    const failure = pullError(pages);
    // Cancel once the slow page is being held by the provider, not after a guessed time.
    await waitUntil(() => sandbox.faults.fired('slow') > 0, 10_000, 'the slow page to be asked for');
    const cancelledAt = Date.now();
    controller.abort();
    expect(await failure).toMatchObject({ code: 'aborted' });
    // The held page would answer 1.5 s later: the pull did not wait for it.
    expect(Date.now() - cancelledAt).toBeLessThan(1000);
  });

  it('an empty feed is an empty pull (the sync engine decides whether to trust it)', async () => {
    sandbox.faults.set({ kind: 'emptyFeed', path: '/users' });
    const { records } = await collect(createProviderConnection(oneroster12(), deps).users());
    expect(records).toEqual([]);
  });
});

describe('deltas', () => {
  it('asks for records changed since a date; OAuth 1.0a signs the filter exactly as sent', async () => {
    const changed = sandbox.district.changeRandomPeople(0.05, 7);
    const since = new Date(Date.parse(sandbox.options.baseDate) + 1000);
    for (const settings of [oneroster11(), oneroster12()]) {
      const { records } = await collect(createProviderConnection(settings, deps).users({ since }));
      expect(records.length).toBeGreaterThan(0);
      expect(records.length).toBeLessThan(truth11().length / 2);
      expect(records.every((person) => Date.parse(person.dateLastModified!) > since.getTime())).toBe(true);
    }
    expect(changed.length).toBeGreaterThan(0);
  });
});

describe('providers that differ from the sandbox', () => {
  it('reads schools from /orgs when /schools is 404, and throws delta_unsupported when the filter is refused', async () => {
    const seen: string[] = [];
    const server = await stubServer((req, res) => {
      const url = new URL(req.url!, 'http://stub');
      seen.push(`${url.pathname} ${url.searchParams.get('filter') ?? ''}`);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
      if (url.pathname.endsWith('/token')) return send(200, { access_token: 'stub-token', expires_in: 3600 });
      if (url.pathname.endsWith('/schools')) return send(404, { imsx_description: 'no such endpoint' });
      if (url.pathname.endsWith('/orgs')) {
        const offset = Number(url.searchParams.get('offset'));
        const orgs = offset === 0 ? [{ sourcedId: 's1', name: 'One', type: 'school' }, { sourcedId: 's2', name: 'Two', type: 'school' }] : [];
        return send(200, { orgs }, { 'X-Total-Count': '2' });
      }
      if (url.pathname.endsWith('/users')) {
        if (url.searchParams.has('filter')) return send(400, { imsx_description: 'filter not supported' });
        return send(200, { users: [] });
      }
      send(404, {});
    });
    try {
      const settings: ProviderSettings = {
        provider: 'oneroster', version: '1.2', auth: 'oauth2', baseUrl: `${server.url}/root`, tokenUrl: `${server.url}/token`, clientId: 'id', clientSecret: 'secret',
      };
      const connection = createProviderConnection(settings, deps);
      const { records } = await collect(connection.schools());
      expect(records.map((s) => s.sourcedId)).toEqual(['s1', 's2']);
      expect(seen).toContain("/root/orgs type='school'");
      expect(await pullError(connection.users({ since: new Date('2026-01-01T00:00:00Z') }))).toMatchObject({ code: 'delta_unsupported' });
    } finally {
      server.close();
    }
  });
});

describe('authentication quirks', () => {
  it('OAuth 2.0: sends the client credentials in the body when the token URL refuses HTTP Basic', async () => {
    const tokenRequests: string[] = [];
    const server = await stubServer((req, res) => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
      if (req.url!.startsWith('/token')) {
        let form = '';
        req.on('data', (chunk) => (form += chunk));
        req.on('end', () => {
          const params = new URLSearchParams(form);
          tokenRequests.push(req.headers.authorization ? 'basic' : 'body');
          if (req.headers.authorization) return send(401, { error: 'invalid_client' });
          expect(params.get('scope')).toBe('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly');
          if (params.get('client_id') === 'id' && params.get('client_secret') === 's3cret&=') return send(200, { access_token: 'stub-token', expires_in: 3600 });
          send(401, { error: 'invalid_client' });
        });
        return;
      }
      if (req.headers.authorization !== 'Bearer stub-token') return send(401, {});
      send(200, { orgs: [{ sourcedId: 's1', name: 'One', type: 'school' }] }, { 'X-Total-Count': '1' });
    });
    try {
      const settings: ProviderSettings = {
        provider: 'oneroster', version: '1.2', auth: 'oauth2', baseUrl: `${server.url}/root`, tokenUrl: `${server.url}/token`, clientId: 'id', clientSecret: 's3cret&=',
      };
      const connection = createProviderConnection(settings, deps);
      expect((await collect(connection.schools())).records).toHaveLength(1);
      await collect(connection.schools());
      // Basic once, refused; the body ever after (the token is cached).
      expect(tokenRequests).toEqual(['basic', 'body']);
    } finally {
      server.close();
    }
  });

  it('ClassLink: pages the application list without count headers, and stops on a list that ignores offset', async () => {
    const tenants = Array.from({ length: 130 }, (_, i) => ({
      tenant_id: 5000 + i, tenant_name: `District ${i}`, enabled: 'true', bearer: `bearer-${i}`, oneroster_application_id: `app%2F${i}`,
    }));
    let ignoreOffset = false;
    const requests: string[] = [];
    const server = await stubServer((req, res) => {
      const url = new URL(req.url!, 'http://stub');
      requests.push(url.search);
      const offset = ignoreOffset ? 0 : Number(url.searchParams.get('offset'));
      // Capped at 50 rows, whatever limit was asked.
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ applications: tenants.slice(offset, offset + 50) }));
    });
    try {
      const vendorDeps = providerDeps({ classlink: { apiKey: 'vendor-key', proxyUrl: server.url } });
      const found = await createSession({ provider: 'classlink', version: '1.1', auth: 'oauth2', tenantId: '5120' }, vendorDeps).resolveTenant();
      expect(found).toMatchObject({ tenantId: '5120', applicationId: 'app%2F120', name: 'District 120' });
      expect(requests).toEqual(['?limit=100&offset=0', '?limit=100&offset=50', '?limit=100&offset=100']);

      ignoreOffset = true;
      requests.length = 0;
      const result = await testProviderConnection({ provider: 'classlink', version: '1.1', auth: 'oauth2', tenantId: '5120' }, vendorDeps);
      expect(result.error?.code).toBe('tenant_not_found');
      expect(requests).toHaveLength(2);
    } finally {
      server.close();
    }
  });
});

describe('concurrent page reads against the sandbox', () => {
  it('keeps at most `concurrency` requests in flight on the provider, and reads everything once', async () => {
    const inFlight = { now: 0, max: 0 };
    // A slow provider, so requests overlap; the stub in front of the sandbox counts them.
    sandbox.faults.set({ kind: 'slow', delayMs: 20, path: '/users' });
    const server = await stubServer(async (req, res) => {
      inFlight.now += 1;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      const answer = await fetch(`${sandbox.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
      res.writeHead(answer.status, { 'Content-Type': 'application/json', 'X-Total-Count': answer.headers.get('x-total-count') ?? '' }).end(await answer.text());
      inFlight.now -= 1;
    });
    try {
      const { tokenUrl, ...rest } = sandbox.credentials.oneroster12;
      const settings: ProviderSettings = { provider: 'oneroster', version: '1.2', auth: 'oauth2', ...rest, tokenUrl, baseUrl: `${server.url}${new URL(rest.baseUrl).pathname}` };
      const three = providerDeps({ http: { pageSize: 100, concurrency: 3, retryBaseMs: 1, retryMaxMs: 10, timeoutMs: 2000 } });
      expect(await userIds(createProviderConnection(settings, three))).toEqual(truth12());
      expect(inFlight.max).toBe(3);
    } finally {
      server.close();
    }
  });

  it('caps Infinite Campus at its published 5 concurrent requests, whatever is configured', () => {
    const http = providerDeps({ http: { concurrency: 12 } }).options.http;
    expect(pagingLimits('infinitecampus', http).concurrency).toBe(5);
    expect(pagingLimits('oneroster', http).concurrency).toBe(12);
  });

  it('tells the pager of every 429 and 503 as it arrives, with its Retry-After', async () => {
    const refusals: Array<number | null> = [];
    let calls = 0;
    const server = await stubServer((_req, res) => {
      calls += 1;
      if (calls === 1) return res.writeHead(429, { 'Retry-After': '0' }).end();
      if (calls === 2) return res.writeHead(503).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    try {
      const client = createHttpClient({ http: deps.options.http, network: deps.options.network, logger: deps.logger });
      await client.send({ method: 'GET', url: `${server.url}/x`, onRefused: (ms) => refusals.push(ms) });
      expect(refusals).toEqual([0, null]);
    } finally {
      server.close();
    }
  });
});

describe('logs', () => {
  it('never hold a secret, an API key or a bearer token', async () => {
    sandbox.faults.set({ kind: 'rateLimit', count: 2 });
    await userIds(createProviderConnection(classlink(), deps));
    await userIds(createProviderConnection(oneroster12(), deps));
    const text = deps.logger.lines.join('\n');
    expect(text).toMatch(/retried/);
    const c = sandbox.credentials;
    for (const secret of [c.oneroster11.clientSecret, c.oneroster12.clientSecret, c.classlink.apiKey]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Bearer|Basic |oauth_signature/);
  });
});
