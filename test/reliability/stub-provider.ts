import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigInput } from '../../server/domain/contract';

/** The school every stub person stands in. */
export const STUB_SCHOOL = 'stub-school';

/** One `/users` answer: the rows, and `X-Total-Count` (null: not sent); or a gzipped body sent as it is. */
export type StubPage = { users: unknown[]; total: number | null } | { gzipped: Buffer };

/** Answers `/users` at an offset (the stub caps `limit` at 100). */
export type StubFeed = (offset: number, limit: number) => StubPage;

/** A OneRoster 1.1 provider on loopback with one school and a `/users` feed the test writes. */
export interface StubProvider {
  /** What to save as the configuration (OAuth 1.0a; the signature is not checked). */
  config: ConfigInput;
  /** `/users` pages answered so far. */
  pages(): number;
  /** Delay before each `/users` answer, in ms (0 by default). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** A student of the stub school; `fields` override any field. */
export function stubStudent(sourcedId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sourcedId,
    status: 'active',
    role: 'student',
    givenName: 'Stub',
    familyName: `Student ${sourcedId}`,
    enabledUser: 'true',
    orgs: [{ sourcedId: STUB_SCHOOL, type: 'org' }],
    ...fields,
  };
}

/** Every offset answers the same full page (a provider that ignores `offset`). */
export const repeatPageFeed: StubFeed = (_offset, limit) => ({ users: Array.from({ length: limit }, (_, i) => stubStudent(`repeat-${i}`)), total: null });

/** Every page brings new people and the list never ends. */
export const endlessFeed: StubFeed = (offset, limit) => ({ users: Array.from({ length: limit }, (_, i) => stubStudent(`endless-${offset + i}`)), total: null });

/** A finite list, paged honestly, with or without `X-Total-Count`. */
export function listFeed(users: unknown[], options: { total?: number | null } = {}): StubFeed {
  return (offset, limit) => ({ users: users.slice(offset, offset + limit), total: options.total === undefined ? users.length : options.total });
}

/** Starts the provider. */
export async function startStubProvider(initialFeed: StubFeed): Promise<StubProvider & { setFeed(feed: StubFeed): void }> {
  let feed = initialFeed;
  let pages = 0;
  let delayMs = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 100);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const send = (body: unknown, total: number | null) => {
      res.writeHead(200, { 'content-type': 'application/json', ...(total === null ? {} : { 'x-total-count': String(total) }) });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.endsWith('/schools')) {
      send({ orgs: offset === 0 ? [{ sourcedId: STUB_SCHOOL, status: 'active', name: 'Stub School', type: 'school' }] : [] }, null);
      return;
    }
    if (url.pathname.endsWith('/users')) {
      pages += 1;
      const page = feed(offset, limit);
      setTimeout(() => {
        if ('gzipped' in page) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(page.gzipped);
        } else {
          send({ users: page.users }, page.total);
        }
      }, delayMs);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    config: { provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl: `http://127.0.0.1:${port}/ims/oneroster/v1p1`, clientId: 'stub', clientSecret: 'stub-secret' },
    pages: () => pages,
    setDelay: (ms) => {
      delayMs = ms;
    },
    setFeed: (next) => {
      feed = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
