import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import type { Sequelize } from 'sequelize';
import { createOneRoster, type Logger, type OneRoster, type OneRosterOptions } from '../../server';
import type { startSandbox } from '../oneroster-sandbox';
import { createApiRoutes } from './api';
import { createLoginRoutes, createPassport, currentUser } from './auth';
import { requireCsrfToken } from './csrf';
import { openDatabase } from './database';
import { errorBody, HttpError } from './http-error';
import { createPageRoutes } from './pages';
import { createHostTables, defineHostModels } from './host-models';
import { createRosterQueries } from './roster-queries';
import { createHostRosterStore } from './roster-store';
import { describeSandboxCredentials, type RunningSandbox } from './sandbox-credentials';
import { canManageSettings } from './users';
import { renderErrorPage } from './views/error';

/** Where the monolith mounts the module, and so does the example. */
export const ONEROSTER_MOUNT = '/settings/automation/oneroster';

/** Options of the sandbox provider started beside the app. */
export type SandboxStartOptions = NonNullable<Parameters<typeof startSandbox>[0]>;

/** Everything `createHostApp` takes. `main.ts` fills it from the environment; tests pass their own. */
export interface HostAppOptions {
  /** An open database; the host app then leaves closing it to the caller. Give this or `databaseUrl`. */
  sequelize?: Sequelize;
  /** A database to open (and close on `close()`): `sqlite:<file>` or `mysql://…`. */
  databaseUrl?: string;
  /** Key that encrypts provider secrets (32 bytes, hex or base64). Required. */
  encryptionKey: string;
  /** Signs the session cookie. Defaults to a random one (sessions end at restart). */
  sessionSecret?: string;
  /** Production rules: https-only providers, secure cookies, no demo-user hint. Defaults to false. */
  production?: boolean;
  /** The vendor's ClassLink settings. Default to the sandbox's ClassLink imitation when it runs. */
  classlink?: { apiKey?: string; proxyUrl?: string };
  /** Starts the sandbox OneRoster provider beside the app with these options. Defaults to none. */
  sandbox?: SandboxStartOptions | false;
  /** Where the app and the module log. Defaults to the console (info and up). */
  logger?: Logger;
  /** Further module options (tests shorten retries, for example). Defaults to none. */
  oneroster?: Omit<Partial<OneRosterOptions>, 'sequelize' | 'encryptionKey'>;
}

