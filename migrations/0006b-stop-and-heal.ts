import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from './types';

/** The claims half of this migration (the scheduler's tests build only the automation tables). */
export async function addClaimExpiry(queryInterface: QueryInterface): Promise<void> {
  // Epoch milliseconds by the database's clock, like the lease.
  await queryInterface.addColumn('oneroster_schedule_claims', 'expires_at_ms', { type: DataTypes.BIGINT, allowNull: true });
}

/**
 * Runs you can stop and claims that heal: the lease row carries a stop request for the run it
 * holds (a cancel or a disable from any server), and a daily claim carries its own expiry, renewed
 * while its server runs the day, so a claim whose server died can be recognised and retried.
 */
export const stopAndHeal: Migration = {
  name: '0006b-stop-and-heal',
  async up({ queryInterface }) {
    await queryInterface.addColumn('oneroster_sync_lease', 'stop_requested', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
    await addClaimExpiry(queryInterface);
  },
  async down({ queryInterface }) {
    await queryInterface.removeColumn('oneroster_schedule_claims', 'expires_at_ms');
    await queryInterface.removeColumn('oneroster_sync_lease', 'stop_requested');
  },
};
