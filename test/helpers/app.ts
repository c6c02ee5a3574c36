import express, { type Express } from 'express';
import { createOneRoster, type OneRoster, type OneRosterOptions } from '../../server';
import type { Logger } from '../../server/logger';
import type { ScratchDatabase } from './databases';

/** A fixed 32-byte key for tests (hex). */
export const TEST_ENCRYPTION_KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

/** Header the test host reads to decide who is signed in: `admin` (Manage Settings), `teacher` (not), absent = nobody. */
export const AS_ADMIN = { 'x-test-user': 'admin' } as const;
export const AS_TEACHER = { 'x-test-user': 'teacher' } as const;

/** A logger that keeps every line, so tests can assert what was (not) logged. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
  };
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** A minimal host: an Express app whose "session" is a header, with the module mounted where the monolith mounts it. */
export interface TestHost {
  app: Express;
  oneroster: OneRoster;
  logger: ReturnType<typeof createMemoryLogger>;
}

export const MOUNT = '/settings/automation/oneroster';

/** Builds the module on a scratch database with test defaults (loopback http allowed), migrates, mounts it. */
export async function createTestHost(db: ScratchDatabase, overrides: Partial<OneRosterOptions> = {}): Promise<TestHost> {
  const logger = createMemoryLogger();
  const oneroster = createOneRoster({
    sequelize: db.sequelize,
    encryptionKey: TEST_ENCRYPTION_KEY,
    logger,
    network: { allowHttp: 'loopback', allowLoopback: true },
    http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000 },
    ...overrides,
  });
  await oneroster.migrate();
  const app = express();
  app.use((req, _res, next) => {
    const who = req.header('x-test-user');
    if (who === 'admin') Object.assign(req, { user: { id: 1, name: 'Ada Admin', permissions: ['manage_settings'] } });
    if (who === 'teacher') Object.assign(req, { user: { id: 2, name: 'Tom Teacher', permissions: [] } });
    next();
  });
  app.use(MOUNT, oneroster.router);
  return { app, oneroster, logger };
}
