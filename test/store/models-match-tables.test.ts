import type { ModelAttributeColumnOptions, ModelStatic, Sequelize } from 'sequelize';
import { createOneRoster } from '../../server';
import { defineRosterModels } from '../../server/store/roster-models';
import { TEST_ENCRYPTION_KEY } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';

/**
 * The migrations create the tables and the models describe them: two declarations of every column.
 * This compares them on each dialect, so a model that drifts from what the migrations built (a
 * length, a binary collation, a nullability) fails here rather than in a host's database.
 */

/** Tables the module reads and writes with SQL of its own (no model), so only their existence is checked. */
const TABLES_WITHOUT_MODELS = ['oneroster_staging', 'oneroster_sync_lease'];

/** A column as both sides can say it: type family with its size, binary collation, nullability, primary key. */
interface ColumnShape {
  type: string;
  binary: boolean;
  allowNull: boolean;
  primaryKey: boolean;
}

/** Reduces a SQL type as either side spells it (`INT(11)`, `INTEGER`, `VARCHAR BINARY(255)`) to its family. */
function typeFamily(sqlType: string): { type: string; binary: boolean } {
  const text = sqlType.toUpperCase();
  const binary = /\bBINARY\b/.test(text);
  const size = /\((\d+)\)/.exec(text)?.[1];
  if (/^TINYINT\(1\)/.test(text) || text === 'BOOLEAN') return { type: 'boolean', binary };
  if (/^BIGINT/.test(text)) return { type: 'bigint', binary };
  if (/^INT/.test(text)) return { type: 'integer', binary };
  if (/^(VAR)?CHAR/.test(text)) return { type: `string(${size})`, binary };
  if (/^DATETIME/.test(text)) return { type: 'datetime', binary };
  const word = /^[A-Z]+/.exec(text)?.[0] ?? text;
  return { type: word.toLowerCase(), binary };
}

function modelShape(attribute: ModelAttributeColumnOptions): ColumnShape {
  const family = typeFamily(String(attribute.type));
  const primaryKey = attribute.primaryKey === true;
  return {
    ...family,
    binary: family.binary || (attribute.type as { _binary?: boolean })._binary === true,
    allowNull: attribute.allowNull !== false,
    primaryKey,
  };
}

/**
 * A primary key is required whatever the column says; SQLite reports one as nullable unless it was
 * declared NOT NULL (its old quirk), so nullability is compared on the other columns only.
 */
function comparable(shape: ColumnShape): ColumnShape {
  return shape.primaryKey ? { ...shape, allowNull: false } : shape;
}

/** Binary-collated columns, as MariaDB reports them (describeTable does not say). */
async function binaryColumns(sequelize: Sequelize, table: string): Promise<Set<string>> {
  if (sequelize.getDialect() !== 'mysql' && sequelize.getDialect() !== 'mariadb') return new Set();
  const rows = (await sequelize.query(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLLATION_NAME LIKE ?',
    { replacements: [table, '%\\_bin'], type: 'SELECT' },
  )) as Array<{ name: string }>;
  return new Set(rows.map((row) => row.name));
}

describeEachDatabase('models match the migrated tables', (db) => {
  it('every model column has the type family, size, collation and nullability the migrations gave it, and no column is left out', async () => {
    const sequelize = db().sequelize;
    const oneroster = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY });
    await oneroster.migrate();
    defineRosterModels(sequelize);
    const queryInterface = sequelize.getQueryInterface();

    const tables = ((await queryInterface.showAllTables()) as string[]).filter((name) => name.startsWith('oneroster_')).sort();
    const models = Object.values(sequelize.models) as ModelStatic<never>[];
    const modelled = new Map(models.map((model) => [model.getTableName() as string, model]));
    expect(tables.filter((table) => !modelled.has(table) && !TABLES_WITHOUT_MODELS.includes(table))).toEqual([]);

    const drift: string[] = [];
    for (const [table, model] of modelled) {
      if (!tables.includes(table)) {
        drift.push(`${table}: the model names a table the migrations do not create`);
        continue;
      }
      const described = await queryInterface.describeTable(table);
      const binary = await binaryColumns(sequelize, table);
      const attributes = Object.values(model.getAttributes()) as ModelAttributeColumnOptions[];
      const fields = new Set(attributes.map((attribute) => (attribute as { field?: string }).field!));
      for (const attribute of attributes) {
        const field = (attribute as { field?: string }).field!;
        const column = described[field];
        if (!column) {
          drift.push(`${table}.${field}: in the model, not in the table`);
          continue;
        }
        const family = typeFamily(column.type);
        const fromTable = comparable({ ...family, binary: family.binary || binary.has(field), allowNull: column.allowNull, primaryKey: column.primaryKey });
        const fromModel = comparable(modelShape(attribute));
        if (JSON.stringify(fromModel) !== JSON.stringify(fromTable)) {
          drift.push(`${table}.${field}: model ${JSON.stringify(fromModel)} but table ${JSON.stringify(fromTable)}`);
        }
      }
      for (const column of Object.keys(described)) {
        if (!fields.has(column)) drift.push(`${table}.${column}: in the table, not in the model`);
      }
    }
    expect(drift).toEqual([]);
    await oneroster.close();
  });
});
