/**
 * HTTP routing on node:http: token endpoints, the ClassLink proxy's discovery endpoints, and the
 * OneRoster roots of every dialect. Faults are applied here, at the points where a real provider
 * would misbehave.
 */
import http from 'node:http';
import { SandboxAuth } from './auth';
import { DIALECTS, Dialect } from './dialects';
import { EDFI_PAGE_CAP, EdfiUsers } from './edfi';
import { SandboxDistrict } from './district';
import { CodeMinor, codeMinorFor, errorBody } from './errors';
import { SandboxFaults } from './faults';
import { schoolId } from './ids';
import { ListResult, Listings } from './listing';
import { encodeRfc3986 } from './oauth1';
import { ResolvedSandboxOptions } from './options';
import { PresentContext } from './present';
import { ListQuery, QueryError } from './query';
import { SandboxPersonInput } from './types';
import { UserFeed } from './user-index';

/** Everything one sandbox's server works with (nothing is shared between sandboxes). */
export interface SandboxState {
  options: ResolvedSandboxOptions;
  district: SandboxDistrict;
  faults: SandboxFaults;
  auth: SandboxAuth;
  listings: Listings;
  /** The Ed-Fi dialect's per-enrolment user records. */
  edfi: EdfiUsers;
  stats: { requests: number; byStatus: Record<number, number> };
  /** Base URL once listening, e.g. http://127.0.0.1:41234. */
  url: string;
}

/** OneRoster roots served directly (ClassLink's are per application id). */
export const ROOT_PATHS: Record<Exclude<Dialect, 'classlink'>, string> = {
  'v1p1': '/ims/oneroster/v1p1',
  'v1p2': '/ims/oneroster/rostering/v1p2',
  'ic-v1p2': '/campus/api/oneroster/v1p2/sandbox/ims/oneroster/rostering/v1p2',
  'ic-v1p1': '/campus/api/oneroster/v1p1/sandbox/ims/oneroster/v1p1',
  'edfi': '/edfi/ims/oneroster/rostering/v1p2',
};

/** The OAuth2 token endpoint for the plain roots. */
export const TOKEN_PATH = '/oauth2/token';
/** Infinite Campus's token endpoint shape (the appName query is accepted and ignored). */
export const IC_TOKEN_PATH = '/campus/oauth2/token';
/** ClassLink's OneRoster root under an application id. */
export const CLASSLINK_ROOT_SUFFIX = '/ims/oneroster/v1p1';

const CLASSLINK_DATA = /^\/([^/]+)\/ims\/oneroster\/v1p1(\/.*)?$/;
const MAX_FORM_BYTES = 64 * 1024;

/** Creates the HTTP server (not yet listening). */
export function createSandboxServer(state: SandboxState): http.Server {
  return http.createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(state, res, '', 500, { error: 'internal_error', message: (error as Error).message });
      else res.destroy();
    });
  });
}

/** One request's raw parts. */
interface Incoming {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  rawPath: string;
  rawQuery: string;
}

async function handle(state: SandboxState, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  state.stats.requests++;
  res.on('finish', () => {
    state.stats.byStatus[res.statusCode] = (state.stats.byStatus[res.statusCode] ?? 0) + 1;
  });
  const rawUrl = req.url ?? '/';
  const question = rawUrl.indexOf('?');
  const incoming: Incoming = {
    req, res, method: req.method ?? 'GET',
    rawPath: question < 0 ? rawUrl : rawUrl.slice(0, question),
    rawQuery: question < 0 ? '' : rawUrl.slice(question + 1),
  };
  const dataRoute = matchDataRoot(incoming.rawPath);
  const errorVersion = dataRoute ? DIALECTS[dataRoute.dialect].version : undefined;
  if (await applyRequestFaults(state, incoming, errorVersion)) return;

  const { method, rawPath } = incoming;
  if (rawPath === TOKEN_PATH || rawPath === IC_TOKEN_PATH) {
    if (method !== 'POST') return sendJson(state, res, rawPath, 405, { error: 'invalid_request', error_description: 'use POST' });
    return handleToken(state, incoming);
  }
  if (rawPath === '/applications' || rawPath.startsWith('/applications/')) return handleClassLinkDiscovery(state, incoming);
  if (dataRoute) return handleData(state, incoming, dataRoute);
  if (rawPath === '/' && method === 'GET') return sendJson(state, res, rawPath, 200, describeRoots(state));
  sendJson(state, res, rawPath, 404, { error: 'not_found', message: `no route for ${method} ${rawPath}` });
}

