import request from 'supertest';
import type { Express } from 'express';
import { createHostApp, type HostApp, type HostAppOptions } from '../../examples/host-app/create-host-app';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';
import type { ScratchDatabase } from '../helpers/databases';

/** A signed-in browser-like client: keeps the session cookie, knows the session's CSRF token. */
export interface SignedIn {
  agent: request.Agent;
  csrf: string;
}

/** Builds the example host on a scratch database, without the sandbox, with quick provider retries. */
export async function createTestHostApp(db: ScratchDatabase, overrides: Partial<HostAppOptions> = {}): Promise<HostApp> {
  return createHostApp({
    sequelize: db.sequelize,
    encryptionKey: TEST_ENCRYPTION_KEY,
    sessionSecret: 'test-session-secret',
    logger: createMemoryLogger(),
    oneroster: { http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 1 } },
    ...overrides,
  });
}

/** Signs in with JSON and returns the agent and the CSRF token the answer carries. */
export async function signIn(app: Express, username: 'admin' | 'teacher'): Promise<SignedIn> {
  const agent = request.agent(app);
  const res = await agent.post('/login').send({ username, password: username });
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrfToken as string };
}

/** The error shape every host endpoint answers with. */
export const ERROR_SHAPE = {
  error: expect.objectContaining({ code: expect.stringMatching(/^[a-z][a-z0-9_]*$/), message: expect.any(String) }),
};
