import { QueryTypes, type Sequelize } from 'sequelize';
import { MODULE_TABLES, REQUIRED_CHARSET } from './module-tables';
import type { Migration } from './types';

/** A text column of a module table as `information_schema` describes it. */
interface TextColumn {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
  collation: string;
}

/**
 * MySQL/MariaDB: turns every module table into utf8mb4, whatever the schema's default was. A
 * latin1 schema fails on the first Chinese name, a utf8mb3 one on the first emoji, and either fails
 * the whole run. Binary columns (sourcedIds: case-sensitive keys) stay binary. SQLite stores UTF-8
 * already: nothing to do.
 */
export const utf8mb4Tables: Migration = {
  name: '0006-utf8mb4',
  async up({ sequelize }) {
    if (!isMysql(sequelize)) return;
    const columns = await textColumns(sequelize);
    for (const table of MODULE_TABLES) {
      const binary = columns.filter((c) => c.table === table && c.collation.endsWith('_bin'));
      await sequelize.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET ${REQUIRED_CHARSET} COLLATE ${REQUIRED_CHARSET}_unicode_ci`);
      // A separate statement: in the same ALTER, CONVERT TO would win over these.
      if (binary.length === 0) continue;
      const restore = binary.map((c) => `MODIFY \`${c.column}\` ${c.type} CHARACTER SET ${REQUIRED_CHARSET} COLLATE ${REQUIRED_CHARSET}_bin ${c.nullable ? 'NULL' : 'NOT NULL'}`);
      await sequelize.query(`ALTER TABLE \`${table}\` ${restore.join(', ')}`);
    }
  },
  async down() {
    // Narrowing back could lose characters: the tables stay utf8mb4.
  },
};

/**
 * The module's text columns that are not utf8mb4 (empty on SQLite, and after 0006), as
 * `table.column (charset)`: `migrate()` refuses to finish while there are any.
 */
export async function columnsNotUtf8mb4(sequelize: Sequelize): Promise<string[]> {
  if (!isMysql(sequelize)) return [];
  const rows = await sequelize.query<{ TABLE_NAME: string; COLUMN_NAME: string; CHARACTER_SET_NAME: string }>(
    'SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (:tables) AND CHARACTER_SET_NAME IS NOT NULL AND CHARACTER_SET_NAME <> :charset',
    { type: QueryTypes.SELECT, replacements: { tables: [...MODULE_TABLES], charset: REQUIRED_CHARSET } },
  );
  const found = rows.map((r) => `${r.TABLE_NAME}.${r.COLUMN_NAME} (${r.CHARACTER_SET_NAME})`);
  // The connection itself must carry utf8mb4 too, or characters are lost before they reach a column.
  const [connection] = await sequelize.query<{ charset: string }>('SELECT @@character_set_connection AS charset', { type: QueryTypes.SELECT });
  if (connection && connection.charset !== REQUIRED_CHARSET) found.push(`the connection (${connection.charset})`);
  return found;
}

async function textColumns(sequelize: Sequelize): Promise<TextColumn[]> {
  const rows = await sequelize.query<{ TABLE_NAME: string; COLUMN_NAME: string; COLUMN_TYPE: string; IS_NULLABLE: string; COLLATION_NAME: string }>(
    'SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLLATION_NAME FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (:tables) AND COLLATION_NAME IS NOT NULL',
    { type: QueryTypes.SELECT, replacements: { tables: [...MODULE_TABLES] } },
  );
  return rows.map((r) => ({ table: r.TABLE_NAME, column: r.COLUMN_NAME, type: r.COLUMN_TYPE, nullable: r.IS_NULLABLE === 'YES', collation: r.COLLATION_NAME }));
}

function isMysql(sequelize: Sequelize): boolean {
  const dialect = sequelize.getDialect();
  return dialect === 'mysql' || dialect === 'mariadb';
}
