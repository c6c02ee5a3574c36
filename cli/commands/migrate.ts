import type { Sequelize } from 'sequelize';
import { createMigrator } from '../../migrations';
import type { Logger } from '../../server/logger';
import { EXIT_CODES, type ExitCode } from '../exit-codes';
import { writeLine, type OutputStream } from '../io';

/** `oneroster migrate`: applies pending migrations and names each one; needs no encryption key. */
export async function migrateCommand(sequelize: Sequelize, logger: Logger, stdout: OutputStream): Promise<ExitCode> {
  const applied = await createMigrator(sequelize, logger).up();
  if (applied.length === 0) {
    writeLine(stdout, 'Migrations: already up to date.');
  } else {
    for (const migration of applied) writeLine(stdout, `Applied ${migration.name}`);
    writeLine(stdout, `Migrations: ${applied.length} applied, up to date.`);
  }
  return EXIT_CODES.success;
}
