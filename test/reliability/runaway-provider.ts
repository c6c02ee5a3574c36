import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigInput } from '../../server/http/contract';

/** How the runaway provider's `/users` misbehaves. */
export type RunawayFeed =
  /** Every offset answers the same full page (a provider that ignores `offset`). */
  | 'repeatPage'
  /** Every page brings new people and the list never ends. */
  | 'endless';

/** A OneRoster 1.1 provider on loopback whose user list never ends; one school. */
export interface RunawayProvider {
  /** What to save as the configuration (OAuth 1.0a; the signature is not checked). */
  config: ConfigInput;
  /** The school's sourcedId. */
  school: string;
  /** `/users` pages answered so far. */
  pages(): number;
  /** Delay before each `/users` answer, in ms (0 by default). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** Starts the provider. */
export async function startRunawayProvider(feed: RunawayFeed): Promise<RunawayProvider> {
  const school = 'runaway-school';
  let pages = 0;
  let delayMs = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 100);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.endsWith('/schools')) {
      send({ orgs: offset === 0 ? [{ sourcedId: school, status: 'active', name: 'Runaway School', type: 'school' }] : [] });
      return;
    }
    if (url.pathname.endsWith('/users')) {
      pages += 1;
      const start = feed === 'repeatPage' ? 0 : offset;
      const users = Array.from({ length: limit }, (_, i) => ({
        sourcedId: `runaway-${start + i}`,
        status: 'active',
        role: 'student',
        givenName: 'Run',
        familyName: `Away ${start + i}`,
        enabledUser: 'true',
        orgs: [{ sourcedId: school, type: 'org' }],
      }));
      setTimeout(() => send({ users }), delayMs);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    config: { provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl: `http://127.0.0.1:${port}/ims/oneroster/v1p1`, clientId: 'runaway', clientSecret: 'runaway-secret' },
    school,
    pages: () => pages,
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
