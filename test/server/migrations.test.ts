import { createMigrator } from '../../migrations';
import { createRosterTables } from '../../migrations/0001-roster-tables';
import { LEGACY_ROSTER_TABLES } from '../../migrations/roster-table-names';
import { createOneRoster } from '../../server';
import { createSequelizeRosterStore } from '../../server/store/sequelize-roster-store';
import { describeEachDatabase } from '../helpers/databases';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';

async function tableNames(sequelize: import('sequelize').Sequelize): Promise<string[]> {
  const tables = (await sequelize.getQueryInterface().showAllTables()) as Array<string | { tableName: string }>;
  return tables.map((t) => (typeof t === 'string' ? t : t.tableName)).sort();
}

describeEachDatabase('migrations', (db) => {
  it('go up, down and up again, recording themselves in oneroster_migrations', async () => {
    const { sequelize } = db();
    const oneroster = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY });

    await oneroster.migrate();
    const afterUp = await tableNames(sequelize);
    expect(afterUp).toEqual(expect.arrayContaining(['oneroster_buildings', 'oneroster_students', 'oneroster_staff', 'oneroster_migrations']));
    expect(afterUp.filter((t) => !t.startsWith('oneroster_'))).toEqual([]);

    await oneroster.migrateDown();
    const afterDown = await tableNames(sequelize);
    expect(afterDown.filter((t) => t !== 'oneroster_migrations')).toEqual([]);

    await oneroster.migrate();
    expect(await tableNames(sequelize)).toEqual(afterUp);
    await oneroster.migrate(); // idempotent
    expect(await tableNames(sequelize)).toEqual(afterUp);
  });

  it('enforce a unique Building SIS and a unique student sourcedId, but allow many empty ones', async () => {
    const { sequelize } = db();
    const qi = sequelize.getQueryInterface();
    const now = new Date();
    await qi.bulkInsert('oneroster_buildings', [
      { name: 'Manual A', source: 'manual', active: true, created_at: now, updated_at: now },
      { name: 'Manual B', source: 'manual', active: true, created_at: now, updated_at: now },
      { name: 'School', sis_id: 'org-1', source: 'oneroster', active: true, created_at: now, updated_at: now },
    ]);
    await expect(
      qi.bulkInsert('oneroster_buildings', [{ name: 'Dup', sis_id: 'org-1', source: 'oneroster', active: true, created_at: now, updated_at: now }]),
    ).rejects.toThrow();
    await qi.bulkInsert('oneroster_students', [
      { first_name: 'A', last_name: 'B', created_at: now, updated_at: now },
      { first_name: 'C', last_name: 'D', created_at: now, updated_at: now },
      { first_name: 'E', last_name: 'F', sourced_id: 's-1', created_at: now, updated_at: now },
    ]);
    await expect(
      qi.bulkInsert('oneroster_students', [{ first_name: 'G', last_name: 'H', sourced_id: 's-1', created_at: now, updated_at: now }]),
    ).rejects.toThrow();
  });
});

describeEachDatabase('upgrading a database migrated before the roster tables had their own names', (db) => {
  it('renames the module-created buildings/students/staff to oneroster_* with their rows, ids and indexes; down drops only those', async () => {
    const { sequelize } = db();
    const qi = sequelize.getQueryInterface();
    // The state releases before 0005 left: 0001 created the legacy names, 0001-0004 recorded.
    await createRosterTables(qi, LEGACY_ROSTER_TABLES);
    const migrator = createMigrator(sequelize, createMemoryLogger());
    await migrator.executed(); // creates the meta table
    await sequelize.query("INSERT INTO oneroster_migrations (name) VALUES ('0001-roster-tables')");
    await migrator.up({ to: '0004-automation-tables' });
    expect(await tableNames(sequelize)).not.toContain('oneroster_buildings');
    const now = new Date();
    await qi.bulkInsert('buildings', [{ id: 7, name: 'North', sis_id: 'org-1', source: 'oneroster', active: true, created_at: now, updated_at: now }]);
    await qi.bulkInsert('students', [{ id: 70, first_name: 'Ada', last_name: 'L', sourced_id: 's-1', building_id: 7, created_at: now, updated_at: now }]);

    const oneroster = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, logger: createMemoryLogger() });
    await oneroster.migrate();
    const tables = await tableNames(sequelize);
    expect(tables).toEqual(expect.arrayContaining(['oneroster_buildings', 'oneroster_students', 'oneroster_staff']));
    expect(tables.filter((t) => !t.startsWith('oneroster_'))).toEqual([]);
    const store = createSequelizeRosterStore(sequelize);
    expect(await store.listBuildings()).toEqual([expect.objectContaining({ id: 7, sisId: 'org-1', name: 'North' })]);
    expect(await store.findPeopleBySourcedId('students', ['s-1'])).toEqual([expect.objectContaining({ id: 70 })]);
    // The unique keys came along under their new names.
    await expect(qi.bulkInsert('oneroster_buildings', [{ name: 'Dup', sis_id: 'org-1', source: 'oneroster', active: true, created_at: now, updated_at: now }])).rejects.toThrow();
    const indexes = (await qi.showIndex('oneroster_students')) as Array<{ name: string }>;
    expect(indexes.map((index) => index.name)).toEqual(expect.arrayContaining(['oneroster_students_sourced_id_unique', 'oneroster_students_active']));
    expect(indexes.map((index) => index.name)).not.toContain('students_active');

    await oneroster.migrateDown();
    expect((await tableNames(sequelize)).filter((t) => t !== 'oneroster_migrations')).toEqual([]);
  });
});
