import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import type { SandboxOptions } from '../../examples/oneroster-sandbox';
import type { ConfigInput, RunView } from '../../server/domain/contract';
import { DEFAULT_STAFF_ROLES, type OneRosterOptions } from '../../server/options';
import { AS_ADMIN, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import type { ScratchDatabase } from '../helpers/databases';

/** Quick retries and a short timeout, so faults beyond the retries end a run in a second or two. */
export const RELIABILITY_HTTP = { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 1500, maxRetries: 3, pageSize: 50 } as const;

/** A small district: three schools, 120 students (a handful of staff and guardians come with them). */
export const SMALL_DISTRICT: SandboxOptions = { schools: 3, students: 120, seed: 11 };

/** The providers every reliability scenario runs against. */
export type ProviderName = 'oneroster11' | 'oneroster12' | 'infinitecampus' | 'classlink';

/** What each provider name stands for, for test titles and the README. */
export const PROVIDER_LABELS: Record<ProviderName, string> = {
  oneroster11: 'OneRoster 1.1 OAuth1',
  oneroster12: 'OneRoster 1.2 OAuth2',
  infinitecampus: 'Infinite Campus 1.2 OAuth2',
  classlink: 'ClassLink proxy',
};

/** Which OneRoster version a provider's feed follows (ClassLink is 1.1). */
export const PROVIDER_VERSION: Record<ProviderName, '1.1' | '1.2'> = {
  oneroster11: '1.1',
  oneroster12: '1.2',
  infinitecampus: '1.2',
  classlink: '1.1',
};

/** Whether a provider authenticates with OAuth2 tokens (only those can expire mid-pull). */
export const USES_OAUTH2_TOKENS: Record<ProviderName, boolean> = {
  oneroster11: false,
  oneroster12: true,
  infinitecampus: true,
  classlink: false,
};

/** The body an admin would send to test or save this provider against the sandbox. */
export function providerInput(sandbox: Sandbox, provider: ProviderName): ConfigInput {
  const c = sandbox.credentials;
  switch (provider) {
    case 'oneroster11':
      return { provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl: c.oneroster11.baseUrl, clientId: c.oneroster11.clientId, clientSecret: c.oneroster11.clientSecret };
    case 'oneroster12':
      return { provider: 'oneroster', version: '1.2', auth: 'oauth2', ...c.oneroster12 };
    case 'infinitecampus':
      return { provider: 'infinitecampus', version: '1.2', baseUrl: c.infinitecampus.baseUrl, tokenUrl: c.infinitecampus.tokenUrl, clientId: c.infinitecampus.clientId, clientSecret: c.infinitecampus.clientSecret };
    case 'classlink':
      return { provider: 'classlink', tenantId: c.classlink.tenantId };
  }
}

/** The secret a provider's configuration holds (ClassLink's lives in the host's options: the vendor key). */
export function providerSecret(sandbox: Sandbox, provider: ProviderName): string {
  return provider === 'classlink' ? sandbox.credentials.classlink.apiKey : String(providerInput(sandbox, provider).clientSecret);
}

/** Builds a test host that can reach the sandbox (ClassLink's proxy and vendor key included). */
export async function createReliabilityHost(db: ScratchDatabase, sandbox: Sandbox, overrides: Partial<OneRosterOptions> = {}): Promise<TestHost> {
  return createTestHost(db, {
    http: { ...RELIABILITY_HTTP },
    classlink: { apiKey: sandbox.credentials.classlink.apiKey, proxyUrl: sandbox.url },
    ...overrides,
  });
}

/** Saves a provider configuration through `PUT /config`; fails the test unless it is saved. */
export async function saveConfig(host: TestHost, input: ConfigInput): Promise<void> {
  const res = await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send({ ...input, confirmProviderSwitch: true });
  if (res.status !== 200) throw new Error(`PUT /config answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** Starts a sync through the router, waits for it to end, and reads it back through `GET /runs/:id`. */
export async function syncNow(host: TestHost, kind: 'buildings' | 'users', body: Record<string, unknown> = {}): Promise<RunView> {
  const started = await request(host.app).post(`${MOUNT}/sync/${kind}`).set(AS_ADMIN).send(body);
  if (started.status !== 202) throw new Error(`POST /sync/${kind} answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = (started.body as { run: RunView }).run.id;
  // This process runs the job: waiting for it to go idle is quicker than polling the run row.
  await host.oneroster.sync.whenIdle();
  await host.oneroster.sync.waitForRun(id);
  const res = await request(host.app).get(`${MOUNT}/runs/${id}`).set(AS_ADMIN);
  if (res.status !== 200) throw new Error(`GET /runs/${id} answered ${res.status}`);
  return res.body as RunView;
}

/** Empties the roster, the runs, the staging rows and the configuration, and frees the lease. */
export async function resetDatabase(sequelize: Sequelize): Promise<void> {
  for (const table of ['oneroster_staging', 'oneroster_run_issues', 'oneroster_runs', 'oneroster_staff', 'oneroster_students', 'oneroster_buildings', 'oneroster_config', 'oneroster_audit_events']) {
    await sequelize.query(`DELETE FROM ${table}`);
  }
  await sequelize.query('UPDATE oneroster_sync_lease SET holder_id = NULL, run_id = NULL, expires_at_ms = NULL');
}

/** Starts a small sandbox district (options override the small defaults). */
export function startSmallDistrict(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ ...SMALL_DISTRICT, ...options });
}

