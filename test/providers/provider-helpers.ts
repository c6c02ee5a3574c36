import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryLogger } from '../helpers/app';
import { resolveOptions, type OneRosterOptions } from '../../server/options';
import type { ProviderDeps } from '../../server/providers/types';
import type { ProviderConnection, PulledPage } from '../../server/providers/types';

/** A test encryption key; the providers never use it. */
const KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

/** Provider deps with fast retries and loopback allowed (the sandbox is on 127.0.0.1), plus a memory logger. */
export function providerDeps(overrides: Partial<OneRosterOptions> = {}): ProviderDeps & { logger: ReturnType<typeof createMemoryLogger> } {
  const logger = createMemoryLogger();
  const options = resolveOptions(
    {
      // Never touched by provider code; resolveOptions only checks it looks like Sequelize.
      sequelize: { getDialect: () => 'sqlite' } as never,
      encryptionKey: KEY,
      logger,
      network: { allowHttp: 'loopback', allowLoopback: true },
      http: { retryBaseMs: 1, retryMaxMs: 20, timeoutMs: 2000, maxRetries: 4 },
      ...overrides,
    },
    logger,
  );
  return { options, logger, clock: { now: () => new Date() } };
}

/** Drains a pull, keeping every page. */
export async function collect<T>(pages: AsyncIterable<PulledPage<T>>): Promise<{ records: T[]; pages: PulledPage<T>[] }> {
  const all: PulledPage<T>[] = [];
  for await (const page of pages) all.push(page);
  return { records: all.flatMap((page) => page.records), pages: all };
}

/** Drains a pull and returns the error it ended with (fails the test when it completes). */
export async function pullError(pages: AsyncIterable<PulledPage<unknown>>): Promise<{ code: string; message: string }> {
  try {
    for await (const _page of pages) {
      // keep reading
    }
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('the pull completed, but it should have failed');
}

/** The sourcedIds of a pull of users, sorted. */
export async function userIds(connection: ProviderConnection): Promise<string[]> {
  const { records } = await collect(connection.users());
  return records.map((person) => person.sourcedId).sort();
}

/** A throwaway HTTP server on loopback for behaviour the sandbox does not have. */
export async function stubServer(handler: http.RequestListener): Promise<{ url: string; close(): void }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
