import type { QueryInterface } from 'sequelize';
import type { Migration } from './types';
import { LEGACY_ROSTER_TABLES, ROSTER_INDEXES, ROSTER_TABLES, type RosterTableKind } from './roster-table-names';

/** Columns only the module's own roster tables have together: how a legacy table is told from a host's. */
const MODULE_COLUMNS: Record<RosterTableKind, string[]> = {
  buildings: ['sis_id', 'source', 'sync_hash', 'last_synced_at'],
  students: ['sourced_id', 'student_number', 'sync_hash', 'last_synced_at'],
  staff: ['sourced_id', 'staff_number', 'sync_hash', 'last_synced_at'],
};

/**
 * Upgrades a database migrated before this release, whose 0001 created the roster tables as
 * `buildings`, `students` and `staff`: the names a host's own tables have. Each is renamed to
 * its `oneroster_` name (indexes too; data, ids and foreign keys are kept), but only when it is
 * the module's: its new name is still free and it has the module's columns. A fresh install,
 * whose 0001 already used the new names, finds nothing to do, and a host's own tables are never
 * touched.
 *
 * `down` does nothing: after it the schema is what the current 0001 leaves (the new names), so
 * 0001's own `down` drops only the module's tables.
 */
export const ownRosterTableNames: Migration = {
  name: '0005-own-roster-table-names',
  async up({ queryInterface }) {
    const tables = new Set(await tableNames(queryInterface));
    // Students and staff point at buildings: rename the dependents first, buildings last.
    for (const kind of ['students', 'staff', 'buildings'] as const) {
      const legacy = LEGACY_ROSTER_TABLES[kind];
      const current = ROSTER_TABLES[kind];
      if (!tables.has(legacy) || tables.has(current)) continue;
      if (!(await hasColumns(queryInterface, legacy, MODULE_COLUMNS[kind]))) continue;
      await queryInterface.renameTable(legacy, current);
      for (const index of ROSTER_INDEXES[kind]) {
        // Added before the old one goes: MySQL keeps a foreign key's column indexed throughout.
        await queryInterface.addIndex(current, index.columns, { unique: index.unique, name: `${current}${index.suffix}` });
        await queryInterface.removeIndex(current, `${legacy}${index.suffix}`);
      }
    }
  },
  async down() {},
};

async function tableNames(queryInterface: QueryInterface): Promise<string[]> {
  const tables = (await queryInterface.showAllTables()) as Array<string | { tableName: string }>;
  return tables.map((table) => (typeof table === 'string' ? table : table.tableName));
}

async function hasColumns(queryInterface: QueryInterface, table: string, columns: string[]): Promise<boolean> {
  const described = await queryInterface.describeTable(table);
  return columns.every((column) => column in described);
}
