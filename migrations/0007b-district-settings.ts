import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * The district's own settings on the automation row: the Grade Level Matrix (incoming grade →
 * district label), whether the building sync creates "district office" buildings for non-school
 * orgs people belong to (on by default), and the admin's org → existing building mapping.
 */
export const districtSettings: Migration = {
  name: '0007b-district-settings',
  async up({ queryInterface }) {
    await queryInterface.addColumn('oneroster_automation', 'grade_matrix', { type: DataTypes.TEXT, allowNull: true });
    await queryInterface.addColumn('oneroster_automation', 'district_offices', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true });
    await queryInterface.addColumn('oneroster_automation', 'org_buildings', { type: DataTypes.TEXT, allowNull: true });
  },
  async down({ queryInterface }) {
    await queryInterface.removeColumn('oneroster_automation', 'org_buildings');
    await queryInterface.removeColumn('oneroster_automation', 'district_offices');
    await queryInterface.removeColumn('oneroster_automation', 'grade_matrix');
  },
};
