import { createOneRoster } from '../../server';
import { describeEachDatabase } from '../helpers/databases';
import { TEST_ENCRYPTION_KEY } from '../helpers/app';

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
    expect(afterUp).toEqual(expect.arrayContaining(['buildings', 'students', 'staff', 'oneroster_migrations']));

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
    await qi.bulkInsert('buildings', [
      { name: 'Manual A', source: 'manual', active: true, created_at: now, updated_at: now },
      { name: 'Manual B', source: 'manual', active: true, created_at: now, updated_at: now },
      { name: 'School', sis_id: 'org-1', source: 'oneroster', active: true, created_at: now, updated_at: now },
    ]);
    await expect(
      qi.bulkInsert('buildings', [{ name: 'Dup', sis_id: 'org-1', source: 'oneroster', active: true, created_at: now, updated_at: now }]),
    ).rejects.toThrow();
    await qi.bulkInsert('students', [
      { first_name: 'A', last_name: 'B', created_at: now, updated_at: now },
      { first_name: 'C', last_name: 'D', created_at: now, updated_at: now },
      { first_name: 'E', last_name: 'F', sourced_id: 's-1', created_at: now, updated_at: now },
    ]);
    await expect(
      qi.bulkInsert('students', [{ first_name: 'G', last_name: 'H', sourced_id: 's-1', created_at: now, updated_at: now }]),
    ).rejects.toThrow();
  });
});
