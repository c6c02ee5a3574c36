import type { Server } from 'node:http';
import request from 'supertest';
import { routeTable } from '../../server/http/routes';
import type { Route } from '../../server/http/types';
import { AS_ADMIN, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { assertRosterInvariants, rosterContent, snapshotRoster } from '../helpers/invariants';
import { generateInputs, seededRandom } from './fuzz';

/** Inputs per JSON endpoint, and per list query. */
const INPUTS_PER_ENDPOINT = 300;
const QUERIES = 150;
/** The router's default body limit (100kb). */
const BODY_LIMIT = 100 * 1024;

/** Every endpoint that takes a JSON body: every state-changing route of the table. */
const JSON_ENDPOINTS = routeTable.filter((route) => route.method !== 'get');

/** Run ids no run has: every route taking `:id` must answer them with a 4xx. */
const ODD_IDS = [
  '0', '-1', '1.5', '1e3', '0x10', '9'.repeat(16), '9'.repeat(40), 'NaN', 'Infinity', '%20', '%00', '%2e%2e', '..', 'null',
  '__proto__', 'constructor', "1'%20OR%20'1'='1", '1;DROP%20TABLE%20oneroster_runs', '%E7%8E%8B', '%F0%9F%98%80', '1%0A', '<script>',
];
const ID_ROUTES = routeTable.filter((route) => route.path.includes(':id'));

/** What the README counts. */
export const FUZZED_INPUTS = JSON_ENDPOINTS.length * (INPUTS_PER_ENDPOINT + 1) + QUERIES + ODD_IDS.length * ID_ROUTES.length;

/** Inputs whose answer is known whatever the endpoint: refused by the router before any handler. */
const EXPECTED_STATUS: Record<string, (route: Route) => number | undefined> = {
  'prototype key': () => 400,
  'nested prototype key': () => 400,
  'malformed JSON': () => 400,
  'wrong content type': () => 415,
  'unsupported charset': () => 415,
};

function path(route: Route): string {
  return `${MOUNT}${route.path.replace(/:[A-Za-z_]+/g, '1')}`;
}

/** Why an answer breaks the rule "a 4xx with the error shape, never a 500", or null. */
function problemWith(status: number, body: unknown): string | null {
  if (status >= 500) return `answered ${status}`;
  if (status < 400) return null; // a valid input (e.g. a subset of the automation settings)
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code !== 'string' || !/^[a-z_]+$/.test(error.code) || typeof error.message !== 'string') {
    return `answered ${status} without the error shape: ${JSON.stringify(body).slice(0, 200)}`;
  }
  return null;
}

describeEachDatabase('bad input: fuzzed bodies and queries', (db) => {
  let host: TestHost;
  let server: Server;

  beforeAll(async () => {
    host = await createTestHost(db(), { http: { retryBaseMs: 1, retryMaxMs: 5, timeoutMs: 1000, maxRetries: 1 } });
    server = host.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await host.oneroster.close();
  });

  it.each(JSON_ENDPOINTS.map((route) => ({ route, title: `${route.method.toUpperCase()} ${route.path}` })))(
    `$title: ${INPUTS_PER_ENDPOINT} hostile bodies all get a 4xx with the error shape (or are valid), never a 500`,
    async ({ route }) => {
      const before = rosterContent(await snapshotRoster(db().sequelize));
      const seed = [...route.method + route.path].reduce((sum, ch) => sum * 31 + ch.charCodeAt(0), 7) >>> 0;
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      for (const input of generateInputs(seed, INPUTS_PER_ENDPOINT, BODY_LIMIT)) {
        const res = await request(server)[route.method](path(route)).set(AS_ADMIN).set('Content-Type', input.contentType).send(input.body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problem = problemWith(res.status, res.body);
        if (problem) failures.push(`${input.kind}: ${problem} for ${input.body.slice(0, 120)}`);
        const expected = EXPECTED_STATUS[input.kind]?.(route);
        if (expected !== undefined && res.status !== expected) failures.push(`${input.kind} ${JSON.stringify(input.body.slice(0, 60))}: answered ${res.status}, not ${expected}`);
      }
      // A body over the limit is refused before anything reads it.
      const oversized = await request(server)[route.method](path(route)).set(AS_ADMIN).set('Content-Type', 'application/json').send(JSON.stringify({ tenantId: 'a'.repeat(BODY_LIMIT + 10) }));
      expect({ status: oversized.status, code: oversized.body.error?.code }).toEqual({ status: 413, code: 'body_too_large' });

      expect(failures).toEqual([]);
      expect(host.logger.lines.filter((line) => line.startsWith('error request failed'))).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(statuses.size).toBeGreaterThan(0);
      // No input changed the roster.
      await host.oneroster.sync.whenIdle();
      expect(rosterContent(await snapshotRoster(db().sequelize))).toEqual(before);
    },
  );

  it(`GET /runs: ${QUERIES} hostile query strings get a 200 or a 400, never a 500`, async () => {
    const random = seededRandom(99);
    const values = ['-1', '0', '201', '1e3', '1.5', 'NaN', 'Infinity', '', '%00', '9'.repeat(40), 'users', 'buildings', 'held', '<script>', "' OR 1=1 --", '[]'];
    const keys = ['limit', 'offset', 'kind', 'status', 'limit[]', 'offset[$gt]', '__proto__', 'constructor[prototype]'];
    const failures: string[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const key = keys[Math.floor(random() * keys.length)]!;
        const value = values[Math.floor(random() * values.length)]!;
        return `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
      });
      const res = await request(server).get(`${MOUNT}/runs?${parts.join('&')}`).set(AS_ADMIN);
      if (res.status !== 200 && res.status !== 400) failures.push(`${parts.join('&')} → ${res.status}`);
      const problem = problemWith(res.status, res.body);
      if (problem) failures.push(`${parts.join('&')}: ${problem}`);
    }
    expect(failures).toEqual([]);
  });

  it(`${ODD_IDS.length} odd run ids on every route taking one get a 4xx with the error shape`, async () => {
    expect(ID_ROUTES.length).toBeGreaterThanOrEqual(3);
    const failures: string[] = [];
    for (const route of ID_ROUTES) {
      for (const id of ODD_IDS) {
        const url = `${MOUNT}${route.path.replace(':id', id)}`;
        const req = request(server)[route.method](url).set(AS_ADMIN);
        const res = route.method === 'get' ? await req : await req.set('Content-Type', 'application/json').send('{}');
        if (res.status < 400 || res.status >= 500) failures.push(`${route.method.toUpperCase()} ${url} → ${res.status}`);
        const problem = problemWith(res.status, res.body);
        if (problem) failures.push(`${url}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('left the roster rules intact', async () => {
    await assertRosterInvariants(db().sequelize);
  });
});
