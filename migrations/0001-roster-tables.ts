import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from './types';
import { ROSTER_INDEXES, ROSTER_TABLES, type RosterTableKind } from './roster-table-names';

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

/**
 * Columns students and staff share; each adds its own number and kind-specific fields. A function:
 * Sequelize adapts data type instances to the dialect in place, so they must not be shared.
 */
const personColumns = (buildingsTable: string) => ({
  id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
  // Binary collation: sourcedIds are case-sensitive keys, and MySQL's default collation is not.
  sourced_id: { type: DataTypes.STRING(255).BINARY, allowNull: true },
  first_name: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
  middle_name: { type: DataTypes.STRING(255), allowNull: true },
  last_name: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
  preferred_first_name: { type: DataTypes.STRING(255), allowNull: true },
  email: { type: DataTypes.STRING(320), allowNull: true },
  username: { type: DataTypes.STRING(255), allowNull: true },
  building_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: buildingsTable, key: 'id' } },
  enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  deactivated_at: { type: DataTypes.DATE, allowNull: true },
  last_synced_at: { type: DataTypes.DATE, allowNull: true },
  // Hash of the synced fields: an unchanged person costs a comparison on a re-sync, not a write.
  sync_hash: { type: DataTypes.STRING(32), allowNull: true },
});

/**
 * Creates the three roster tables and their indexes under `names` (index names follow the table
 * names). Shared with tests, which build a database as releases before 0005 left it.
 */
export async function createRosterTables(queryInterface: QueryInterface, names: Record<RosterTableKind, string>): Promise<void> {
  const { buildings: B, students: S, staff: T } = names;
  await queryInterface.createTable(B, {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    sis_id: { type: DataTypes.STRING(255).BINARY, allowNull: true },
    name: { type: DataTypes.STRING(255), allowNull: false },
    identifier: { type: DataTypes.STRING(255), allowNull: true },
    source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'manual' },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    deactivated_at: { type: DataTypes.DATE, allowNull: true },
    last_synced_at: { type: DataTypes.DATE, allowNull: true },
    sync_hash: { type: DataTypes.STRING(32), allowNull: true },
    ...timestamps,
  });

  await queryInterface.createTable(S, {
    ...personColumns(B),
    student_number: { type: DataTypes.STRING(255), allowNull: true },
    grade: { type: DataTypes.STRING(16), allowNull: true },
    ...timestamps,
  });

  await queryInterface.createTable(T, {
    ...personColumns(B),
    staff_number: { type: DataTypes.STRING(255), allowNull: true },
    role: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  for (const kind of Object.keys(ROSTER_INDEXES) as RosterTableKind[]) {
    const table = names[kind];
    for (const index of ROSTER_INDEXES[kind]) {
      await queryInterface.addIndex(table, index.columns, { unique: index.unique, name: `${table}${index.suffix}` });
    }
  }
}

/**
 * The roster tables the default store writes, under names of the module's own
 * (`oneroster_buildings`, `oneroster_students`, `oneroster_staff`): a host such as Manage1to1 has
 * its own `buildings`, `students` and `staff`, which the module must never create, alter or drop.
 * A host that plugs in its own `rosterStore` leaves these tables empty. (Releases before 0005 named
 * them `buildings`, `students`, `staff`; `0005-own-roster-table-names` renames those.)
 */
export const rosterTables: Migration = {
  name: '0001-roster-tables',
  async up({ queryInterface }) {
    await createRosterTables(queryInterface, ROSTER_TABLES);
  },
  async down({ queryInterface }) {
    const { buildings: B, students: S, staff: T } = ROSTER_TABLES;
    await queryInterface.dropTable(T);
    await queryInterface.dropTable(S);
    await queryInterface.dropTable(B);
  },
};
