import { DataTypes } from 'sequelize';
import type { Migration } from './types';

const COLUMNS = ['created_at', 'started_at', 'finished_at', 'updated_at', 'decided_at'] as const;
const REQUIRED = new Set<string>(['created_at', 'updated_at']);

/**
 * Run times to the millisecond: MySQL's DATETIME keeps whole seconds, so every run's `durationMs`
 * came out a multiple of 1000 (and a decision time could read earlier than the run it decided).
 * SQLite stores the full ISO time already and is left alone. Listed after 0008, whose
 * `decided_at` it covers too.
 */
export const runTimesMs: Migration = {
  name: '0007c-run-times-ms',
  async up({ queryInterface, sequelize }) {
    if (sequelize.getDialect() === 'sqlite') return;
    for (const column of COLUMNS) {
      await queryInterface.changeColumn('oneroster_runs', column, { type: DataTypes.DATE(3), allowNull: !REQUIRED.has(column) });
    }
  },
  async down({ queryInterface, sequelize }) {
    if (sequelize.getDialect() === 'sqlite') return;
    for (const column of COLUMNS) {
      await queryInterface.changeColumn('oneroster_runs', column, { type: DataTypes.DATE, allowNull: !REQUIRED.has(column) });
    }
  },
};
