import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { createHostTables, defineHostModels } from '../../examples/host-app/host-models';
import { createHostRosterStore } from '../../examples/host-app/roster-store';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, createTestHost, MOUNT } from '../helpers/app';
import { syncNow } from '../reliability/kit';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 40, staff: 6, schools: 3 });
});
afterAll(() => sandbox.close());

async function tableNames(sequelize: Sequelize): Promise<string[]> {
  const tables = (await sequelize.getQueryInterface().showAllTables()) as Array<string | { tableName: string }>;
  return tables.map((t) => (typeof t === 'string' ? t : t.tableName)).sort();
}

/** Every row of the host's tables, by table, as the database holds them. */
async function hostRows(sequelize: Sequelize): Promise<Record<string, Array<Record<string, unknown>>>> {
  const rows: Record<string, Array<Record<string, unknown>>> = {};
  for (const table of ['buildings', 'students', 'staff']) {
    rows[table] = (await sequelize.query(`SELECT * FROM ${table} ORDER BY id`, { type: 'SELECT' })) as Array<Record<string, unknown>>;
  }
  return rows;
}

describeEachDatabase('a host with its own buildings/students/staff tables', (db) => {
  it('migrates beside them, syncs into them through its adapter, and keeps every table and row after migrateDown()', async () => {
    const { sequelize } = db();
    const models = defineHostModels(sequelize);
    await createHostTables(models);
    const office = await models.Building.create({ name: 'District Office', identifier: 'DO' });
    await models.Student.create({ firstName: 'Csv', lastName: 'Kid', studentNumber: 'CSV-1', buildingId: office.get('id') as number });
    await models.Staff.create({ firstName: 'Csv', lastName: 'Clerk', staffNumber: 'E-CSV', buildingId: office.get('id') as number });
    const before = await hostRows(sequelize);
    const hostTables = await tableNames(sequelize);

    const host = await createTestHost(db(), { rosterStore: createHostRosterStore(sequelize, models) });
    const put = await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send({ provider: 'oneroster', version: '1.2', auth: 'oauth2', ...sandbox.credentials.oneroster12 });
    expect(put.status).toBe(200);
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    await request(host.app).put(`${MOUNT}/automation`).set(AS_ADMIN).send({ studentImport: true, staffImport: true });
    const users = await syncNow(host, 'users');
    expect(users.status).toBe('succeeded');

    // The sync wrote the host's tables, in the host's columns.
    const schools = sandbox.district.schools();
    // The schools, and the district's District Office building.
    expect(await models.Building.count({ where: { source: 'oneroster' } })).toBe(schools.length + 1);
    const synced = await models.Student.count({ where: { active: true } });
    expect(synced).toBe(1 + users.counts.kinds.students!.created);
    expect(users.counts.kinds.students!.created).toBeGreaterThan(20);
    expect(await models.Staff.count()).toBeGreaterThan(1);
    const [row] = (await sequelize.query("SELECT * FROM students WHERE oneroster_id IS NOT NULL LIMIT 1", { type: 'SELECT' })) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ first_name: expect.any(String), student_no: expect.any(String), is_active: expect.anything(), oneroster_hash: expect.any(String) });
    // The module's own roster tables stayed empty.
    for (const table of ['oneroster_buildings', 'oneroster_students', 'oneroster_staff']) {
      expect((await sequelize.query(`SELECT COUNT(*) AS n FROM ${table}`, { type: 'SELECT' }))[0]).toEqual({ n: 0 });
    }
    // The building safeguard's count reads the host's columns too.
    const store = createHostRosterStore(sequelize, models);
    const buildingIds = (await models.Building.findAll()).map((b) => b.get('id') as number);
    const counts = await store.countActivePeopleByBuilding(buildingIds);
    for (const id of buildingIds) {
      const expected = (await models.Student.count({ where: { buildingId: id, active: true } })) + (await models.Staff.count({ where: { buildingId: id, active: true } }));
      expect(counts.get(id) ?? 0).toBe(expected);
    }
    expect([...counts.values()].reduce((sum, n) => sum + n, 0)).toBeGreaterThan(20);

    // A second sync changes nothing (hashes kept in the host's columns).
    const again = await syncNow(host, 'users');
    expect(again.counts.kinds.students).toMatchObject({ created: 0, updated: 0 });

    await host.oneroster.close();
    await host.oneroster.migrateDown();
    expect((await tableNames(sequelize)).filter((t) => t !== 'oneroster_migrations')).toEqual(hostTables);
    const after = await hostRows(sequelize);
    for (const table of Object.keys(before)) {
      for (const original of before[table]!) expect(after[table]).toContainEqual(original);
    }
  });
});