// ---- faults that hit any request -----------------------------------------------------------

/** Hang, slow, 429 and 5xx. Returns true when the request was answered (or will never be). */
async function applyRequestFaults(state: SandboxState, incoming: Incoming, version: '1.1' | '1.2' | undefined): Promise<boolean> {
  const { faults } = state;
  const { rawPath, res } = incoming;
  const hang = faults.armed(['hang'], rawPath)[0];
  if (hang) {
    faults.markFired(hang);
    return true; // never answer; close() destroys the socket
  }
  const slow = faults.armed(['slow'], rawPath)[0];
  if (slow) {
    faults.markFired(slow);
    await new Promise((resolve) => setTimeout(resolve, slow.fault.delayMs));
    if (res.destroyed) return true;
  }
  const redirect = faults.armed(['redirect'], rawPath)[0];
  if (redirect) {
    faults.markFired(redirect);
    const status = redirect.fault.kind === 'redirect' ? (redirect.fault.status ?? 302) : 302;
    res.writeHead(status, { Location: `${state.url}/moved${rawPath}`, 'Content-Length': '0' }).end();
    return true;
  }
  const failure = faults.armed(['rateLimit', 'serverError'], rawPath)[0];
  if (!failure) return false;
  faults.markFired(failure);
  const status = failure.fault.kind === 'rateLimit' ? 429 : failure.fault.status;
  const headers: Record<string, string> = {};
  if (failure.fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(failure.fault.retryAfterSeconds);
  const description = status === 429 ? 'too many requests' : 'the provider failed';
  const body = version ? errorBody(version, codeMinorFor(status), description) : { error: status === 429 ? 'rate_limited' : 'server_error', message: description };
  sendJson(state, res, rawPath, status, body, headers);
  return true;
}

// ---- OAuth2 token endpoint -----------------------------------------------------------------

async function handleToken(state: SandboxState, incoming: Incoming): Promise<void> {
  const { req, res, rawPath } = incoming;
  let form: URLSearchParams;
  try {
    const text = await readBody(req);
    const isJson = (req.headers['content-type'] ?? '').includes('json');
    form = isJson ? new URLSearchParams(Object.entries(JSON.parse(text || '{}')).map(([k, v]) => [k, String(v)])) : new URLSearchParams(text);
  } catch {
    return sendJson(state, res, rawPath, 400, { error: 'invalid_request', error_description: 'unreadable body' });
  }
  const refusal = state.faults.armed(['tokenError'], rawPath)[0];
  if (refusal && refusal.fault.kind === 'tokenError') {
    state.faults.markFired(refusal);
    const { error, description, status } = refusal.fault;
    return sendJson(state, res, rawPath, status ?? 400, { error, ...(description ? { error_description: description } : {}) });
  }
  const answer = state.auth.issueToken(req.headers.authorization, form, state.faults.isRevoked());
  sendJson(state, res, rawPath, answer.status, answer.body, answer.headers);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---- ClassLink discovery -------------------------------------------------------------------

function handleClassLinkDiscovery(state: SandboxState, incoming: Incoming): void {
  const { req, res, rawPath, rawQuery, method } = incoming;
  if (method !== 'GET') return sendJson(state, res, rawPath, 405, { status: 0, message: 'use GET' });
  if (!state.auth.isVendor(req.headers.authorization)) {
    return sendJson(state, res, rawPath, 401, { status: 0, message: 'invalid API key' }, { 'WWW-Authenticate': 'Bearer realm="classlink"' });
  }
  if (rawPath === '/applications') {
    const params = new URLSearchParams(rawQuery);
    const limit = Math.max(1, Math.min(100, Number(params.get('limit') ?? 100) || 100));
    const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
    // Like the real proxy: rows only, no count headers; enabled is a string, tenant_id a number.
    const applications = state.auth.tenants.slice(offset, offset + limit).map((tenant, i) => ({
      id: 1000 + offset + i,
      tenant_id: tenant.tenantId,
      tenant_name: tenant.tenantName,
      application_id: 57,
      name: 'Manage1to1',
      enabled: String(tenant.enabled),
      bearer: tenant.bearer,
      oneroster_application_id: tenant.applicationId,
    }));
    return sendJson(state, res, rawPath, 200, { status: 1, applications });
  }
  const match = /^\/applications\/([^/]+)\/server$/.exec(rawPath);
  const tenant = match && state.auth.tenants.find((t) => t.applicationId === match[1]);
  if (!tenant) return sendJson(state, res, rawPath, 404, { status: 0, message: 'unknown application' });
  if (!tenant.enabled) return sendJson(state, res, rawPath, 403, { status: 0, message: 'the district has disabled this application' });
  sendJson(state, res, rawPath, 200, {
    status: 1,
    server: { client_id: tenant.directKey, client_secret: tenant.directSecret, endpoint_url: `${state.url}${ROOT_PATHS.v1p1}` },
    message: '',
  });
}

// ---- OneRoster data ------------------------------------------------------------------------

interface DataRoute {
  dialect: Dialect;
  /** The root as the client addressed it (path only). */
  rootPath: string;
  /** Path after the root. */
  rest: string;
  applicationId?: string;
}

function matchDataRoot(rawPath: string): DataRoute | undefined {
  for (const [dialect, root] of Object.entries(ROOT_PATHS) as Array<[Dialect, string]>) {
    if (rawPath === root || rawPath.startsWith(`${root}/`)) return { dialect, rootPath: root, rest: rawPath.slice(root.length) };
  }
  const classlink = CLASSLINK_DATA.exec(rawPath);
  if (classlink) {
    return { dialect: 'classlink', rootPath: `/${classlink[1]}${CLASSLINK_ROOT_SUFFIX}`, rest: classlink[2] ?? '', applicationId: classlink[1] };
  }
  return undefined;
}

function handleData(state: SandboxState, incoming: Incoming, route: DataRoute): void {
  const { req, res, rawPath, rawQuery, method } = incoming;
  const { faults } = state;
  const version = DIALECTS[route.dialect].version;
  const fail = (status: number, description: string, headers: Record<string, string> = {}, codeMinor?: CodeMinor): void =>
    sendJson(state, res, rawPath, status, errorBody(version, codeMinor ?? codeMinorFor(status), description), headers);

  if (method !== 'GET') return fail(405, `${method} is not supported`, { Allow: 'GET' }, 'invaliddata');
  const auth = state.auth.authorize(route.dialect, {
    method, baseUrl: `http://${(req.headers.host ?? '').toLowerCase()}${rawPath}`, rawQuery, authorization: req.headers.authorization,
  }, route.applicationId);
  if (!auth.ok) return fail(auth.status, auth.description, { 'WWW-Authenticate': auth.challenge });

  for (const revoked of faults.armed(['revoked'], rawPath)) {
    if (revoked.seen > revoked.fault.afterRequests) {
      faults.markFired(revoked);
      return fail(401, 'access was revoked', { 'WWW-Authenticate': 'Bearer realm="sandbox", error="invalid_token"' });
    }
  }
  if (auth.token) {
    for (const expiry of faults.armed(['tokenExpiresMidPull'], rawPath)) {
      if (auth.token.uses > expiry.fault.afterRequests) {
        auth.token.revoked = true;
        faults.markFired(expiry);
        return fail(401, 'access token expired', { 'WWW-Authenticate': 'Bearer realm="sandbox", error="invalid_token"' });
      }
    }
  }

  const segments = route.rest.split('/').filter(Boolean).map(safeDecode);
  const root = `${state.url}${route.rootPath}`;
  const context: PresentContext = { root, dialect: route.dialect, childrenOf: () => [] };
  const { listings } = state;
  const [resource, id, sub] = segments;
  const single = (record: Record<string, unknown> | undefined, key: 'user' | 'org', what: string): void => {
    if (!record) return fail(404, `${what} ${id} not found`);
    sendData(state, incoming, { [key]: record });
  };

  const edfi = DIALECTS[route.dialect].edfi;
  // Ed-Fi caps `limit` without saying so.
  const capped = (query: ListQuery): ListQuery => (edfi ? { ...query, limit: Math.min(query.limit, EDFI_PAGE_CAP) } : query);
  const listUsers = (feed: UserFeed, query: ListQuery) => (): ListResult =>
    edfi ? { total: null, records: state.edfi.list(feed, query, context) } : listings.listUsers(feed, route.dialect, query, context);

  try {
    if (segments.length === 1 && (resource === 'orgs' || resource === 'schools')) {
      context.childrenOf = listings.childrenIndex();
      const query = capped(listings.parseOrgQuery(new URLSearchParams(rawQuery)));
      return sendList(state, incoming, route, query, 'orgs', () => listings.listOrgs(resource, route.dialect, query, context));
    }
    if (segments.length === 2 && (resource === 'orgs' || resource === 'schools')) {
      context.childrenOf = listings.childrenIndex();
      return single(listings.org(id, resource, route.dialect, context), 'org', resource === 'orgs' ? 'org' : 'school');
    }
    if (segments.length === 3 && resource === 'schools' && (sub === 'students' || sub === 'teachers')) {
      if (!listings.hasSchool(id, route.dialect)) return fail(404, `school ${id} not found`);
      const feed: UserFeed = { kind: sub, school: id };
      const query = capped(listings.parseUserQuery(new URLSearchParams(rawQuery), route.dialect));
      return sendList(state, incoming, route, query, 'users', listUsers(feed, query), feed);
    }
    if ((segments.length === 1 || segments.length === 2) && (resource === 'users' || resource === 'students' || resource === 'teachers')) {
      const feed: UserFeed = { kind: resource };
      if (segments.length === 2) {
        const record = edfi ? state.edfi.user(id, feed, context) : listings.user(id, feed, route.dialect, context);
        return single(record, 'user', resource.replace(/s$/, ''));
      }
      const query = capped(listings.parseUserQuery(new URLSearchParams(rawQuery), route.dialect));
      return sendList(state, incoming, route, query, 'users', listUsers(feed, query), feed);
    }
  } catch (error) {
    if (error instanceof QueryError) return fail(400, error.message, {}, error.codeMinor);
    throw error;
  }
  fail(404, `the sandbox does not serve ${route.rest || '/'}`);
}

/** Sends a list page, with the list-shaping faults applied. */
function sendList(
  state: SandboxState, incoming: Incoming, route: DataRoute, query: ListQuery, envelope: 'users' | 'orgs',
  read: () => ListResult, feed?: UserFeed,
): void {
  const { faults } = state;
  const { rawPath, rawQuery } = incoming;
  if (query.offset > 0) {
    for (const shifting of faults.armed(['shiftingData'], rawPath)) {
      faults.markFired(shifting);
      insertBeforeEveryone(state.district, envelope, feed);
    }
  }
  let result = read();
  const empty = faults.armed(['emptyFeed'], rawPath)[0];
  if (empty) {
    faults.markFired(empty);
    result = { total: 0, records: [] };
  }
  if (DIALECTS[route.dialect].edfi) result = { ...result, total: null };
  let shownTotal = result.total;
  const wrongTotal = faults.armed(['wrongTotalCount'], rawPath)[0];
  if (wrongTotal && result.total !== null) {
    faults.markFired(wrongTotal);
    shownTotal = Math.max(0, result.total + wrongTotal.fault.delta);
  }
  const total = result.total ?? query.offset + result.records.length;
  const isLastPage = result.total === null ? result.records.length === 0 : query.offset + result.records.length >= total;
  const nextOnLast = faults.armed(['nextOnLastPage'], rawPath)[0];
  const forceNext = Boolean(nextOnLast && isLastPage);
  if (forceNext) faults.markFired(nextOnLast);

  // A dialect that knows no total (Ed-Fi) sends neither the count nor the links.
  const headers: Record<string, string> = shownTotal === null ? {} : {
    'X-Total-Count': String(shownTotal),
    Link: linkHeader(`${state.url}${rawPath}`, rawQuery, query, total, forceNext),
  };
  if (DIALECTS[route.dialect].sendsPageCount) headers['x-count'] = String(result.records.length);
  sendData(state, incoming, { [envelope]: result.records }, headers, result.records);
}

/** The shifting-data fault: a real new record that sorts before every offset. */
function insertBeforeEveryone(district: SandboxDistrict, envelope: 'users' | 'orgs', feed: UserFeed | undefined): void {
  if (envelope === 'orgs') {
    district.addSchool({}, { position: 'first' });
    return;
  }
  const role = feed?.kind === 'teachers' ? 'teacher' : 'student';
  const input: SandboxPersonInput = { role, orgs: [feed?.school ?? schoolId(0)] };
  if (role === 'teacher') input.grades = [];
  district.addPerson(input, { position: 'first' });
}

/** Sends a 200 data body, with the envelope faults applied. */
function sendData(state: SandboxState, incoming: Incoming, body: Record<string, unknown>, headers: Record<string, string> = {}, listRows?: unknown[]): void {
  const { faults } = state;
  const { rawPath, res } = incoming;
  if (listRows) {
    const bare = faults.armed(['bareArray'], rawPath)[0];
    if (bare) {
      faults.markFired(bare);
      return sendJson(state, res, rawPath, 200, listRows, headers);
    }
  }
  const missing = faults.armed(['missingEnvelope'], rawPath)[0];
  if (missing) {
    faults.markFired(missing);
    return sendJson(state, res, rawPath, 200, {}, headers);
  }
  sendJson(state, res, rawPath, 200, body, headers);
}

/** `Link` with first/prev/next/last, keeping the client's other parameters (RFC 3986 encoded). */
function linkHeader(pageUrl: string, rawQuery: string, query: ListQuery, total: number, forceNext: boolean): string {
  const kept = [...new URLSearchParams(rawQuery)].filter(([name]) => name !== 'limit' && name !== 'offset' && !name.startsWith('oauth_'));
  const link = (offset: number, rel: string): string => {
    const params = [...kept, ['limit', String(query.limit)], ['offset', String(offset)]];
    return `<${pageUrl}?${params.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&')}>; rel="${rel}"`;
  };
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / query.limit) * query.limit;
  const links = [link(0, 'first')];
  if (query.offset > 0) links.push(link(Math.max(0, query.offset - query.limit), 'prev'));
  if (query.offset + query.limit < total || forceNext) links.push(link(query.offset + query.limit, 'next'));
  links.push(link(lastOffset, 'last'));
  return links.join(', ');
}

// ---- sending -------------------------------------------------------------------------------

/** Sends JSON; a 200 may be cut short by the truncated-body fault. */
function sendJson(state: SandboxState, res: http.ServerResponse, rawPath: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  const bytes = Buffer.from(text, 'utf8');
  const allHeaders: Record<string, string | number> = { 'Content-Type': 'application/json; charset=utf-8', ...headers };
  const truncated = status === 200 ? state.faults.armed(['truncatedBody'], rawPath)[0] : undefined;
  if (!truncated) {
    res.writeHead(status, { ...allHeaders, 'Content-Length': bytes.length });
    res.end(bytes);
    return;
  }
  state.faults.markFired(truncated);
  const half = bytes.subarray(0, Math.floor(bytes.length / 2));
  if (truncated.fault.keepConnection) {
    res.writeHead(status, { ...allHeaders, 'Content-Length': half.length });
    res.end(half);
    return;
  }
  // Promise the whole body, send half, then drop the connection, like a proxy that died mid-way.
  res.writeHead(status, { ...allHeaders, 'Content-Length': bytes.length });
  res.write(half, () => res.destroy());
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function describeRoots(state: SandboxState): unknown {
  return {
    name: '@manage1to1/oneroster sandbox provider',
    roots: Object.fromEntries(Object.entries(ROOT_PATHS).map(([dialect, path]) => [dialect, `${state.url}${path}`])),
    tokenUrls: [`${state.url}${TOKEN_PATH}`, `${state.url}${IC_TOKEN_PATH}?appName=sandbox`],
    classlink: { applications: `${state.url}/applications`, data: `${state.url}/{oneroster_application_id}${CLASSLINK_ROOT_SUFFIX}` },
  };
}
