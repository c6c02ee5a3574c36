import { describeEachDatabase } from '../helpers/databases';
import { createFakeConnection, createSyncHarness, resetTables, rosterRows, school, syncBuildingsNow, type FakeDistrict, type SyncHarness } from './harness';

describeEachDatabase('building sync', (db) => {
  let h: SyncHarness;
  let district: FakeDistrict;

  beforeAll(async () => {
    district = { schools: [], people: [] };
    h = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 2 }));
  });
  beforeEach(async () => {
    await resetTables(h.sequelize);
    // Schools only here: district office buildings have their own suite (district-people.test.ts).
    h.settings.districtOffices = false;
  });
  afterAll(() => h.sync.whenIdle());

  async function insertBuilding(row: Record<string, unknown>): Promise<void> {
    const now = new Date();
    await h.sequelize.getQueryInterface().bulkInsert('oneroster_buildings', [{ source: 'manual', active: true, created_at: now, updated_at: now, ...row }]);
  }

  it('creates schools, updates the building whose SIS matches, and reports manual buildings that match nothing', async () => {
    await insertBuilding({ name: 'Old name', sis_id: 'org-2' });
    await insertBuilding({ name: 'Bus depot' });
    await insertBuilding({ name: 'Closed annex', sis_id: 'org-3', active: false });
    district.schools = [
      school('org-1', { name: 'North Elementary' }),
      school('org-2', { name: 'South Middle', identifier: '0042' }),
      school('org-3', { name: 'Annex' }),
      school('dist-1', { type: 'district', name: 'The District' }),
    ];
    const run = await syncBuildingsNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.buildings).toMatchObject({ created: 1, updated: 1, reactivated: 1, unchanged: 0 });
    expect(run.counts.unmatchedBuildings).toEqual([{ id: expect.anything(), name: 'Bus depot' }]);

    const rows = await rosterRows(h.sequelize, 'buildings');
    expect(rows).toHaveLength(4);
    expect(rows.find((b) => b.sis_id === 'org-1')).toMatchObject({ name: 'North Elementary', source: 'oneroster', active: true, identifier: 'N-org-1' });
    expect(rows.find((b) => b.sis_id === 'org-2')).toMatchObject({ name: 'South Middle', identifier: '0042', source: 'manual', active: true });
    expect(rows.find((b) => b.sis_id === 'org-3')).toMatchObject({ active: true });
    expect(rows.find((b) => b.name === 'Bus depot')).toMatchObject({ active: true, sis_id: null });
    expect(rows.some((b) => b.name === 'The District')).toBe(false);

    const again = await syncBuildingsNow(h);
    expect(again.counts.kinds.buildings).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect((await h.sync.status()).buildingsSynced).toBe(true);
  });

  it('makes tobedeleted schools and missing OneRoster buildings inactive, never deleting them, and never touches manual ones', async () => {
    await insertBuilding({ name: 'Manual with SIS', sis_id: 'org-9' });
    district.schools = [school('org-1'), school('org-2'), school('org-9')];
    await syncBuildingsNow(h);
    district.schools = [school('org-1', { status: 'tobedeleted' })];
    const run = await syncBuildingsNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.buildings).toMatchObject({ deactivated: 2 });
    const rows = await rosterRows(h.sequelize, 'buildings');
    expect(rows).toHaveLength(3);
    expect(rows.find((b) => b.sis_id === 'org-1')).toMatchObject({ active: false });
    expect(rows.find((b) => b.sis_id === 'org-2')).toMatchObject({ active: false });
    // A manual building is reported, not deactivated, when its school disappears.
    expect(rows.find((b) => b.sis_id === 'org-9')).toMatchObject({ active: true });
    expect(run.counts.unmatchedBuildings).toEqual([{ id: expect.anything(), name: 'School org-9' }]);
  });

  it('skips a school without a name and says so', async () => {
    district.schools = [school('org-1', { name: '' }), school('org-2')];
    const run = await syncBuildingsNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.buildings).toMatchObject({ created: 1, skipped: 1 });
    expect(run.issues).toEqual([{ sourcedId: 'org-1', code: 'missing_name', message: expect.any(String) }]);
  });
  it('holds a building sync after a hand-edited Building SIS: no duplicate, the 418 people keep their active building', async () => {
    district.schools = [school('org-1', { name: 'North Elementary', identifier: '0101' }), school('org-2')];
    expect((await syncBuildingsNow(h)).status).toBe('succeeded');
    const north = (await rosterRows(h.sequelize, 'buildings')).find((b) => b.sis_id === 'org-1')!;
    const now = new Date();
    await h.sequelize.getQueryInterface().bulkInsert(
      'oneroster_students',
      Array.from({ length: 418 }, (_, i) => ({ sourced_id: `s-${i}`, first_name: 'A', last_name: `B${i}`, building_id: north.id, created_at: now, updated_at: now })),
    );
    // An admin edits the Building SIS of a synced building (the issue's finding).
    await h.sequelize.query(`UPDATE oneroster_buildings SET sis_id = 'org-1-typo' WHERE id = ${Number(north.id)}`);
    const before = await rosterRows(h.sequelize, 'buildings');

    const run = await syncBuildingsNow(h);
    expect(run.status).toBe('held');
    expect(run.plan!.holdReasons!.map((reason) => reason.code).sort()).toEqual(['building_has_people', 'building_lookalike']);
    expect(run.plan!.holdReasons!.find((reason) => reason.code === 'building_has_people')).toMatchObject({
      buildings: [{ id: north.id, name: 'North Elementary', people: 418 }],
    });
    // Nothing applied: no duplicate building, the original still active, nobody deactivated.
    expect(await rosterRows(h.sequelize, 'buildings')).toEqual(before);
    const students = await rosterRows(h.sequelize, 'students');
    expect(students.filter((s) => s.active)).toHaveLength(418);
  });

  it('holds the creation of a look-alike of a manual building (same identifier), and applies it once approved', async () => {
    await insertBuilding({ name: 'Westside Campus', identifier: '0042' });
    district.schools = [school('org-5', { name: 'West Side Elementary', identifier: '0042' })];
    const run = await syncBuildingsNow(h);
    expect(run.status).toBe('held');
    expect(run.plan!.holdReasons).toEqual([expect.objectContaining({ code: 'building_lookalike' })]);
    expect((await rosterRows(h.sequelize, 'buildings')).map((b) => b.name)).toEqual(['Westside Campus']);
    await h.sync.approve(run.id, { id: 1 });
    const approved = await h.sync.waitForRun(run.id);
    expect(approved.status).toBe('succeeded');
    expect((await rosterRows(h.sequelize, 'buildings')).map((b) => b.name).sort()).toEqual(['West Side Elementary', 'Westside Campus']);
  });

  it('deactivates a missing building nobody belongs to without holding', async () => {
    district.schools = [school('org-1'), school('org-2')];
    await syncBuildingsNow(h);
    district.schools = [school('org-1')];
    const run = await syncBuildingsNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.buildings).toMatchObject({ deactivated: 1 });
  });
});
