import { QueryTypes } from 'sequelize';
import { createMigrator } from '../../migrations';
import { createMemoryLogger } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';

/**
 * A user run counts a district's active people three times. At a million people, through an
 * index on `active` alone, MariaDB looked up every active row to check its district (0.8–1 s a
 * count, half of a 1 % delta sync); migration 0010 puts the district first, so the count reads
 * the index only. The plan is what can regress, so the plan is what is held here.
 */
const COUNT = "SELECT COUNT(*) AS n FROM oneroster_students WHERE district = 'default' AND active = 1";

describeEachDatabase('counting a district\'s active people reads the (district, active) index only', (db) => {
  beforeAll(async () => {
    const { sequelize } = db();
    await createMigrator(sequelize, createMemoryLogger()).up();
    const now = new Date();
    const rows = Array.from({ length: 300 }, (_, i) => ({
      district: i % 3 === 0 ? 'other' : 'default',
      sourced_id: `s-${i}`,
      first_name: 'A',
      last_name: 'B',
      active: i % 5 !== 0,
      created_at: now,
      updated_at: now,
    }));
    await sequelize.getQueryInterface().bulkInsert('oneroster_students', rows);
    if (sequelize.getDialect() === 'mysql') await sequelize.query('ANALYZE TABLE oneroster_students');
  });

  it('both people tables index (district, active) under the old name', async () => {
    const qi = db().sequelize.getQueryInterface();
    for (const table of ['oneroster_students', 'oneroster_staff']) {
      const indexes = (await qi.showIndex(table)) as Array<{ name: string; fields: Array<{ attribute: string }> }>;
      const active = indexes.find((index) => index.name === `${table}_active`);
      expect(active?.fields.map((field) => field.attribute)).toEqual(['district', 'active']);
    }
  });

  it('the count is answered from the index, without reading rows', async () => {
    const { sequelize } = db();
    if (sequelize.getDialect() === 'sqlite') {
      const plan = await sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${COUNT}`, { type: QueryTypes.SELECT });
      expect(plan.map((step) => step.detail).join(' ')).toMatch(/USING COVERING INDEX oneroster_students_active \(district=\? AND active=\?\)/);
    } else {
      const [step] = await sequelize.query<{ key: string; Extra: string }>(`EXPLAIN ${COUNT}`, { type: QueryTypes.SELECT });
      expect(step).toMatchObject({ key: 'oneroster_students_active' });
      expect(step!.Extra).toMatch(/Using index/);
    }
    const [counted] = await sequelize.query<{ n: number | string }>(COUNT, { type: QueryTypes.SELECT });
    expect(Number(counted!.n)).toBe(160);
  });

  it('down restores the index on active alone', async () => {
    const { sequelize } = db();
    const migrator = createMigrator(sequelize, createMemoryLogger());
    await migrator.down({ to: '0010-district-active-index' });
    const indexes = (await sequelize.getQueryInterface().showIndex('oneroster_students')) as Array<{ name: string; fields: Array<{ attribute: string }> }>;
    expect(indexes.find((index) => index.name === 'oneroster_students_active')?.fields.map((field) => field.attribute)).toEqual(['active']);
    await migrator.up();
  });
});
