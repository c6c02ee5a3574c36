import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * Daily automation: the settings (one row) and the scheduler's claims. A claim's primary key is
 * the slot (local date, time and timezone), so when several servers fire at the same moment only
 * one INSERT succeeds and only that server runs the day's sync.
 */
export const automationTables: Migration = {
  name: '0004-automation-tables',
  async up({ queryInterface }) {
    await queryInterface.createTable('oneroster_automation', {
      id: { type: DataTypes.INTEGER, primaryKey: true },
      student_import: { type: DataTypes.BOOLEAN, allowNull: false },
      staff_import: { type: DataTypes.BOOLEAN, allowNull: false },
      daily_time: { type: DataTypes.STRING(5), allowNull: false },
      timezone: { type: DataTypes.STRING(64), allowNull: false },
      full_sync_every: { type: DataTypes.INTEGER, allowNull: false },
      paused: { type: DataTypes.BOOLEAN, allowNull: false },
      deactivate_missing: { type: DataTypes.BOOLEAN, allowNull: false },
      updated_by: { type: DataTypes.STRING(255), allowNull: true },
      updated_by_name: { type: DataTypes.STRING(255), allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });

    await queryInterface.createTable('oneroster_schedule_claims', {
      slot_key: { type: DataTypes.STRING(128), primaryKey: true },
      scheduled_for: { type: DataTypes.DATE, allowNull: false },
      claimed_by: { type: DataTypes.STRING(255), allowNull: false },
      claimed_at: { type: DataTypes.DATE, allowNull: false },
      outcome: { type: DataTypes.STRING(32), allowNull: false },
      error_code: { type: DataTypes.STRING(64), allowNull: true },
      error_message: { type: DataTypes.STRING(1000), allowNull: true },
      building_run_id: { type: DataTypes.INTEGER, allowNull: true },
      user_run_id: { type: DataTypes.INTEGER, allowNull: true },
      finished_at: { type: DataTypes.DATE, allowNull: true },
    });
    await queryInterface.addIndex('oneroster_schedule_claims', ['claimed_at'], { name: 'oneroster_schedule_claims_claimed_at' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('oneroster_schedule_claims');
    await queryInterface.dropTable('oneroster_automation');
  },
};
