import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createProviderConnection } from '../../server/providers';
import type { ProviderConnection } from '../../server/providers/types';
import { DEFAULT_STAFF_ROLES } from '../../server/options';
import { describeEachDatabase } from '../helpers/databases';
import { createSyncHarness, resetTables, rosterRows, syncBuildingsNow, syncUsersNow, type SyncHarness } from './harness';

/** Test options: loopback http allowed, quick retries. */
const NETWORK = { network: { allowHttp: 'loopback' as const, allowLoopback: true }, http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 2, pageSize: 100 } };

describeEachDatabase('sync against the sandbox provider', (db) => {
  let sandbox: Sandbox;
  let h: SyncHarness;

  /** A real provider connection (OneRoster 1.2, OAuth2) or the Infinite Campus shape. */
  function connect(kind: 'oneroster12' | 'infinitecampus' = 'oneroster12'): ProviderConnection {
    const c = sandbox.credentials[kind];
    return createProviderConnection(
      { provider: kind === 'infinitecampus' ? 'infinitecampus' : 'oneroster', version: '1.2', auth: 'oauth2', baseUrl: c.baseUrl, tokenUrl: c.tokenUrl, clientId: c.clientId, clientSecret: c.clientSecret },
      h.ctx,
    );
  }

  /** sourcedIds of the sandbox's active students and staff that the engine should import. */
  function expectedPeople(): { students: string[]; staff: string[] } {
    // District-level staff belong to the district office building the building sync makes.
    const schools = new Set(sandbox.district.orgs().filter((s) => s.status === 'active' && (s.type === 'school' || s.type === 'district')).map((s) => s.sourcedId));
    const students: string[] = [];
    const staff: string[] = [];
    for (const p of sandbox.district.people()) {
      if (p.status !== 'active' || !p.givenName?.trim() || !p.familyName?.trim() || !p.orgs.some((o) => schools.has(o))) continue;
      if (p.role === 'student') students.push(p.sourcedId);
      else if (DEFAULT_STAFF_ROLES.includes(p.role)) staff.push(p.sourcedId);
    }
    return { students: students.sort(), staff: staff.sort() };
  }

  const activeIds = async (table: 'students' | 'staff') =>
    (await rosterRows(h.sequelize, table)).filter((r) => r.active).map((r) => String(r.sourced_id)).sort();

  beforeAll(async () => {
    sandbox = await startSandbox({ students: 300, schools: 4, seed: 7 });
    h = await createSyncHarness(db(), null, NETWORK);
  });
  beforeEach(async () => {
    await resetTables(h.sequelize);
    sandbox.faults.clear();
    h.setConnection(connect());
  });
  afterAll(async () => {
    await h.sync.whenIdle();
    await sandbox.close();
  });

  it('imports the district exactly as published, then finds nothing to change', async () => {
    const buildings = await syncBuildingsNow(h);
    expect(buildings.status).toBe('succeeded');
    // The active schools, plus the district office.
    expect(buildings.counts.kinds.buildings!.created).toBe(sandbox.district.schools().filter((s) => s.status === 'active').length + 1);

    const first = await syncUsersNow(h);
    expect(first.status).toBe('succeeded');
    const expected = expectedPeople();
    expect(await activeIds('students')).toEqual(expected.students);
    expect(await activeIds('staff')).toEqual(expected.staff);
    expect((first.counts.ignoredRoles.guardian ?? 0) + (first.counts.ignoredRoles.parent ?? 0)).toBeGreaterThan(0);
    // The sandbox's quirky records (no given name, email without @) are issues, not failures.
    expect(first.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['missing_name', 'invalid_email']));

    const second = await syncUsersNow(h);
    expect(second.counts.kinds.students).toMatchObject({ created: 0, updated: 0, deactivated: 0, unchanged: expected.students.length });
    expect(second.counts.kinds.staff).toMatchObject({ created: 0, updated: 0, deactivated: 0, unchanged: expected.staff.length });
  });

  it('follows edits, tobedeleted, removals and a delta pull', async () => {
    await syncBuildingsNow(h);
    await syncUsersNow(h);
    const [a, b, c, d] = expectedPeople().students;
    sandbox.district.updatePerson(a!, { familyName: 'Edited' });
    sandbox.district.markToBeDeleted(b!);
    sandbox.district.removePerson(c!);
    sandbox.district.updatePerson(d!, { enabled: false });
    const delta = await syncUsersNow(h, { mode: 'delta' });
    expect(delta).toMatchObject({ status: 'succeeded', mode: 'delta' });
    expect(delta.counts.kinds.students).toMatchObject({ updated: 2, deactivated: 1, disabled: 1 });
    const full = await syncUsersNow(h);
    expect(full.counts.kinds.students).toMatchObject({ updated: 0, deactivated: 1 });
    const rows = new Map((await rosterRows(h.sequelize, 'students')).map((r) => [r.sourced_id, r]));
    expect(rows.get(a)).toMatchObject({ last_name: 'Edited', active: true });
    expect(rows.get(b)).toMatchObject({ active: false });
    expect(rows.get(c)).toMatchObject({ active: false });
    expect(rows.get(d)).toMatchObject({ active: true, enabled: false });
  });

  it('survives the Infinite Campus 1.1 → 1.2 id switch without duplicating anyone', async () => {
    h.setConnection(connect('infinitecampus'));
    await syncBuildingsNow(h);
    await syncUsersNow(h);
    const before = await rosterRows(h.sequelize, 'students');
    sandbox.district.switchToNewIds();
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students).toMatchObject({ created: 0, deactivated: 0, rekeyed: expectedPeople().students.length });
    const after = await rosterRows(h.sequelize, 'students');
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(await activeIds('students')).toEqual(expectedPeople().students);
  });

  it.each([
    ['a 503 mid-pull', { kind: 'serverError' as const, status: 503 as const, path: '/users', from: 2 }],
    ['a truncated body', { kind: 'truncatedBody' as const, path: '/users', from: 2 }],
    ['a 200 without its envelope', { kind: 'missingEnvelope' as const, path: '/users', from: 2 }],
    ['a revoked token', { kind: 'revoked' as const, afterRequests: 2 }],
    ['an X-Total-Count promising more than it sends', { kind: 'wrongTotalCount' as const, delta: 50, path: '/users' }],
  ])('a pull failing part-way (%s) changes nothing', async (_name, fault) => {
    await syncBuildingsNow(h);
    await syncUsersNow(h);
    const before = await rosterRows(h.sequelize, 'students');
    for (const id of expectedPeople().students.slice(0, 20)) sandbox.district.updatePerson(id, { familyName: 'ShouldNotLand' });
    sandbox.faults.set(fault);
    const run = await syncUsersNow(h);
    sandbox.faults.clear();
    expect(run.status).toBe('failed');
    expect(run.error?.code).toEqual(expect.any(String));
    expect(await rosterRows(h.sequelize, 'students')).toEqual(before);
  });

  it('an empty feed holds the run instead of deactivating everyone', async () => {
    await syncBuildingsNow(h);
    await syncUsersNow(h);
    const before = await rosterRows(h.sequelize, 'students');
    sandbox.faults.set({ kind: 'emptyFeed', path: '/users' });
    const run = await syncUsersNow(h);
    expect(run.status).toBe('held');
    expect(run.plan!.deactivations.students!.planned).toBe(before.filter((r) => r.active).length);
    expect(await rosterRows(h.sequelize, 'students')).toEqual(before);
  });
});
