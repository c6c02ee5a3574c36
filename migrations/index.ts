import type { Sequelize } from 'sequelize';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Logger } from '../server/logger';
import type { MigrationContext, Migration } from './types';
import { rosterTables } from './0001-roster-tables';
import { configTables } from './0002-config-tables';
import { syncTables } from './0003-sync-tables';
import { automationTables } from './0004-automation-tables';
import { ownRosterTableNames } from './0005-own-roster-table-names';
import { utf8mb4Tables } from './0006-utf8mb4';
import { stopAndHeal } from './0006b-stop-and-heal';
import { personIdentity } from './0007-person-identity';
import { districtSettings } from './0007b-district-settings';
import { runTimesMs } from './0007c-run-times-ms';
import { consoleColumns } from './0008-console-columns';
import { districtKey } from './0009-district-key';
import { districtActiveIndex } from './0010-district-active-index';

/**
 * Every migration, in order. An explicit list (no glob) so bundlers and reviewers see them all.
 * `0007c` comes after `0008` on purpose: it gives 0008's `decided_at` milliseconds too.
 */
export const migrations: readonly Migration[] = [
  rosterTables,
  configTables,
  syncTables,
  automationTables,
  ownRosterTableNames,
  utf8mb4Tables,
  stopAndHeal,
  personIdentity,
  districtSettings,
  consoleColumns,
  runTimesMs,
  districtKey,
  districtActiveIndex,
];

/** The table where applied migrations are recorded, apart from the host's own migration table. */
export const MIGRATION_TABLE = 'oneroster_migrations';

/** An umzug migrator over the module's migrations, recording them in `oneroster_migrations`. */
export function createMigrator(sequelize: Sequelize, logger: Logger): Umzug<MigrationContext> {
  return new Umzug<MigrationContext>({
    migrations: migrations.map((migration) => ({
      name: migration.name,
      up: ({ context }) => migration.up(context),
      down: ({ context }) => migration.down(context),
    })),
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: MIGRATION_TABLE }),
    logger: {
      info: (event) => logger.info('migration', event as Record<string, unknown>),
      warn: (event) => logger.warn('migration', event as Record<string, unknown>),
      error: (event) => logger.error('migration', event as Record<string, unknown>),
      debug: () => {},
    },
  });
}
