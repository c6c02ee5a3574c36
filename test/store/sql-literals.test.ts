import { Sequelize } from 'sequelize';
import { createSql } from '../../server/store/sql';

/**
 * `createSql` writes a string that holds nothing to escape as itself in quotes, without calling
 * Sequelize's escaper (which allocated ~150 bytes a value). Here the text it sends is held to
 * the escaper's own, character by character, on both dialects: the shortcut must never differ.
 */
const STRINGS = [
  '',
  'plain',
  'Zoë 👩🏽‍🏫 王小明',
  'line\u2028para\u2029end',
  'lone \uD800 surrogate',
  "O'Brien",
  'back\\slash',
  'say "hi"',
  'nul\u0000byte',
  'new\nline',
  'carriage\rreturn',
  'back\bspace',
  'tab\there',
  'ctrl-z\u001a',
  "Robert'); DROP TABLE oneroster_staging; --",
  // Characters next to the escaped ones, which must pass through untouched.
  '\u0001\u0007\u0009x\u000b\u000c\u001b\u001f`',
];

function capturing(dialect: 'mysql' | 'sqlite'): { sequelize: Sequelize; sent: string[] } {
  const sequelize =
    dialect === 'mysql'
      ? new Sequelize('mysql://nobody@127.0.0.1:1/none', { logging: false })
      : new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  const sent: string[] = [];
  (sequelize as unknown as { query: (text: string) => Promise<unknown> }).query = async (text) => {
    sent.push(text);
    return [];
  };
  return { sequelize, sent };
}

describe.each(['mysql', 'sqlite'] as const)('value literals on %s match Sequelize\'s escaper', (dialect) => {
  it('a single value: the same text as sequelize.escape', async () => {
    const { sequelize, sent } = capturing(dialect);
    const sql = createSql(sequelize);
    // On SQLite, strings holding a NUL or `$` are bound, not written (bound-values.test.ts).
    const written = STRINGS.filter((value) => dialect === 'mysql' || !(value.includes('\u0000') || value.includes('$')));
    for (const value of written) await sql.select(sql.q`SELECT ${value} AS v`);
    expect(sent).toEqual(written.map((value) => `SELECT ${sequelize.escape(value)} AS v`));
  });

  it('the rows of a multi-row INSERT: every value as the escaper writes it, numbers and NULL as they are', async () => {
    const { sequelize, sent } = capturing(dialect);
    const sql = createSql(sequelize);
    const rows = STRINGS.filter((value) => !value.includes('\u0000')).map((value, i) => [i, value, null, true, undefined]);
    await sql.insert(sql.q`t (a, b, c, d, e)`, rows, sql.q``);
    const expected = rows.map(([i, value]) => `(${i as number}, ${sequelize.escape(value as string)}, NULL, 1, NULL)`).join(', ');
    expect(sent).toEqual([`INSERT INTO t (a, b, c, d, e) VALUES ${expected} `]);
  });
});
