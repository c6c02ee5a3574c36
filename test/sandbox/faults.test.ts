import http from 'node:http';
import { Sandbox, parseFaultSpec, startSandbox } from '../../examples/oneroster-sandbox';
import { bearer12, fetchToken, request } from './helpers';

let sandbox: Sandbox;
let headers: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 40, staff: 5, guardians: 5 });
  headers = await bearer12(sandbox);
});
afterEach(() => sandbox.faults.clear());
afterAll(() => sandbox.close());

const users = (params = 'limit=10'): Promise<ReturnType<typeof request> extends Promise<infer R> ? R : never> =>
  request(`${sandbox.credentials.oneroster12.baseUrl}/users?${params}`, headers);

/** Raw GET that reports a cut connection instead of throwing. */
function rawGet(url: string, timeoutMs: number): Promise<{ outcome: 'complete' | 'cut' | 'timeout'; body: string }> {
  return new Promise((resolve) => {
    let body = '';
    const req = http.get(url, { headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ outcome: 'complete', body }));
      res.on('aborted', () => resolve({ outcome: 'cut', body }));
      res.on('error', () => resolve({ outcome: 'cut', body }));
    });
    req.on('error', () => resolve({ outcome: 'cut', body }));
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ outcome: 'timeout', body });
    });
  });
}

