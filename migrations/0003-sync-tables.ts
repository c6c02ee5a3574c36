import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * Sync runs and their issues, the one-row sync lease (one sync at a time per installation, across
 * processes and servers), and the staging area a run pulls into before it changes anything.
 */
export const syncTables: Migration = {
  name: '0003-sync-tables',
  async up({ queryInterface }) {
    await queryInterface.createTable('oneroster_runs', {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      // Not `trigger`: a reserved word in MySQL.
      run_trigger: { type: DataTypes.STRING(16), allowNull: false },
      requested_by_id: { type: DataTypes.STRING(64), allowNull: true },
      requested_by_name: { type: DataTypes.STRING(255), allowNull: true },
      mode: { type: DataTypes.STRING(8), allowNull: false },
      dry_run: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      phase: { type: DataTypes.STRING(16), allowNull: false },
      processed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      total: { type: DataTypes.INTEGER, allowNull: true },
      counts: { type: DataTypes.TEXT, allowNull: true },
      plan: { type: DataTypes.TEXT, allowNull: true },
      error_code: { type: DataTypes.STRING(64), allowNull: true },
      error_message: { type: DataTypes.TEXT, allowNull: true },
      issue_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      // The newest applied run when this one planned: a held plan is outdated once another applies.
      baseline_run_id: { type: DataTypes.INTEGER, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      started_at: { type: DataTypes.DATE, allowNull: true },
      finished_at: { type: DataTypes.DATE, allowNull: true },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('oneroster_runs', ['kind', 'status'], { name: 'oneroster_runs_kind_status' });
    await queryInterface.addIndex('oneroster_runs', ['status'], { name: 'oneroster_runs_status' });

    await queryInterface.createTable('oneroster_run_issues', {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      run_id: { type: DataTypes.INTEGER, allowNull: false },
      sourced_id: { type: DataTypes.STRING(255), allowNull: true },
      code: { type: DataTypes.STRING(64), allowNull: false },
      message: { type: DataTypes.STRING(1000), allowNull: false },
    });
    await queryInterface.addIndex('oneroster_run_issues', ['run_id', 'id'], { name: 'oneroster_run_issues_run' });

    await queryInterface.createTable('oneroster_sync_lease', {
      id: { type: DataTypes.INTEGER, primaryKey: true },
      holder_id: { type: DataTypes.STRING(128), allowNull: true },
      run_id: { type: DataTypes.INTEGER, allowNull: true },
      // Epoch milliseconds: compares the same way on every database, whatever its date handling.
      expires_at_ms: { type: DataTypes.BIGINT, allowNull: true },
    });
    await queryInterface.bulkInsert('oneroster_sync_lease', [{ id: 1, holder_id: null, run_id: null, expires_at_ms: null }]);

    // One row per record a run saw (and per record it plans to deactivate). The key doubles as
    // the dedupe for records a provider sends twice, and as the order the plan is applied in.
    await queryInterface.createTable('oneroster_staging', {
      run_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      kind: { type: DataTypes.STRING(16), allowNull: false, primaryKey: true },
      sourced_id: { type: DataTypes.STRING(255).BINARY, allowNull: false, primaryKey: true },
      action: { type: DataTypes.STRING(16), allowNull: false },
      target_id: { type: DataTypes.INTEGER, allowNull: true },
      disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      payload: { type: DataTypes.TEXT, allowNull: true },
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('oneroster_staging');
    await queryInterface.dropTable('oneroster_sync_lease');
    await queryInterface.dropTable('oneroster_run_issues');
    await queryInterface.dropTable('oneroster_runs');
  },
};
