import { createSql } from '../../server/store/sql';
import { describeEachDatabase } from '../helpers/databases';

describeEachDatabase('SQL literals', (db) => {
  it('a string holding NUL bytes, quotes and backslashes goes to the database and back unchanged', async () => {
    const sql = createSql(db().sequelize);
    const text = "a\u0000b'c\\d\u0000";
    const [row] = await sql.select<{ v: string }>(`SELECT ${sql.value(text)} AS v`);
    expect(row!.v).toBe(text);
  });
});
