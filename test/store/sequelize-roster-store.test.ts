import { Sequelize } from 'sequelize';
import { createMigrator } from '../../migrations';
import type { PersonFields } from '../../server/store/roster-store';
import { createSequelizeRosterStore } from '../../server/store/sequelize-roster-store';
import { createMemoryLogger } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';

function fields(sourcedId: string, buildingId: number, overrides: Partial<PersonFields> = {}): PersonFields {
  return {
    sourcedId, firstName: 'Ada', middleName: null, lastName: `L-${sourcedId}`, preferredFirstName: null, email: null, username: null,
    number: `n-${sourcedId}`, grade: '05', role: null, buildingId, enabled: true, naturalKey: null, hash: `h-${sourcedId}`, ...overrides,
  };
}

describeEachDatabase('default roster store', (db) => {
  const at = new Date('2026-02-03T04:05:06.000Z');
  let buildingId: number;

  beforeAll(async () => {
    await createMigrator(db().sequelize, createMemoryLogger()).up();
    const store = createSequelizeRosterStore(db().sequelize);
    await store.applyBuildings({ creates: [{ sisId: 'org-1', name: 'North', identifier: '1', hash: 'b1' }], updates: [], deactivations: [] }, at);
    buildingId = (await store.listBuildings())[0]!.id;
  });

  it('lists buildings and applies building changes', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    expect(await store.listBuildings()).toEqual([{ id: buildingId, sisId: 'org-1', name: 'North', identifier: '1', source: 'oneroster', active: true, hash: 'b1' }]);
    await store.applyBuildings({ creates: [], updates: [{ id: buildingId, fields: { sisId: 'org-1', name: 'North II', identifier: null, hash: 'b2' } }], deactivations: [] }, at);
    expect((await store.listBuildings())[0]).toMatchObject({ name: 'North II', identifier: null, hash: 'b2' });
  });

  it('says whether a kind has anyone, inactive people and rows without a sourcedId included', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    expect(await store.hasPeople!('staff')).toBe(false);
    await store.applyPeople('staff', { creates: [fields('s-only', buildingId)], updates: [], deactivations: [] }, at);
    const [person] = await store.findPeopleBySourcedId('staff', ['s-only']);
    await store.applyPeople('staff', { creates: [], updates: [], deactivations: [person!.id] }, at);
    await db().sequelize.query('UPDATE oneroster_staff SET sourced_id = NULL');
    expect(await store.hasPeople!('staff')).toBe(true);
    await db().sequelize.query('DELETE FROM oneroster_staff');
  });

  it('a first load is invisible until it commits, finds its people by natural key, takes merged ones back, and rolls back to nothing (MariaDB; SQLite has none)', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    if (db().name === 'sqlite') {
      expect(store.startFirstLoad).toBeUndefined();
      return;
    }
    const people = (prefix: string) => [fields(`${prefix}-a`, buildingId, { naturalKey: `${prefix}-key` }), fields(`${prefix}-b`, buildingId, { naturalKey: `${prefix}-key` }), fields(`${prefix}-c`, buildingId)];
    const rolledBack = await store.startFirstLoad!('staff');
    await rolledBack.create(people('r'), at);
    expect((await rolledBack.findByNaturalKey(['r-key'])).map((p) => p.sourcedId).sort()).toEqual(['r-a', 'r-b']);
    await rolledBack.rollback();
    await rolledBack.rollback(); // a second rollback is harmless
    expect(await store.hasPeople!('staff')).toBe(false);

    const load = await store.startFirstLoad!('staff');
    await load.create(people('k'), at);
    // Outside the load nobody exists yet.
    expect(await store.findPeopleBySourcedId('staff', ['k-a', 'k-b', 'k-c'])).toEqual([]);
    await load.remove(['k-b']);
    await load.commit();
    await load.rollback(); // after the commit: nothing to undo
    const found = await store.findPeopleBySourcedId('staff', ['k-a', 'k-b', 'k-c']);
    expect(found.map((p) => p.sourcedId).sort()).toEqual(['k-a', 'k-c']);
    expect(found.every((p) => p.active)).toBe(true);
    await db().sequelize.query('DELETE FROM oneroster_staff');
  });

  it('creates, finds, updates, re-keys and deactivates people in batches, idempotently', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    const creates = Array.from({ length: 2500 }, (_, i) => fields(`p${i}`, buildingId));
    await store.applyPeople('students', { creates, updates: [], deactivations: [] }, at);
    // Applying the same batch again (a crash-repair) changes nothing and duplicates nobody.
    await store.applyPeople('students', { creates: creates.slice(0, 10), updates: [], deactivations: [] }, at);
    expect(await store.countActivePeople('students')).toBe(2500);

    const found = await store.findPeopleBySourcedId('students', ['p1', 'p2', 'P1', 'nobody']);
    expect(found.map((p) => p.sourcedId).sort()).toEqual(['p1', 'p2']);
    expect(found.find((p) => p.sourcedId === 'p1')).toMatchObject({ number: 'n-p1', active: true, enabled: true, hash: 'h-p1' });

    const p1 = found.find((p) => p.sourcedId === 'p1')!;
    const p2 = found.find((p) => p.sourcedId === 'p2')!;
    await store.applyPeople('students', { creates: [], updates: [{ id: p1.id, fields: fields('p1-new', buildingId, { enabled: false, hash: 'x' }) }], deactivations: [p2.id] }, at);
    await store.applyPeople('students', { creates: [], updates: [], deactivations: [p2.id] }, at);
    const [renamed] = await store.findPeopleBySourcedId('students', ['p1-new']);
    expect(renamed).toMatchObject({ id: p1.id, enabled: false, active: true, hash: 'x' });
    expect((await store.findPeopleBySourcedId('students', ['p2']))[0]).toMatchObject({ active: false });
    expect(await store.countActivePeople('students')).toBe(2499);

    // Reactivating through an update clears the deactivation.
    await store.applyPeople('students', { creates: [], updates: [{ id: p2.id, fields: fields('p2', buildingId) }], deactivations: [] }, at);
    expect((await store.findPeopleBySourcedId('students', ['p2']))[0]).toMatchObject({ active: true });
  });

  it('pages through active people in id order and finds CSV rows by number', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    const now = new Date();
    await db().sequelize.getQueryInterface().bulkInsert('oneroster_staff', [
      { first_name: 'Csv', last_name: 'A', staff_number: 'T-1', active: true, enabled: true, created_at: now, updated_at: now },
      { first_name: 'Csv', last_name: 'B', staff_number: 'T-1', active: true, enabled: true, created_at: now, updated_at: now },
      { first_name: 'Csv', last_name: 'C', staff_number: 'T-2', sourced_id: 'has-id', active: true, enabled: true, created_at: now, updated_at: now },
    ]);
    const unkeyed = await store.findUnkeyedPeopleByNumber('staff', ['T-1', 'T-2']);
    expect(unkeyed.map((p) => p.number)).toEqual(['T-1', 'T-1']);

    const seen: string[] = [];
    let after: number | null = null;
    for (;;) {
      const page = await store.listActivePeople('students', after, 1000);
      seen.push(...page.map((p) => p.sourcedId));
      if (page.length < 1000) break;
      after = page[page.length - 1]!.id;
    }
    expect(seen).toHaveLength(2500);
    expect(new Set(seen).size).toBe(2500);
    const active = await store.listActivePeople('staff', null, 10);
    expect(active).toEqual([{ id: expect.any(Number), sourcedId: 'has-id', name: 'Csv C', number: 'T-2', buildingId: null }]);

    // The ids alone are the same rows, page for page (CSV rows without a sourcedId left out).
    expect(await store.listActivePersonIds!('staff', null, 10)).toEqual(active.map((p) => p.id));
    const firstPage = await store.listActivePeople('students', null, 1000);
    const second = firstPage[999]!.id;
    expect(await store.listActivePersonIds!('students', null, 1000)).toEqual(firstPage.map((p) => p.id));
    expect(await store.listActivePersonIds!('students', second, 1000)).toEqual((await store.listActivePeople('students', second, 1000)).map((p) => p.id));
  });

  it('writes Building SIS values of existing buildings: two may swap theirs, and null unlinks one', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    await store.applyBuildings({ creates: [{ sisId: 'swap-a', name: 'A', identifier: null, hash: 'a' }, { sisId: 'swap-b', name: 'B', identifier: null, hash: 'b' }], updates: [], deactivations: [] }, at);
    const byName = async () => Object.fromEntries((await store.listBuildings()).map((b) => [b.name, b.sisId]));
    const ids = Object.fromEntries((await store.listBuildings()).map((b) => [b.name, b.id]));
    await store.assignBuildingSisIds([{ id: ids.A!, sisId: 'swap-b' }, { id: ids.B!, sisId: 'swap-a' }], at);
    expect(await byName()).toMatchObject({ A: 'swap-b', B: 'swap-a' });
    await store.assignBuildingSisIds([{ id: ids.A!, sisId: null }], at);
    expect(await byName()).toMatchObject({ A: null, B: 'swap-a' });
  });
});

describe('default roster store without a database', () => {
  it('offers no first load on a MySQL pool too small to hold one beside the run\'s own statements', () => {
    const small = new Sequelize('mysql://root@127.0.0.1:3306/test', { logging: false, pool: { max: 2 } });
    const roomy = new Sequelize('mysql://root@127.0.0.1:3306/test', { logging: false });
    expect(createSequelizeRosterStore(small).startFirstLoad).toBeUndefined();
    expect(createSequelizeRosterStore(roomy).startFirstLoad).toBeDefined();
  });
});
