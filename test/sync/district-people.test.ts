import { describeEachDatabase } from '../helpers/databases';
import { createFakeConnection, createSyncHarness, person, resetTables, rosterRows, school, syncBuildingsNow, syncUsersNow, type FakeDistrict, type SyncHarness } from './harness';

/** People whose org is not a school building: imported where a building stands for it, otherwise named with the fitting hint. */
describeEachDatabase('district-level people and the skipped-by-org report', (db) => {
  let h: SyncHarness;
  let district: FakeDistrict;

  beforeAll(async () => {
    district = { schools: [], people: [] };
    h = await createSyncHarness(db(), createFakeConnection(district));
  });
  beforeEach(async () => {
    await resetTables(h.sequelize);
    h.settings.districtOffices = true;
    h.settings.orgBuildings = {};
    district.schools = [school('sch-1'), school('sch-gone', { status: 'tobedeleted' })];
    district.orgs = [
      school('dist-1', { type: 'district', name: 'Lakeview Unified' }),
      school('dept-it', { type: 'department', name: 'IT Department', parentSourcedId: 'dist-1' }),
      ...district.schools,
      school('sch-new', { name: 'New Academy' }),
    ];
    district.people = [
      person('s1', { orgSourcedIds: ['sch-1'] }),
      person('super', { roles: ['districtAdministrator'], orgSourcedIds: ['dist-1'], grades: [] }),
      person('tech', { roles: ['administrator'], orgSourcedIds: ['dept-it'], grades: [] }),
      person('s-gone', { orgSourcedIds: ['sch-gone'] }),
      person('s-new', { orgSourcedIds: ['sch-new'] }),
      person('s-orphan', { orgSourcedIds: ['org-unheard-of'] }),
    ];
  });
  afterAll(() => h.sync.whenIdle());

  it('ties district and department staff to the district office, and names every other org with its hint', async () => {
    await syncBuildingsNow(h);
    const office = (await rosterRows(h.sequelize, 'buildings')).find((b) => b.sis_id === 'dist-1')!;
    expect(office).toMatchObject({ name: 'Lakeview Unified – District Office', source: 'oneroster' });
    const run = await syncUsersNow(h);
    const staff = await rosterRows(h.sequelize, 'staff');
    expect(staff.map((r) => [r.sourced_id, r.building_id]).sort()).toEqual([['super', office.id], ['tech', office.id]]);
    const byOrg = Object.fromEntries((run.counts.skippedOrgs ?? []).map((o) => [o.sourcedId, o]));
    expect(byOrg['sch-gone']).toMatchObject({ reason: 'school_tobedeleted', status: 'tobedeleted', type: 'school', people: 1, hint: expect.stringContaining('tobedeleted') });
    expect(byOrg['sch-new']).toMatchObject({ reason: 'school_not_synced', name: 'New Academy', people: 1, hint: expect.stringContaining('sync buildings') });
    expect(byOrg['org-unheard-of']).toMatchObject({ reason: 'unknown_org', name: null, people: 1 });
    expect(Object.keys(byOrg).sort()).toEqual(['org-unheard-of', 'sch-gone', 'sch-new']);
  });

  it('follows the admin mapping of an org to an existing building, office setting or not', async () => {
    h.settings.districtOffices = false;
    await syncBuildingsNow(h);
    const sch1 = (await rosterRows(h.sequelize, 'buildings')).find((b) => b.sis_id === 'sch-1')!;
    h.settings.orgBuildings = { 'dept-it': Number(sch1.id) };
    const run = await syncUsersNow(h);
    const staff = await rosterRows(h.sequelize, 'staff');
    expect(staff.map((r) => [r.sourced_id, r.building_id])).toEqual([['tech', sch1.id]]);
    expect((run.counts.skippedOrgs ?? []).find((o) => o.sourcedId === 'dist-1')).toMatchObject({ reason: 'not_a_school', type: 'district', name: 'Lakeview Unified' });
  });
});