describe('faults', () => {
  it('answers normally when no fault is on', async () => {
    const page = await users();
    expect(page.status).toBe(200);
    expect(page.body.users).toHaveLength(10);
    expect(sandbox.faults.fired()).toBe(0);
  });

  it('429 with and without Retry-After, limited by count', async () => {
    sandbox.faults.set({ kind: 'rateLimit', retryAfterSeconds: 2, count: 1 });
    const limited = await users();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await users()).status).toBe(200);
    sandbox.faults.set({ kind: 'rateLimit' });
    const bare = await users();
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
  });

  it('500, 502 and 503, only on matching paths and inside the request window', async () => {
    for (const status of [500, 502, 503] as const) {
      sandbox.faults.clear();
      sandbox.faults.set({ kind: 'serverError', status, path: '/users', from: 2, to: 3 });
      const seen = [(await users()).status, (await users()).status, (await users()).status, (await users()).status];
      expect(seen).toEqual([200, status, status, 200]);
      const schools = await request(`${sandbox.credentials.oneroster12.baseUrl}/schools`, headers);
      expect(schools.status).toBe(200);
    }
  });

  it('slow answers and hangs', async () => {
    sandbox.faults.set({ kind: 'slow', delayMs: 300, count: 1 });
    const started = Date.now();
    expect((await users()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    sandbox.faults.set({ kind: 'hang', count: 1 });
    expect((await rawGet(`${sandbox.credentials.oneroster12.baseUrl}/users`, 300)).outcome).toBe('timeout');
    expect((await rawGet(`${sandbox.credentials.oneroster12.baseUrl}/users`, 1000)).outcome).toBe('complete');
  });

  it('truncates a body by cutting the connection, or as invalid JSON', async () => {
    sandbox.faults.set({ kind: 'truncatedBody', count: 1 });
    const cut = await rawGet(`${sandbox.credentials.oneroster12.baseUrl}/users`, 1000);
    expect(cut.outcome).toBe('cut');
    sandbox.faults.set({ kind: 'truncatedBody', keepConnection: true, count: 1 });
    const half = await users();
    expect(half.status).toBe(200);
    expect(typeof half.body).toBe('string');
    expect(() => JSON.parse(half.body)).toThrow();
    expect((await users()).body.users).toHaveLength(10);
  });

  it('a 200 without envelope, and a bare array', async () => {
    sandbox.faults.set({ kind: 'missingEnvelope', count: 1 });
    expect((await users()).body).toEqual({});
    sandbox.faults.set({ kind: 'bareArray', count: 1 });
    const bare = await users();
    expect(Array.isArray(bare.body)).toBe(true);
    expect(bare.body).toHaveLength(10);
  });

  it('a next link on the last page', async () => {
    const total = Number((await users()).headers.get('x-total-count'));
    const lastOffset = `limit=10&offset=${total - 5}`;
    expect((await users(lastOffset)).headers.get('link')).not.toMatch(/rel="next"/);
    sandbox.faults.set({ kind: 'nextOnLastPage' });
    expect((await users(lastOffset)).headers.get('link')).toMatch(/rel="next"/);
  });

  it('an empty feed, and a wrong X-Total-Count either way', async () => {
    const real = Number((await users()).headers.get('x-total-count'));
    sandbox.faults.set({ kind: 'emptyFeed' });
    const empty = await users();
    expect(empty.body.users).toEqual([]);
    expect(empty.headers.get('x-total-count')).toBe('0');
    sandbox.faults.clear();
    sandbox.faults.set({ kind: 'wrongTotalCount', delta: 5, count: 1 });
    expect(Number((await users()).headers.get('x-total-count'))).toBe(real + 5);
    sandbox.faults.set({ kind: 'wrongTotalCount', delta: -5, count: 1 });
    expect(Number((await users()).headers.get('x-total-count'))).toBe(real - 5);
    expect(Number((await users()).headers.get('x-total-count'))).toBe(real);
  });

  it('an OAuth2 token that expires mid-pull until a new one is fetched', async () => {
    sandbox.faults.set({ kind: 'tokenExpiresMidPull', afterRequests: 2 });
    const own = { authorization: `Bearer ${(await fetchToken(sandbox.credentials.oneroster12)).body.access_token}` };
    const get = (h: Record<string, string>) => request(`${sandbox.credentials.oneroster12.baseUrl}/users?limit=5`, h);
    expect([(await get(own)).status, (await get(own)).status, (await get(own)).status, (await get(own)).status]).toEqual([200, 200, 401, 401]);
    const renewed = { authorization: `Bearer ${(await fetchToken(sandbox.credentials.oneroster12)).body.access_token}` };
    expect((await get(renewed)).status).toBe(200);
  });

  it('revoked after N requests: data and new tokens are refused', async () => {
    const local = await startSandbox({ students: 10 });
    try {
      const token = { authorization: `Bearer ${(await fetchToken(local.credentials.oneroster12)).body.access_token}` };
      local.faults.set({ kind: 'revoked', afterRequests: 2 });
      const get = () => request(`${local.credentials.oneroster12.baseUrl}/schools`, token);
      expect([(await get()).status, (await get()).status, (await get()).status]).toEqual([200, 200, 401]);
      expect((await fetchToken(local.credentials.oneroster12)).status).toBe(401);
      local.faults.clear();
      expect((await fetchToken(local.credentials.oneroster12)).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('data that shifts between pages: a new record lands before the offset', async () => {
    const first = await users('limit=10&offset=0');
    sandbox.faults.set({ kind: 'shiftingData', count: 1 });
    const second = await users('limit=10&offset=10');
    expect(Number(second.headers.get('x-total-count'))).toBe(Number(first.headers.get('x-total-count')) + 1);
    // The last row of page one shows up again at the top of page two.
    expect(second.body.users[0].sourcedId).toBe(first.body.users[9].sourcedId);
    const newcomer = [...sandbox.district.people()][0];
    expect(newcomer.sourcedId < first.body.users[0].sourcedId).toBe(true);
    sandbox.district.removePerson(newcomer.sourcedId);
  });

  it('parses the CLI fault syntax', () => {
    expect(parseFaultSpec('429:retryAfter=2,count=3')).toEqual({ kind: 'rateLimit', retryAfterSeconds: 2, count: 3 });
    expect(parseFaultSpec('503:path=/users,from=2,to=4')).toEqual({ kind: 'serverError', status: 503, path: '/users', from: 2, to: 4 });
    expect(parseFaultSpec('slow:ms=1500')).toEqual({ kind: 'slow', delayMs: 1500 });
    expect(parseFaultSpec('tokenExpiresMidPull:after=5')).toEqual({ kind: 'tokenExpiresMidPull', afterRequests: 5 });
    expect(parseFaultSpec('wrongTotalCount:delta=-3')).toEqual({ kind: 'wrongTotalCount', delta: -3 });
    expect(parseFaultSpec('truncatedBody:keep')).toEqual({ kind: 'truncatedBody', keepConnection: true });
    expect(() => parseFaultSpec('teapot')).toThrow(TypeError);
    expect(() => parseFaultSpec('slow')).toThrow(/delayMs/);
    expect(() => parseFaultSpec('429:colour=red')).toThrow(/unknown option/);
  });
});
