import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * The default roster tables this migration alters. One constant, so a rename of those tables
 * (issue 13's `oneroster_students` / `oneroster_staff`) is a one-line change here.
 */
export const IDENTITY_PERSON_TABLES = { students: 'oneroster_students', staff: 'oneroster_staff' } as const;

/**
 * Person identity beyond sourcedId, and the district's grade and org settings:
 * - `natural_key` on students and staff: the provider's id of the human (e.g. Ed-Fi's
 *   studentUniqueId), so several records of one person, or a transfer's new record, find the
 *   row they belong to;
 * - on staging, the natural key and what ranks a record within its person (primary role, then
 *   most recent enrolment), plus the folded name that tells two different people apart.
 */
export const personIdentity: Migration = {
  name: '0007-person-identity',
  async up({ queryInterface }) {
    for (const table of Object.values(IDENTITY_PERSON_TABLES)) {
      await queryInterface.addColumn(table, 'natural_key', { type: DataTypes.STRING(255).BINARY, allowNull: true });
      await queryInterface.addIndex(table, ['natural_key'], { name: `${table}_natural_key` });
    }
    await queryInterface.addColumn('oneroster_staging', 'natural_key', { type: DataTypes.STRING(255).BINARY, allowNull: true });
    await queryInterface.addColumn('oneroster_staging', 'identity_rank', { type: DataTypes.STRING(64), allowNull: true });
    await queryInterface.addColumn('oneroster_staging', 'identity_name', { type: DataTypes.STRING(255), allowNull: true });
    await queryInterface.addIndex('oneroster_staging', ['run_id', 'kind', 'natural_key'], { name: 'oneroster_staging_natural_key' });
  },
  async down({ queryInterface }) {
    await queryInterface.removeIndex('oneroster_staging', 'oneroster_staging_natural_key');
    for (const column of ['identity_name', 'identity_rank', 'natural_key']) await queryInterface.removeColumn('oneroster_staging', column);
    for (const table of Object.values(IDENTITY_PERSON_TABLES)) {
      await queryInterface.removeIndex(table, `${table}_natural_key`);
      await queryInterface.removeColumn(table, 'natural_key');
    }
  },
};
