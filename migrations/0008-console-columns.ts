import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * The admin console's facts about runs: who approved or cancelled a held run and when, how long
 * it waited (so its duration leaves the wait out), which newer run superseded it, and the active
 * student and staff counts after it (the Automation Status chart). Issues gain the record's name,
 * number and school so an admin can act on them without looking a sourcedId up.
 */
export const consoleColumns: Migration = {
  name: '0008-console-columns',
  async up({ queryInterface }) {
    await queryInterface.addColumn('oneroster_runs', 'decision', { type: DataTypes.STRING(16), allowNull: true });
    await queryInterface.addColumn('oneroster_runs', 'decided_by_id', { type: DataTypes.STRING(64), allowNull: true });
    await queryInterface.addColumn('oneroster_runs', 'decided_by_name', { type: DataTypes.STRING(255), allowNull: true });
    await queryInterface.addColumn('oneroster_runs', 'decided_at', { type: DataTypes.DATE, allowNull: true });
    await queryInterface.addColumn('oneroster_runs', 'held_ms', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
    await queryInterface.addColumn('oneroster_runs', 'superseded_by_run_id', { type: DataTypes.INTEGER, allowNull: true });
    await queryInterface.addColumn('oneroster_runs', 'active_after', { type: DataTypes.STRING(255), allowNull: true });
    await queryInterface.addColumn('oneroster_run_issues', 'record_name', { type: DataTypes.STRING(255), allowNull: true });
    await queryInterface.addColumn('oneroster_run_issues', 'record_number', { type: DataTypes.STRING(255), allowNull: true });
    await queryInterface.addColumn('oneroster_run_issues', 'record_school', { type: DataTypes.STRING(255), allowNull: true });
  },
  async down({ queryInterface }) {
    for (const column of ['record_school', 'record_number', 'record_name']) await queryInterface.removeColumn('oneroster_run_issues', column);
    for (const column of ['active_after', 'superseded_by_run_id', 'held_ms', 'decided_at', 'decided_by_name', 'decided_by_id', 'decision']) {
      await queryInterface.removeColumn('oneroster_runs', column);
    }
  },
};
