import { DataTypes } from 'sequelize';
import type { Migration } from './types';

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

/**
 * Columns students and staff share; each adds its own number and kind-specific fields. A function:
 * Sequelize adapts data type instances to the dialect in place, so they must not be shared.
 */
const personColumns = () => ({
  id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
  // Binary collation: sourcedIds are case-sensitive keys, and MySQL's default collation is not.
  sourced_id: { type: DataTypes.STRING(255).BINARY, allowNull: true },
  first_name: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
  middle_name: { type: DataTypes.STRING(255), allowNull: true },
  last_name: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
  preferred_first_name: { type: DataTypes.STRING(255), allowNull: true },
  email: { type: DataTypes.STRING(320), allowNull: true },
  username: { type: DataTypes.STRING(255), allowNull: true },
  building_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'buildings', key: 'id' } },
  enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  deactivated_at: { type: DataTypes.DATE, allowNull: true },
  last_synced_at: { type: DataTypes.DATE, allowNull: true },
  // Hash of the synced fields: an unchanged person costs a comparison on a re-sync, not a write.
  sync_hash: { type: DataTypes.STRING(32), allowNull: true },
});

/**
 * The roster tables the default store writes: what the Manage1to1 host calls buildings, students
 * and staff. A host with its own tables plugs its own store instead and may skip nothing here:
 * these tables are then simply unused.
 */
export const rosterTables: Migration = {
  name: '0001-roster-tables',
  async up({ queryInterface }) {
    await queryInterface.createTable('buildings', {
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
    await queryInterface.addIndex('buildings', ['sis_id'], { unique: true, name: 'buildings_sis_id_unique' });

    await queryInterface.createTable('students', {
      ...personColumns(),
      student_number: { type: DataTypes.STRING(255), allowNull: true },
      grade: { type: DataTypes.STRING(16), allowNull: true },
      ...timestamps,
    });
    await queryInterface.addIndex('students', ['sourced_id'], { unique: true, name: 'students_sourced_id_unique' });
    await queryInterface.addIndex('students', ['student_number'], { name: 'students_student_number' });
    await queryInterface.addIndex('students', ['building_id'], { name: 'students_building_id' });
    await queryInterface.addIndex('students', ['active'], { name: 'students_active' });

    await queryInterface.createTable('staff', {
      ...personColumns(),
      staff_number: { type: DataTypes.STRING(255), allowNull: true },
      role: { type: DataTypes.STRING(64), allowNull: true },
      ...timestamps,
    });
    await queryInterface.addIndex('staff', ['sourced_id'], { unique: true, name: 'staff_sourced_id_unique' });
    await queryInterface.addIndex('staff', ['staff_number'], { name: 'staff_staff_number' });
    await queryInterface.addIndex('staff', ['building_id'], { name: 'staff_building_id' });
    await queryInterface.addIndex('staff', ['active'], { name: 'staff_active' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('staff');
    await queryInterface.dropTable('students');
    await queryInterface.dropTable('buildings');
  },
};
