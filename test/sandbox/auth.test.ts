import crypto from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { Sandbox, classLinkRoot, startSandbox } from '../../examples/oneroster-sandbox';
import { waitUntil } from '../helpers/wait-until';
import { fetchToken, oauth1Header, query, request } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 60, tokenTtlSeconds: 1 });
});
afterAll(() => sandbox.close());

describe('OAuth 1.0a HMAC-SHA256 on the 1.1 root', () => {
  const schoolsUrl = (params: Record<string, string | number> = { limit: 2, offset: 0 }): string =>
    `${sandbox.credentials.oneroster11.baseUrl}/schools?${query(params)}`;

  it('accepts a correctly signed request, query parameters included', async () => {
    const { clientId, clientSecret } = sandbox.credentials.oneroster11;
    const url = `${sandbox.credentials.oneroster11.baseUrl}/users?${query({ limit: 3, offset: 1, filter: "status='active' AND role='student'" })}`;
    const response = await request(url, { authorization: oauth1Header(url, clientId, clientSecret) });
    expect(response.status).toBe(200);
    expect(response.body.users).toHaveLength(3);
  });

  it('accepts requests signed by the oauth-1.0a package the product client uses', async () => {
    const { clientId, clientSecret } = sandbox.credentials.oneroster11;
    const oauth = new OAuth({
      consumer: { key: clientId, secret: clientSecret },
      signature_method: 'HMAC-SHA256',
      hash_function: (base, key) => crypto.createHmac('sha256', key).update(base).digest('base64'),
    });
    const url = schoolsUrl({ limit: 2, offset: 1, filter: "type='school'" });
    const header = oauth.toHeader(oauth.authorize({ url, method: 'GET' }));
    const response = await request(url, { authorization: header.Authorization });
    expect(response.status).toBe(200);
    expect(response.body.orgs).toHaveLength(2);
  });

  it('rejects a wrong signature, a tampered query, a stale timestamp and an unknown key', async () => {
    const { clientId, clientSecret } = sandbox.credentials.oneroster11;
    const url = schoolsUrl();
    const wrongSecret = await request(url, { authorization: oauth1Header(url, clientId, `${clientSecret}x`) });
    const tampered = await request(url.replace('limit=2', 'limit=3'), { authorization: oauth1Header(url, clientId, clientSecret) });
    const stale = await request(url, { authorization: oauth1Header(url, clientId, clientSecret, { timestamp: Math.floor(Date.now() / 1000) - 301 }) });
    const unknownKey = await request(url, { authorization: oauth1Header(url, 'nobody', clientSecret) });
    const unsigned = await request(url);
    for (const response of [wrongSecret, tampered, stale, unknownKey, unsigned]) {
      expect(response.status).toBe(401);
      expect(response.body.statusInfoSet[0].imsx_codeMajor).toBe('failure');
    }
    expect(stale.body.statusInfoSet[0].imsx_description).toMatch(/timestamp/);
  });

  it('is not accepted on the 1.2 root', async () => {
    const { clientId, clientSecret } = sandbox.credentials.oneroster11;
    const url = `${sandbox.credentials.oneroster12.baseUrl}/schools`;
    expect((await request(url, { authorization: oauth1Header(url, clientId, clientSecret) })).status).toBe(401);
  });
});

describe('OAuth 2.0 client credentials', () => {
  it('issues tokens for HTTP Basic and for form-body client auth, and they open the 1.2 root', async () => {
    for (const mode of ['basic', 'form'] as const) {
      const token = await fetchToken(sandbox.credentials.oneroster12, mode);
      expect(token.status).toBe(200);
      expect(token.body).toMatchObject({ token_type: 'bearer', expires_in: 1 });
      const schools = await request(`${sandbox.credentials.oneroster12.baseUrl}/schools`, { authorization: `Bearer ${token.body.access_token}` });
      expect(schools.status).toBe(200);
    }
  });

  it('refuses a wrong secret, an unknown client and another grant type', async () => {
    const creds = sandbox.credentials.oneroster12;
    expect((await fetchToken({ ...creds, clientSecret: 'nope' })).status).toBe(401);
    expect((await fetchToken({ ...creds, clientId: 'nobody' }, 'form')).status).toBe(401);
    const password = await request(creds.tokenUrl, { 'content-type': 'application/x-www-form-urlencoded' }, { method: 'POST', body: 'grant_type=password' });
    expect(password.status).toBe(400);
    expect(password.body.error).toBe('unsupported_grant_type');
  });

  it('rejects expired tokens, forced expiry, bad tokens, and tokens of another root', async () => {
    const issued = (await fetchToken(sandbox.credentials.oneroster12)).body as { access_token: string; expires_in: number };
    const answeredAt = Date.now();
    const token = issued.access_token;
    const url = `${sandbox.credentials.oneroster12.baseUrl}/schools`;
    expect((await request(url, { authorization: `Bearer ${token}` })).status).toBe(200);
    // The token's own lifetime, counted from when its answer arrived (it was issued before that), has passed.
    await waitUntil(() => Date.now() > answeredAt + issued.expires_in * 1000, 10_000, 'the token lifetime to pass');
    const expired = await request(url, { authorization: `Bearer ${token}` });
    expect(expired.status).toBe(401);
    expect(expired.body.imsx_codeMajor).toBe('failure');
    expect(expired.headers.get('www-authenticate')).toMatch(/invalid_token/);

    const fresh = (await fetchToken(sandbox.credentials.oneroster12)).body.access_token as string;
    sandbox.expireTokens();
    expect((await request(url, { authorization: `Bearer ${fresh}` })).status).toBe(401);
    expect((await request(url, { authorization: 'Bearer made-up' })).status).toBe(401);

    const other = (await fetchToken(sandbox.credentials.oneroster11oauth2)).body.access_token as string;
    expect((await request(url, { authorization: `Bearer ${other}` })).status).toBe(401);
    expect((await request(`${sandbox.credentials.oneroster11oauth2.baseUrl}/schools`, { authorization: `Bearer ${other}` })).status).toBe(200);
  });

  it('serves Infinite Campus shaped token and data URLs', async () => {
    const ic = sandbox.credentials.infinitecampus;
    expect(ic.tokenUrl).toMatch(/\/campus\/oauth2\/token\?appName=sandbox$/);
    expect(ic.baseUrl).toMatch(/\/campus\/api\/oneroster\/v1p2\/sandbox\/ims\/oneroster\/rostering\/v1p2$/);
    const token = (await fetchToken(ic)).body.access_token as string;
    for (const root of [ic.baseUrl, ic.baseUrl11]) {
      expect((await request(`${root}/schools`, { authorization: `Bearer ${token}` })).status).toBe(200);
    }
  });
});

