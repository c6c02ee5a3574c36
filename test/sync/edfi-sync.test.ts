import { startSandbox, type Sandbox, type SandboxPerson } from '../../examples/oneroster-sandbox';
import { edfiUserId } from '../../examples/oneroster-sandbox/edfi';
import { createProviderConnection } from '../../server/providers';
import { DEFAULT_STAFF_ROLES } from '../../server/options';
import { describeEachDatabase } from '../helpers/databases';
import { createSyncHarness, resetTables, rosterRows, syncBuildingsNow, syncUsersNow, type SyncHarness } from './harness';

const NETWORK = { network: { allowHttp: 'loopback' as const, allowLoopback: true }, http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 5000, maxRetries: 2, pageSize: 1000 } };

/**
 * The sync against the sandbox's Ed-Fi dialect: one record per enrolment, a 500 cap on `limit`,
 * no X-Total-Count. What a district on an Ed-Fi ODS sends.
 */
describeEachDatabase('sync against an Ed-Fi OneRoster API', (db) => {
  let sandbox: Sandbox;
  let h: SyncHarness;
  const schoolIds = ['org-00001', 'org-00002', 'org-00003', 'org-00004'];
  const DISTRICT = 'org-00000';

  /** Gives `count` active people of a role a second enrolment at the next school (secondary, begun later). */
  function enrolTwice(role: string, count: number): SandboxPerson[] {
    const chosen = [...sandbox.district.people()]
      .filter((p) => p.role === role && p.status === 'active' && p.givenName && p.roles.length === 1 && schoolIds.includes(p.orgs[0]!))
      .slice(0, count);
    for (const p of chosen) {
      const other = schoolIds[(schoolIds.indexOf(p.orgs[0]!) + 1) % schoolIds.length]!;
      sandbox.district.updatePerson(p.sourcedId, {
        roles: [{ ...p.roles[0]!, beginDate: '2025-08-15' }, { roleType: 'secondary', role, org: other, beginDate: '2025-09-01' }],
      });
    }
    return chosen;
  }

  /** Humans the sync should hold: active, named, with a role of an imported kind at a school or the district. */
  function expectedHumans(kind: 'students' | 'staff'): SandboxPerson[] {
    return [...sandbox.district.people()].filter((p) => {
      if (p.status !== 'active' || !p.givenName?.trim() || !p.familyName?.trim() || !p.orgs.some((o) => schoolIds.includes(o) || o === DISTRICT)) return false;
      return kind === 'students' ? p.role === 'student' : DEFAULT_STAFF_ROLES.includes(p.role);
    });
  }

  async function buildingOf(schoolSourcedId: string): Promise<number> {
    const building = (await rosterRows(h.sequelize, 'buildings')).find((b) => b.sis_id === schoolSourcedId);
    return Number(building!.id);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ students: 400, schools: 4, seed: 11 });
    h = await createSyncHarness(db(), null, NETWORK);
  });
  beforeEach(async () => {
    await resetTables(h.sequelize);
    const c = sandbox.credentials.edfi;
    h.setConnection(createProviderConnection(
      { provider: 'oneroster', version: '1.2', auth: 'oauth2', baseUrl: c.baseUrl, tokenUrl: c.tokenUrl, clientId: c.clientId, clientSecret: c.clientSecret },
      h.ctx,
    ));
  });
  afterAll(async () => {
    await h.sync.whenIdle();
    await sandbox.close();
  });

  it('keeps dual-enrolled students and multi-school teachers as one row each, at their primary school', async () => {
    const students = enrolTwice('student', 30);
    const teachers = enrolTwice('teacher', 10);
    expect(await syncBuildingsNow(h)).toMatchObject({ status: 'succeeded' });
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');

    const studentRows = (await rosterRows(h.sequelize, 'students')).filter((r) => r.active);
    const staffRows = (await rosterRows(h.sequelize, 'staff')).filter((r) => r.active);
    expect(studentRows).toHaveLength(expectedHumans('students').length);
    expect(staffRows).toHaveLength(expectedHumans('staff').length);
    expect(new Set(studentRows.map((r) => r.student_number)).size).toBe(studentRows.length);
    expect(new Set(staffRows.map((r) => r.staff_number)).size).toBe(staffRows.length);
    expect(run.counts.kinds.students).toMatchObject({ merged: 30 });
    expect(run.counts.kinds.staff).toMatchObject({ merged: 10 });
    expect(run.issues.filter((i) => i.code === 'other_enrolment').length).toBeGreaterThan(0);

    // The primary role's school supplies the building, whatever order the records came in.
    for (const p of [...students, ...teachers]) {
      const rows = p.role === 'student' ? studentRows : staffRows;
      const row = rows.find((r) => (r.student_number ?? r.staff_number) === p.identifier)!;
      expect(row.building_id).toBe(await buildingOf(p.orgs[0]!));
      expect(row.sourced_id).toBe(edfiUserId(p.sourcedId, p.orgs[0]!));
    }

    const again = await syncUsersNow(h);
    expect(again.counts.kinds.students).toMatchObject({ created: 0, updated: 0, rekeyed: 0, deactivated: 0, merged: 30 });
    expect(again.counts.kinds.staff).toMatchObject({ created: 0, updated: 0, rekeyed: 0, deactivated: 0, merged: 10 });
  });

  it('merges a second enrolment that appears on a re-sync into the row of the unchanged first one, never re-keying it', async () => {
    // The first enrolment's record is unchanged, so the re-sync leaves it out of staging unless
    // another record shares its natural key (UnchangedRecords): here the new one does, and the
    // row must be treated as still followed by its own record, not as a transfer.
    await syncBuildingsNow(h);
    // Earlier tests of this sandbox may have enrolled some twice already.
    const { merged: mergedBefore } = (await syncUsersNow(h)).counts.kinds.students!;
    const before = await rosterRows(h.sequelize, 'students');
    const students = enrolTwice('student', 30);
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students).toMatchObject({ created: 0, rekeyed: 0, deactivated: 0, merged: mergedBefore + 30 });
    expect(run.counts.kinds.students!.unchanged).toBeGreaterThan(300);
    const after = await rosterRows(h.sequelize, 'students');
    expect(after).toHaveLength(before.length);
    for (const p of students) {
      const row = after.find((r) => r.student_number === p.identifier)!;
      const was = before.find((r) => r.student_number === p.identifier)!;
      expect(row).toMatchObject({ id: was.id, sourced_id: edfiUserId(p.sourcedId, p.orgs[0]!), building_id: await buildingOf(p.orgs[0]!) });
    }
  });

  it('moves a transferred student: same row id, new building, nothing deactivated or created', async () => {
    await syncBuildingsNow(h);
    await syncUsersNow(h);
    const student = expectedHumans('students').find((p) => p.roles.length === 1 && p.orgs[0] === 'org-00001')!;
    const before = (await rosterRows(h.sequelize, 'students')).find((r) => r.student_number === student.identifier)!;
    expect(before.building_id).toBe(await buildingOf('org-00001'));

    sandbox.district.updatePerson(student.sourcedId, { roles: [{ roleType: 'primary', role: 'student', org: 'org-00003', beginDate: '2026-01-05' }] });
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students).toMatchObject({ created: 0, deactivated: 0, rekeyed: 1 });
    const after = (await rosterRows(h.sequelize, 'students')).filter((r) => r.student_number === student.identifier);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before.id, sourced_id: edfiUserId(student.sourcedId, 'org-00003'), building_id: await buildingOf('org-00003') });
    expect(Boolean(after[0]!.active)).toBe(true);
    expect(run.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'rekeyed_by_natural_key' })]));
  });

  it('stores Ed-Fi grade descriptors as CEDS codes or the district labels of the Grade Level Matrix, and reports an unknown value once', async () => {
    await syncBuildingsNow(h);
    const odd = expectedHumans('students').filter((p) => p.roles.length === 1).slice(0, 3);
    for (const p of odd) sandbox.district.updatePerson(p.sourcedId, { grades: ['Grade Zed'] });
    h.settings.gradeMatrix = { KG: 'Kinder', 'First grade': 'Gr 1' };
    try {
      const run = await syncUsersNow(h);
      expect(run.status).toBe('succeeded');
      const grades = new Set((await rosterRows(h.sequelize, 'students')).map((r) => r.grade));
      expect(grades).toContain('Kinder');
      expect(grades).toContain('Gr 1');
      expect(grades).toContain('PK');
      expect(grades).toContain('05');
      expect([...grades].some((g) => typeof g === 'string' && /grade|kindergarten/i.test(g) && g !== 'Grade Zed')).toBe(false);
      const unmapped = run.issues.filter((i) => i.code === 'unmapped_grade');
      expect(unmapped).toHaveLength(1);
      expect(unmapped[0]!.message).toContain('"Grade Zed" (3 students)');
      expect(run.issues.some((i) => i.code === 'invalid_grade')).toBe(false);
    } finally {
      h.settings.gradeMatrix = {};
      for (const p of odd) sandbox.district.updatePerson(p.sourcedId, { grades: p.grades });
    }
  });

  it('imports district-office staff into the district office building, and skips none of them', async () => {
    const buildings = await syncBuildingsNow(h);
    expect(buildings.counts.kinds.buildings).toMatchObject({ created: schoolIds.length + 1 });
    const office = (await rosterRows(h.sequelize, 'buildings')).find((b) => b.sis_id === DISTRICT)!;
    expect(String(office.name)).toMatch(/District Office$/);
    const run = await syncUsersNow(h);
    const districtStaff = expectedHumans('staff').filter((p) => p.orgs[0] === DISTRICT);
    expect(districtStaff.length).toBeGreaterThan(0);
    const staff = await rosterRows(h.sequelize, 'staff');
    for (const p of districtStaff) {
      expect(staff.find((r) => r.staff_number === p.identifier)).toMatchObject({ building_id: office.id, role: 'districtAdministrator' });
    }
    expect(run.counts.skippedBySchool[DISTRICT]).toBeUndefined();

    // Without District Office buildings they are skipped and the report says why, naming the org.
    await resetTables(h.sequelize);
    h.settings.districtOffices = false;
    try {
      await syncBuildingsNow(h);
      const without = await syncUsersNow(h, { dryRun: true });
      expect(without.counts.skippedOrgs).toEqual(expect.arrayContaining([expect.objectContaining({
        sourcedId: DISTRICT, type: 'district', status: 'active', reason: 'not_a_school', people: districtStaff.length,
        name: expect.stringMatching(/School District$/), hint: expect.stringContaining('District Office'),
      })]));
    } finally {
      h.settings.districtOffices = true;
    }
  });

  it('accounts for every record pulled, in exactly one bucket', async () => {
    await syncBuildingsNow(h);
    const run = await syncUsersNow(h, { kinds: ['students'] });
    const r = run.counts.reconciliation!;
    // One record per enrolment: more records than people.
    expect(r.pulled).toBeGreaterThan([...sandbox.district.people()].length);
    expect(r.created).toBe(run.counts.kinds.students!.created);
    expect(r.merged).toBeGreaterThan(0);
    expect(r.notSynced).toBeGreaterThan(0); // staff, on a students-only run
    expect(r.ignoredRoles).toBeGreaterThan(0); // parents and guardians
    expect(r.tobedeleted).toBeGreaterThan(0);
    expect(r.skipped).toEqual(expect.objectContaining({ missing_name: expect.any(Number), unknown_role: expect.any(Number), no_building: expect.any(Number) }));
    // syncUsersNow has already checked that the buckets add up to `pulled`.
  });

  it('keeps apart two plainly different people who share a key, and says so', async () => {
    await syncBuildingsNow(h);
    const [a, b] = expectedHumans('students').filter((p) => p.roles.length === 1);
    sandbox.district.updatePerson(b!.sourcedId, { identifier: a!.identifier, givenName: 'Quentin', familyName: 'Zzyzx' });
    try {
      const run = await syncUsersNow(h);
      const rows = (await rosterRows(h.sequelize, 'students')).filter((r) => r.student_number === a!.identifier);
      expect(rows).toHaveLength(2);
      expect(run.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'natural_key_conflict' })]));
    } finally {
      sandbox.district.updatePerson(b!.sourcedId, { identifier: b!.identifier, givenName: b!.givenName, familyName: b!.familyName });
    }
  });
});
