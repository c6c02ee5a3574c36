import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createOneRoster, type OneRoster } from '../../server';
import type { AutomationView, ConfigView, RunView } from '../../server/domain/contract';
import { startSandbox, type Sandbox, type SandboxPerson } from '../../examples/oneroster-sandbox';
import { createMemoryLogger, MOUNT, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/databases';
import { waitUntil } from '../helpers/wait-until';

/**
 * A small host for the widget suite: the real module (`createOneRoster` on a scratch SQLite
 * database) mounted where the monolith mounts it, reading the sandbox provider on loopback. The
 * host's own concerns stay here: who is signed in, the CSRF check (the module leaves it to the
 * host), a record of the API requests, and the admin page that holds the widget.
 */

export { MOUNT };
/** The CSRF token the host page hands the widget; state-changing requests without it get 403. */
export const CSRF_TOKEN = 'csrf-token-4f2a9';
/** A roster name that would run script if it were ever put into the page as HTML. */
export const XSS_NAME = '<img src=x onerror="window.__xss=1">';
/** Names the sandbox's three schools are given, so the tests can look for them. */
export const SCHOOL_NAMES = ['Lincoln Elementary', XSS_NAME, 'Roosevelt High School'] as const;

/** Who the host thinks is signed in. */
export type HostUser = 'admin' | 'teacher' | 'nobody';

/** One API request the host received (for asserting the CSRF header and bodies). */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The value of the CSRF header the host expects (`csrfHeader`), if sent. */
  csrf: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** Handles and knobs of a running host. */
export interface RealApi {
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The sandbox provider the module reads. */
  sandbox: Sandbox;
  oneroster: OneRoster;
  /** The module's database (to add the rows a host's CSV import would have made). */
  database: ScratchDatabase;
  /** Every API request the widget made, in order (requests the test's own set-up made are not kept). */
  requests: RecordedRequest[];
  /** Who is signed in. Defaults to `admin`. */
  user: HostUser;
  /** The header name the CSRF token must arrive in. Defaults to `x-csrf-token`. */
  csrfHeader: string;
  /** Calls the API as the admin, outside the browser; throws on an error answer. */
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Saves an enabled ClassLink configuration for the sandbox's tenant, optionally followed by a succeeded building sync. */
  seedConfigured(options?: { buildingsSynced?: boolean }): Promise<void>;
  /** Starts a sync and waits until it has ended; answers the ended run. */
  syncAndWait(kind: 'buildings' | 'users'): Promise<RunView>;
  /** The sandbox's people of a role (e.g. `student`), as the district lists them now. */
  sandboxPeople(role: string): SandboxPerson[];
  /** Current automation settings. */
  automation(): Promise<AutomationView>;
  /** The saved configuration view. */
  configView(): Promise<ConfigView>;
  close(): Promise<void>;
}

/** Starts the sandbox and the host on free loopback ports. */
export async function startRealApi(options: { students?: number } = {}): Promise<RealApi> {
  const sandbox = await startSandbox({ schools: 3, students: options.students ?? 100, staff: 6, guardians: 12, seed: 7 });
  sandbox.district.schools().forEach((school, i) => sandbox.district.updateSchool(school.sourcedId, { name: SCHOOL_NAMES[i] }));
  const db: ScratchDatabase = await createScratchDatabase('sqlite');
  const oneroster = createOneRoster({
    sequelize: db.sequelize,
    encryptionKey: TEST_ENCRYPTION_KEY,
    logger: createMemoryLogger(),
    network: { allowHttp: 'loopback', allowLoopback: true },
    http: { retryBaseMs: 5, retryMaxMs: 50, maxRetries: 1, timeoutMs: 10_000, pageSize: 10, concurrency: 1 },
    // The host's default timezone for the daily automation.
    timezone: 'America/Chicago',
    classlink: { apiKey: sandbox.credentials.classlink.apiKey, proxyUrl: sandbox.credentials.classlink.proxyUrl },
    missedRunWindowMs: 0,
  });
  await oneroster.migrate();

  const app = express();
  const host = {
    url: '',
    sandbox,
    oneroster,
    database: db,
    requests: [] as RecordedRequest[],
    user: 'admin' as HostUser,
    csrfHeader: 'x-csrf-token',
  };
  app.get('/', (req, res) => res.type('html').send(hostPage(req.query)));
  app.use(MOUNT, express.json({ type: () => true }), (req: Request, res: Response, next: NextFunction) => {
    // The host's session, as passport leaves it on `req.user`; set-up calls say who they are in a header.
    const who = req.header('x-host-user') ?? host.user;
    if (who === 'admin') Object.assign(req, { user: { id: 1, name: 'Ada Admin', permissions: ['manage_settings'] } });
    if (who === 'teacher') Object.assign(req, { user: { id: 2, name: 'Tom Teacher', permissions: [] } });
    if (req.path.startsWith('/widget/')) return next();
    if (!req.header('x-host-user')) {
      host.requests.push({ method: req.method, path: req.path, csrf: req.get(host.csrfHeader), contentType: req.get('content-type'), body: req.body });
    }
    // The host's CSRF check, as the monolith's middleware does before the module sees a write.
    if (req.method !== 'GET' && req.get(host.csrfHeader) !== CSRF_TOKEN) {
      return void res.status(403).json({ error: { code: 'csrf_failed', message: 'Reload the page.' } });
    }
    next();
  });
  app.use(MOUNT, oneroster.router);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  host.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${host.url}${MOUNT}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-host-user': 'admin', [host.csrfHeader]: CSRF_TOKEN },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(answer)}`);
    return answer;
  }

  async function syncAndWait(kind: 'buildings' | 'users'): Promise<RunView> {
    const { run } = await call<{ run: RunView }>('POST', `/sync/${kind}`, {});
    let ended: RunView | undefined;
    await waitUntil(async () => {
      const now = await call<RunView>('GET', `/runs/${run.id}`);
      if (now.status === 'queued' || now.status === 'running') return false;
      ended = now;
      return true;
    }, 30_000, `${kind} run ${run.id} to end`);
    return ended!;
  }

  return Object.assign(host, {
    call,
    syncAndWait,
    async seedConfigured(seed: { buildingsSynced?: boolean } = {}) {
      await call('PUT', '/config', { provider: 'classlink', tenantId: sandbox.credentials.classlink.tenantId });
      if (seed.buildingsSynced) {
        const run = await syncAndWait('buildings');
        if (run.status !== 'succeeded') throw new Error(`the seeding building sync ended ${run.status}`);
      }
    },
    sandboxPeople(role: string) {
      const { district } = sandbox;
      const people: SandboxPerson[] = [];
      for (let index = district.minIndex; index < district.nextIndex; index += 1) {
        const person = district.person(district.idOf(index));
        if (person?.role === role && person.status === 'active') people.push(person);
      }
      return people;
    },
    automation: () => call<AutomationView>('GET', '/automation'),
    configView: () => call<ConfigView>('GET', '/config'),
    async close() {
      await oneroster.close();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeAllConnections();
      await sandbox.close();
      await db.drop();
    },
  });
}
/* ---------- the host page ---------- */

