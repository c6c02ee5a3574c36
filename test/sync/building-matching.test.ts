import request from 'supertest';
import { AS_ADMIN, MOUNT } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { createFakeConnection, createSyncHarness, resetTables, rosterRows, school, syncBuildingsNow, type SyncHarness } from './harness';

/**
 * Building matching before the first sync: existing (manual) buildings are matched to the
 * provider's schools by identifier and name, the admin confirms, the Building SIS values are
 * written through the roster store, and the first building sync then updates instead of duplicating.
 */
describeEachDatabase('building matching', (db) => {
  let h: SyncHarness;
  const schools = [
    school('sch-lin', { name: 'Lincoln Elementary', identifier: '101' }),
    school('sch-wash', { name: 'Washington Middle School', identifier: '202' }),
    school('sch-new', { name: 'New Academy', identifier: '303' }),
  ];

  beforeAll(async () => {
    h = await createSyncHarness(db(), createFakeConnection({ schools, people: [] }));
  });
  beforeEach(async () => {
    await resetTables(h.sequelize);
    await h.sequelize.query('DELETE FROM oneroster_audit_events');
    const now = new Date();
    // Buildings an admin made by hand: one with the school number, one by (differently written) name, one matching nothing.
    for (const [name, identifier] of [['Lincoln Elem', '101'], ['washington middle school', null], ['District Office', null]] as const) {
      await h.sequelize.query(
        'INSERT INTO oneroster_buildings (name, identifier, source, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        { replacements: [name, identifier, 'manual', true, now, now] },
      );
    }
  });
  afterAll(() => h.sync.whenIdle());

  const get = () => request(h.app).get(`${MOUNT}/buildings/matching`).set(AS_ADMIN);
  const put = (body: object) => request(h.app).put(`${MOUNT}/buildings/matching`).set(AS_ADMIN).send(body);

  it('proposes matches by identifier and by name, and none for a building no school fits', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body.schools.map((s: { sourcedId: string }) => s.sourcedId).sort()).toEqual(['sch-lin', 'sch-new', 'sch-wash']);
    const byName = Object.fromEntries(res.body.buildings.map((b: { name: string; proposed: string | null; reason: string | null }) => [b.name, [b.proposed, b.reason]]));
    expect(byName).toEqual({
      'Lincoln Elem': ['sch-lin', 'identifier'],
      'washington middle school': ['sch-wash', 'name'],
      'District Office': [null, null],
    });
  });

  it('writes the confirmed Building SIS values, audits them, and the first building sync makes no duplicates', async () => {
    const view = (await get()).body as { buildings: Array<{ id: number; proposed: string | null }> };
    const matches = view.buildings.filter((b) => b.proposed).map((b) => ({ buildingId: b.id, sourcedId: b.proposed }));
    const res = await put({ matches });
    expect(res.status).toBe(200);
    expect(res.body.buildings.filter((b: { sisId: string | null; reason: string }) => b.sisId && b.reason === 'sis_id')).toHaveLength(2);
    const [audit] = await h.sequelize.query('SELECT action, actor_name FROM oneroster_audit_events');
    expect(audit).toEqual([{ action: 'buildings_matched', actor_name: 'Ada Admin' }]);

    const run = await syncBuildingsNow(h);
    expect(run.counts.kinds.buildings).toMatchObject({ created: 1, updated: 2 });
    const rows = await rosterRows(h.sequelize, 'buildings');
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.sis_id).sort()).toEqual(['sch-lin', 'sch-new', 'sch-wash', null].sort());
  });

  it('refuses a school matched to two buildings, a school the provider does not send, and an unknown building', async () => {
    const view = (await get()).body as { buildings: Array<{ id: number }> };
    const [a, b] = view.buildings;
    const twice = await put({ matches: [{ buildingId: a!.id, sourcedId: 'sch-lin' }, { buildingId: b!.id, sourcedId: 'sch-lin' }] });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('school_matched_twice');
    const unknown = await put({ matches: [{ buildingId: a!.id, sourcedId: 'sch-gone' }, { buildingId: 999999, sourcedId: null }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.map((d: { field: string }) => d.field)).toEqual(['matches.0.sourcedId', 'matches.1.buildingId']);
    expect((await rosterRows(h.sequelize, 'buildings')).every((r) => r.sis_id === null)).toBe(true);
  });
});
