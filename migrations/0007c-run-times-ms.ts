import { DataTypes } from 'sequelize';
import type { Migration } from './types';

const COLUMNS = ['created_at', 'started_at', 'finished_at', 'updated_at'] as const;

/**
 * Run times to the millisecond: MySQL's DATETIME keeps whole seconds, so every run's `durationMs`
 * came out a multiple of 1000. SQLite stores the full ISO time already and is left alone.
 */
export const runTimesMs: Migration = {
  name: '0007c-run-times-ms',
  async up({ queryInterface, sequelize }) {
    if (sequelize.getDialect() === 'sqlite') return;
    for (const column of COLUMNS) {
      await queryInterface.changeColumn('oneroster_runs', column, { type: DataTypes.DATE(3), allowNull: column === 'started_at' || column === 'finished_at' });
    }
  },
  async down({ queryInterface, sequelize }) {
    if (sequelize.getDialect() === 'sqlite') return;
    for (const column of COLUMNS) {
      await queryInterface.changeColumn('oneroster_runs', column, { type: DataTypes.DATE, allowNull: column === 'started_at' || column === 'finished_at' });
    }
  },
};