/**
 * A plain admin page with the widget. Query: `twice=1` loads the script a second time;
 * `csrfHeader=` sets the `csrf-header` attribute; `csrfVia=property` hands the token as a property.
 */
function hostPage(query: Request['query']): string {
  const csrfHeader = typeof query.csrfHeader === 'string' ? query.csrfHeader.replace(/[^A-Za-z0-9-]/g, '') : '';
  const viaProperty = query.csrfVia === 'property';
  const script = `${MOUNT}/widget/oneroster-settings.js`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>OneRoster settings — Manage1to1</title>
  <style>
    body { margin: 0; font-family: system-ui, sans-serif; background: #f3f4f6; color: #111827; }
    header { background: #1e293b; color: #fff; padding: 12px 24px; font-weight: 600; }
    main { max-width: 1000px; margin: 0 auto; padding: 16px 24px 48px; }
    h1 { font-size: 1.5rem; margin: 8px 0 16px; }
  </style>
  <script>
    window.__events = [];
    for (const name of ['oneroster-config-saved', 'oneroster-sync-finished', 'oneroster-config-disabled']) {
      document.addEventListener(name, (event) => window.__events.push({ type: name, detail: event.detail, composed: event.composed }));
    }
  </script>
  <script type="module" src="${script}"></script>
  ${query.twice ? `<script type="module" src="${script}?again=1"></script>` : ''}
</head>
<body>
  <header>Manage1to1 · Settings</header>
  <main>
    <h1>OneRoster</h1>
    <oneroster-settings api-base="${MOUNT}"${viaProperty ? '' : ` csrf-token="${CSRF_TOKEN}"`}${csrfHeader ? ` csrf-header="${csrfHeader}"` : ''}></oneroster-settings>
  </main>
  ${viaProperty ? `<script>document.querySelector('oneroster-settings').csrfToken = ${JSON.stringify(CSRF_TOKEN)};</script>` : ''}
</body>
</html>`;
}