describe('ClassLink proxy imitation', () => {
  const vendor = (): Record<string, string> => ({ authorization: `Bearer ${sandbox.credentials.classlink.apiKey}` });

  async function applications(): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const rows = [];
    for (let offset = 0; ; offset += 2) {
      const page = await request(`${sandbox.url}/applications?limit=2&offset=${offset}`, vendor());
      expect(page.status).toBe(200);
      expect(page.headers.get('x-total-count')).toBeNull();
      if (page.body.applications.length === 0) break;
      rows.push(...page.body.applications);
    }
    return rows;
  }

  it('lists tenants page by page with string enabled flags and encoded application ids', async () => {
    const rows = await applications();
    const { tenantId, disabledTenantId, otherTenantIds } = sandbox.credentials.classlink;
    expect(rows.map((row) => String(row.tenant_id)).sort()).toEqual([tenantId, disabledTenantId, ...otherTenantIds].sort());
    for (const row of rows) {
      expect(typeof row.tenant_id).toBe('number');
      expect(['true', 'false']).toContain(row.enabled);
      expect(row.oneroster_application_id).toMatch(/%2F/);
      expect(row.oneroster_application_id).toMatch(/%3D/);
    }
    expect(rows.find((row) => String(row.tenant_id) === disabledTenantId).enabled).toBe('false');
    expect((await request(`${sandbox.url}/applications`, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('serves data to a tenant bearer on the verbatim application id only', async () => {
    const row = (await applications()).find((r) => String(r.tenant_id) === sandbox.credentials.classlink.tenantId);
    const root = classLinkRoot(sandbox.url, row.oneroster_application_id);
    const ok = await request(`${root}/users?limit=5`, { authorization: `Bearer ${row.bearer}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-count')).toBe('5');
    expect(ok.body.users[0].enabledUser).toMatch(/^(true|false)$/);
    const doubleEncoded = classLinkRoot(sandbox.url, encodeURIComponent(row.oneroster_application_id));
    expect((await request(`${doubleEncoded}/users`, { authorization: `Bearer ${row.bearer}` })).status).toBe(401);
    expect((await request(`${root}/users`, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('refuses the disabled tenant with 403', async () => {
    const row = (await applications()).find((r) => String(r.tenant_id) === sandbox.credentials.classlink.disabledTenantId);
    const response = await request(`${classLinkRoot(sandbox.url, row.oneroster_application_id)}/users`, { authorization: `Bearer ${row.bearer}` });
    expect(response.status).toBe(403);
    expect((await request(`${sandbox.url}/applications/${row.oneroster_application_id}/server`, vendor())).status).toBe(403);
  });

  it('hands out direct OAuth1 credentials that work on the 1.1 root', async () => {
    const row = (await applications()).find((r) => String(r.tenant_id) === sandbox.credentials.classlink.tenantId);
    const server = await request(`${sandbox.url}/applications/${row.oneroster_application_id}/server`, vendor());
    expect(server.status).toBe(200);
    const { client_id: key, client_secret: secret, endpoint_url: endpoint } = server.body.server;
    expect(endpoint).toBe(sandbox.credentials.oneroster11.baseUrl);
    const url = `${endpoint}/schools`;
    expect((await request(url, { authorization: oauth1Header(url, key, secret) })).status).toBe(200);
  });
});
