import request from 'supertest';
import type { Sequelize } from 'sequelize';
import type { Sandbox, SandboxFault, SandboxOptions } from '../../examples/oneroster-sandbox';
import type { RunView } from '../../server/domain/contract';
import { AS_ADMIN, MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { activeIds, assertRosterInvariants, assertRunCountsMatch, rosterContent, snapshotRoster } from '../helpers/invariants';
import {
  changeDistrictALittle,
  createReliabilityHost,
  expectedRoster,
  PROVIDER_LABELS,
  RELIABILITY_HTTP,
  providerInput,
  resetDatabase,
  saveConfig,
  startSmallDistrict,
  syncNow,
  USES_OAUTH2_TOKENS,
  type ProviderName,
} from './kit';
import { assertNoRosterDataInLogs } from './privacy';

/**
 * What the roster must look like after the faulty run:
 * - `current`: the client survives the fault, so the roster is exactly the provider's current data;
 * - `previous`: it cannot, so the run fails and the roster is exactly what it was before;
 * - `held`: the safeguard holds the run, so nothing is applied (the roster is as before).
 */
type Outcome = 'current' | 'previous' | 'held';

/** One fault scenario of the matrix. */
interface FaultScenario {
  /** Title. */
  name: string;
  /** The sandbox fault switched on for the user sync (none for sandbox-option scenarios). */
  fault?: SandboxFault;
  /** Sandbox options the scenario needs (the silent page cap). */
  sandbox?: SandboxOptions;
  /** What the roster must be afterwards. */
  outcome: Outcome;
  /** For `previous`: the error codes that say what happened. */
  codes?: string[];
  /** Only for providers authenticating with OAuth2 tokens. */
  oauth2Only?: boolean;
  /** HTTP settings for this scenario on top of the quick defaults. */
  http?: Partial<Record<keyof typeof RELIABILITY_HTTP, number>>;
}

// Faults hit `/users` only: the user sync is the one under test, the building sync runs clean.
const USERS = '/users';
/** The pull reads ~4 pages of 50 users: `from: 2` strikes mid-pull, after a page has been staged. */
const MID_PULL = 2;

const SCENARIOS: FaultScenario[] = [
  { name: '429 storm beyond the retries', fault: { kind: 'rateLimit', path: USERS, from: MID_PULL }, outcome: 'previous', codes: ['rate_limited'] },
  { name: '429 burst within the retries', fault: { kind: 'rateLimit', path: USERS, from: MID_PULL, count: 2 }, outcome: 'current' },
  { name: '429 with Retry-After within the retries', fault: { kind: 'rateLimit', path: USERS, retryAfterSeconds: 1, count: 2 }, outcome: 'current' },
  { name: '503 within the retries', fault: { kind: 'serverError', status: 503, path: USERS, from: MID_PULL, count: 3 }, outcome: 'current' },
  { name: '500 beyond the retries', fault: { kind: 'serverError', status: 500, path: USERS, from: MID_PULL }, outcome: 'previous', codes: ['server_error'] },
  // One retry is enough to prove a hang ends the run; each attempt waits out the whole timeout.
  { name: 'hang (no answer at all)', fault: { kind: 'hang', path: USERS, from: MID_PULL }, outcome: 'previous', codes: ['timeout'], http: { maxRetries: 1 } },
  { name: 'slow answers within the timeout', fault: { kind: 'slow', delayMs: 300, path: USERS, count: 2 }, outcome: 'current' },
  { name: 'truncated body, connection cut', fault: { kind: 'truncatedBody', path: USERS, from: MID_PULL }, outcome: 'previous', codes: ['bad_response'] },
  { name: 'truncated body once (retried)', fault: { kind: 'truncatedBody', path: USERS, from: MID_PULL, count: 1 }, outcome: 'current' },
  { name: 'truncated JSON on a kept connection', fault: { kind: 'truncatedBody', keepConnection: true, path: USERS, from: MID_PULL }, outcome: 'previous', codes: ['bad_response'] },
  { name: 'a 200 without its envelope', fault: { kind: 'missingEnvelope', path: USERS, from: MID_PULL }, outcome: 'previous', codes: ['bad_response'] },
  { name: 'a bare array instead of the envelope', fault: { kind: 'bareArray', path: USERS }, outcome: 'current' },
  { name: 'a next link on the last page', fault: { kind: 'nextOnLastPage', path: USERS }, outcome: 'current' },
  { name: 'an empty feed', fault: { kind: 'emptyFeed', path: USERS }, outcome: 'held' },
  { name: 'a token expiring mid-pull', fault: { kind: 'tokenExpiresMidPull', afterRequests: 2, path: USERS }, outcome: 'current', oauth2Only: true },
  { name: 'access revoked mid-pull', fault: { kind: 'revoked', afterRequests: 2, path: USERS }, outcome: 'previous', codes: ['unauthorized'] },
  { name: 'data shifting between pages', fault: { kind: 'shiftingData', path: USERS }, outcome: 'previous', codes: ['incomplete_pull'] },
  { name: 'X-Total-Count lying high', fault: { kind: 'wrongTotalCount', delta: 7, path: USERS }, outcome: 'previous', codes: ['incomplete_pull'] },
  { name: 'X-Total-Count lying low', fault: { kind: 'wrongTotalCount', delta: -7, path: USERS }, outcome: 'current' },
  { name: 'a silent page cap (maxPageSize 20 < page size 50)', sandbox: { maxPageSize: 20 }, outcome: 'current' },
];

/** The providers of the matrix: a generic OneRoster on 1.1 (OAuth1) and 1.2 (OAuth2), Infinite Campus, and ClassLink's proxy. */
const PROVIDERS: ProviderName[] = ['oneroster11', 'oneroster12', 'infinitecampus', 'classlink'];

/** Page requests in flight: serial, and the default concurrency (every guarantee must hold for both). */
const CONCURRENCIES = [1, 4] as const;

/** Every applicable provider × scenario pair, at each concurrency: the table the matrix runs. */
export const FAULT_MATRIX = CONCURRENCIES.flatMap((concurrency) =>
  PROVIDERS.flatMap((provider) =>
    SCENARIOS.filter((s) => !s.oauth2Only || USES_OAUTH2_TOKENS[provider]).map((scenario) => ({
      provider,
      scenario,
      concurrency,
      title: `${PROVIDER_LABELS[provider]} × ${scenario.name} × concurrency ${concurrency} → ${scenario.outcome}`,
    })),
  ),
);

describeEachDatabase('fault matrix: provider × fault', (db) => {
  it('has a case for every provider and fault (the README counts them)', () => {
    const perConcurrency = PROVIDERS.length * SCENARIOS.length - PROVIDERS.filter((p) => !USES_OAUTH2_TOKENS[p]).length;
    expect(FAULT_MATRIX).toHaveLength(CONCURRENCIES.length * perConcurrency);
  });

  it.each(FAULT_MATRIX)('$title', async ({ provider, scenario, concurrency }) => {
    const sandbox: Sandbox = await startSmallDistrict(scenario.sandbox);
    let host: TestHost | undefined;
    try {
      host = await createReliabilityHost(db(), sandbox, { http: { ...RELIABILITY_HTTP, concurrency, ...scenario.http } });
      await resetDatabase(db().sequelize);
      await saveConfig(host, providerInput(sandbox, provider));

      // A clean first sync.
      const buildings = await syncNow(host, 'buildings');
      expect(buildings.status).toBe('succeeded');
      const first = await syncNow(host, 'users');
      expect(first.status).toBe('succeeded');
      await assertRosterInvariants(db().sequelize);

      // A normal night's changes, then the fault.
      const changed = changeDistrictALittle(sandbox);
      const before = await snapshotRoster(db().sequelize);
      sandbox.faults.resetFired();
      if (scenario.fault) sandbox.faults.set(scenario.fault);
      const run: RunView = await syncNow(host, 'users');
      sandbox.faults.clear();
      const after = await snapshotRoster(db().sequelize);

      // The scenario really happened.
      if (scenario.fault) expect(sandbox.faults.fired(scenario.fault.kind)).toBeGreaterThan(0);

      await assertRosterInvariants(db().sequelize);
      assertRunCountsMatch(run, before, after);
      const staged = await stagedRows(db().sequelize);

      if (scenario.outcome === 'current') {
        expect({ status: run.status, error: run.error }).toEqual({ status: 'succeeded', error: null });
        const expected = expectedRoster(sandbox, provider);
        expect(activeIds(after, 'students')).toEqual(expected.students);
        expect(activeIds(after, 'staff')).toEqual(expected.staff);
        expect(activeIds(after, 'buildings')).toEqual(expected.buildings);
        const person = (id: string) => [...after.students.values()].find((row) => row.sourced_id === id);
        expect(person(changed.edited[0]!)?.last_name).toBe('Edited-Family');
        expect(person(changed.edited[1]!)?.email).toBe('changed.address@example.org');
        expect(person(changed.edited[2]!)?.enabled).toBe(false);
        for (const id of [...changed.tobedeleted, ...changed.removed]) expect(person(id)?.active).toBe(false);
        expect(person(changed.added)?.active).toBe(true);
        expect(staged).toBe(0);
      } else {
        // Exactly the previous state: not one row changed, nobody deactivated on a partial view.
        expect(rosterContent(after)).toEqual(rosterContent(before));
        if (scenario.outcome === 'held') {
          expect(run.status).toBe('held');
          expect(run.plan?.deactivations.students?.planned).toBeGreaterThan(0);
          // The admin approves it anyway: exactly the plan is applied, and the counts say so.
          const approved = await request(host.app).post(`${MOUNT}/runs/${run.id}/approve`).set(AS_ADMIN).send({});
          expect(approved.status).toBe(200);
          await host.oneroster.sync.whenIdle();
          const applied = await host.oneroster.sync.waitForRun(run.id);
          expect(applied.status).toBe('succeeded');
          expect(applied.counts.kinds).toEqual(run.plan!.counts);
          const afterApproval = await snapshotRoster(db().sequelize);
          assertRunCountsMatch(applied, before, afterApproval);
          await assertRosterInvariants(db().sequelize);
          expect(activeIds(afterApproval, 'students')).toEqual([]);
          expect(await stagedRows(db().sequelize)).toBe(0);
        } else {
          expect(run.status).toBe('failed');
          expect(scenario.codes).toContain(run.error?.code);
          expect(run.error?.message).toEqual(expect.any(String));
          expect(staged).toBe(0);
        }
      }
      assertNoRosterDataInLogs(host.logger.lines, sandbox);
    } finally {
      await host?.oneroster.close();
      await sandbox.close();
    }
  });
});

/** Staging rows left behind (a finished, not-held run must leave none). */
async function stagedRows(sequelize: Sequelize): Promise<number> {
  const [rows] = await sequelize.query('SELECT COUNT(*) AS n FROM oneroster_staging');
  return Number((rows as Array<{ n: unknown }>)[0]?.n ?? 0);
}