/**
 * The roster a complete, correct sync of the provider's current data gives: the active schools and
 * district offices as buildings, and the active students and staff with a name who stand in one.
 */
export function expectedRoster(sandbox: Sandbox, provider: ProviderName): { buildings: string[]; students: string[]; staff: string[] } {
  // The district org is a building too: its "district office", where district-level staff belong.
  const schools = sandbox.district.orgs().filter((s) => s.status === 'active' && (s.type === 'school' || s.type === 'district')).map((s) => s.sourcedId);
  const inBuilding = new Set(schools);
  const students: string[] = [];
  const staff: string[] = [];
  for (const p of sandbox.district.people({ version: PROVIDER_VERSION[provider] })) {
    if (p.status !== 'active' || !p.givenName?.trim() || !p.familyName?.trim() || !p.orgs.some((o) => inBuilding.has(o))) continue;
    if (p.role === 'student') students.push(p.sourcedId);
    else if (DEFAULT_STAFF_ROLES.includes(p.role)) staff.push(p.sourcedId);
  }
  return { buildings: schools.sort(), students: students.sort(), staff: staff.sort() };
}

/**
 * Changes the district a little, the way a normal night does: two people edited, one disabled,
 * two marked tobedeleted, two removed from the feed, one new student. Returns the ids touched.
 */
export function changeDistrictALittle(sandbox: Sandbox): { edited: string[]; tobedeleted: string[]; removed: string[]; added: string } {
  const students = [...sandbox.district.people()].filter((p) => p.role === 'student' && p.status === 'active' && p.givenName?.trim() && p.familyName?.trim());
  // Skip the first ten: the sandbox keeps its deliberately odd records there.
  const pick = students.slice(10);
  const [a, b, c, d, e, f, g] = pick.map((p) => p.sourcedId);
  sandbox.district.updatePerson(a!, { familyName: 'Edited-Family' });
  sandbox.district.updatePerson(b!, { email: 'changed.address@example.org' });
  sandbox.district.updatePerson(c!, { enabled: false });
  sandbox.district.markToBeDeleted(d!);
  sandbox.district.markToBeDeleted(e!);
  sandbox.district.removePerson(f!);
  sandbox.district.removePerson(g!);
  const school = sandbox.district.schools().find((s) => s.status === 'active')!.sourcedId;
  const added = sandbox.district.addPerson({ role: 'student', orgs: [school], givenName: 'Newly', familyName: 'Enrolled', grades: ['05'] });
  return { edited: [a!, b!, c!], tobedeleted: [d!, e!], removed: [f!, g!], added: added.sourcedId };
}

export { waitUntil } from '../helpers/wait-until';
