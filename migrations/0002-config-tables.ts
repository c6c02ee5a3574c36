import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * Provider configuration (one row per installation; the secret encrypted, never in clear) and
 * the audit log of configuration changes.
 */
export const configTables: Migration = {
  name: '0002-config-tables',
  async up({ queryInterface }) {
    await queryInterface.createTable('oneroster_config', {
      id: { type: DataTypes.INTEGER, primaryKey: true },
      provider: { type: DataTypes.STRING(32), allowNull: false },
      settings: { type: DataTypes.TEXT, allowNull: false },
      encrypted_secret: { type: DataTypes.TEXT, allowNull: true },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      last_test: { type: DataTypes.TEXT, allowNull: true },
      updated_by_id: { type: DataTypes.STRING(255), allowNull: true },
      updated_by_name: { type: DataTypes.STRING(255), allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.createTable('oneroster_audit_events', {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      action: { type: DataTypes.STRING(64), allowNull: false },
      actor_id: { type: DataTypes.STRING(255), allowNull: true },
      actor_name: { type: DataTypes.STRING(255), allowNull: true },
      details: { type: DataTypes.TEXT, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('oneroster_audit_events', ['created_at'], { name: 'oneroster_audit_events_created_at' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('oneroster_audit_events');
    await queryInterface.dropTable('oneroster_config');
  },
};