/** A built host app, migrated and ready to serve. */
export interface HostApp {
  /** The Express app (supertest can use it without `start`). */
  app: Express;
  /** The module instance mounted at `/settings/automation/oneroster`. */
  oneroster: OneRoster;
  /** The database the app uses. */
  sequelize: Sequelize;
  /** The sandbox provider, when one was started. */
  sandbox?: RunningSandbox;
  /** Listens (port 0 picks a free one) and starts the module's daily job. */
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops the server, the daily job (waiting for runs), the sandbox, and the database it opened. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the example Manage1to1 host: sessions and a passport login, the roster pages and JSON
 * API over the host's own roster tables, and the OneRoster module mounted exactly as the monolith
 * mounts it, writing those tables through the host's `rosterStore` adapter. Creates the host's
 * tables and runs the module's migrations before answering.
 */
export async function createHostApp(options: HostAppOptions): Promise<HostApp> {
  if (!options.sequelize && !options.databaseUrl) throw new TypeError('createHostApp: give sequelize or databaseUrl');
  const logger = options.logger ?? createConsoleLogger();
  const ownsDatabase = !options.sequelize;
  const sequelize = options.sequelize ?? openDatabase(options.databaseUrl as string);
  let sandbox: RunningSandbox | undefined;

  try {
    if (options.sandbox) {
      // Loaded only when asked for: a host without the sandbox never reads its code.
      const { startSandbox: start } = await import('../oneroster-sandbox');
      sandbox = await start(options.sandbox);
    }
    const classlink = {
      apiKey: options.classlink?.apiKey ?? sandbox?.credentials.classlink.apiKey,
      proxyUrl: options.classlink?.proxyUrl ?? sandbox?.credentials.classlink.proxyUrl,
    };
    const roster = defineHostModels(sequelize);
    const oneroster = createOneRoster({
      sequelize,
      encryptionKey: options.encryptionKey,
      // The sync writes the host's own buildings/students/staff, never tables of the module's.
      rosterStore: createHostRosterStore(sequelize, roster),
      classlink: withoutUndefined(classlink),
      logger,
      // The host says who is signed in and who holds Manage Settings, as the monolith would.
      currentUser: (req) => {
        const user = currentUser(req);
        return user ? { id: user.id, name: user.name } : null;
      },
      canManageSettings: (_user, req) => {
        const user = currentUser(req);
        return Boolean(user && canManageSettings(user));
      },
      // The sandbox speaks plain http on 127.0.0.1; real providers must use https on public hosts.
      ...(options.production ? {} : { network: { allowHttp: 'loopback' as const, allowLoopback: true } }),
      ...options.oneroster,
    });
    // The module first: on a database an older example app used, its migration 0005 moves the
    // module's old `buildings`/`students`/`staff` aside before the host creates its own.
    await oneroster.migrate();
    await createHostTables(roster);

    const app = buildExpressApp({ options, logger, sequelize, oneroster, sandbox });
    return hostHandle({ app, oneroster, sequelize, sandbox, ownsDatabase });
  } catch (err) {
    await sandbox?.close().catch(() => undefined);
    if (ownsDatabase) await sequelize.close().catch(() => undefined);
    throw err;
  }
}

function buildExpressApp(parts: {
  options: HostAppOptions;
  logger: Logger;
  sequelize: Sequelize;
  oneroster: OneRoster;
  sandbox?: RunningSandbox;
}): Express {
  const { options, logger, sequelize, oneroster, sandbox } = parts;
  const app = express();
  const auth = createPassport();
  const queries = createRosterQueries(sequelize);

  app.disable('x-powered-by');
  // Flat query strings only: `q[]=a` or `q[a]=1` stay plain keys that validation refuses.
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use('/assets', express.static(path.join(__dirname, 'public'), { index: false, maxAge: '1h' }));
  app.use(
    session({
      // MemoryStore is fine for a one-process example; the monolith uses its shared session store.
      secret: options.sessionSecret ?? randomBytes(32).toString('hex'),
      name: 'host.sid',
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: Boolean(options.production), maxAge: 8 * 60 * 60 * 1000 },
    }),
  );
  app.use(auth.authenticate('session'));
  app.use(createLoginRoutes(auth, { showDemoLogins: !options.production }));
  // The host's CSRF check in front of the module's router: the module refuses non-JSON writes,
  // but only the host knows its session's token (the widget sends it as X-CSRF-Token).
  app.use(ONEROSTER_MOUNT, requireCsrfToken, oneroster.router);
  app.use('/api', createApiRoutes({ sequelize, queries, oneroster }));
  app.use(
    createPageRoutes({
      sequelize,
      queries,
      oneroster,
      mountPath: ONEROSTER_MOUNT,
      sandboxCredentials: sandbox ? describeSandboxCredentials(sandbox) : undefined,
    }),
  );
  app.use((_req: Request, _res: Response, next: NextFunction) => next(new HttpError(404, 'not_found', 'There is no page here.')));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorBody(err);
    if (status >= 500) {
      logger.error('host request failed', { method: req.method, path: req.path, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
    if (res.headersSent) return;
    res.status(status).setHeader('Cache-Control', 'no-store');
    if (wantsJson(req)) res.json(body);
    else res.type('html').send(renderErrorPage(status, body.error.message));
  });
  return app;
}

function hostHandle(parts: { app: Express; oneroster: OneRoster; sequelize: Sequelize; sandbox?: RunningSandbox; ownsDatabase: boolean }): HostApp {
  const { app, oneroster, sequelize, sandbox, ownsDatabase } = parts;
  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  const stopServer = async () => {
    if (!server) return;
    const current = server;
    const stopped = new Promise<void>((resolve) => current.close(() => resolve()));
    current.closeIdleConnections();
    // Give requests in flight a moment, then cut what is left (long polls, keep-alive sockets).
    const cut = setTimeout(() => current.closeAllConnections(), 3000);
    cut.unref();
    await stopped;
    clearTimeout(cut);
  };

  return {
    app,
    oneroster,
    sequelize,
    sandbox,
    async start(port = 0, host?: string) {
      if (server) throw new Error('the host app is already started');
      const listening = host ? app.listen(port, host) : app.listen(port);
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', reject);
      });
      await oneroster.scheduler.start();
      const actual = (listening.address() as AddressInfo).port;
      return { port: actual, url: `http://localhost:${actual}` };
    },
    close() {
      closing ??= (async () => {
        await stopServer();
        await oneroster.close();
        await sandbox?.close();
        if (ownsDatabase) await sequelize.close();
      })();
      return closing;
    },
  };
}

/** API callers, JSON senders and clients that prefer JSON get JSON errors; browsers get a page. */
function wantsJson(req: Request): boolean {
  if (req.originalUrl.startsWith('/api/') || req.originalUrl === '/api') return true;
  if (req.is('application/json') || req.is('text/csv')) return true;
  return req.accepts(['html', 'json']) === 'json';
}

/**
 * Headers for every response: no framing, no sniffing, and a content security policy that lets
 * only the app's own scripts run, one more guard should a roster name ever slip through unescaped.
 */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
}

/** A console logger that also shows info (sync progress), prefixed; the module never passes secrets. */
export function createConsoleLogger(): Logger {
  const write = (level: 'info' | 'warn' | 'error') => (message: string, meta?: Record<string, unknown>) =>
    console[level](`[${level}] ${message}`, meta && Object.keys(meta).length > 0 ? JSON.stringify(meta) : '');
  return { debug: () => {}, info: write('info'), warn: write('warn'), error: write('error') };
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
