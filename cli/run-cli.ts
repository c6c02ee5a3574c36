import type { Sequelize } from 'sequelize';
import type { OneRoster } from '../server/create-oneroster';
import { OneRosterError } from '../server/domain/errors';
import { migrateCommand } from './commands/migrate';
import { runsCommand } from './commands/runs';
import { statusCommand } from './commands/status';
import { syncCommand } from './commands/sync';
import { testConnectionCommand } from './commands/test-connection';
import { createCliLogger, openDatabase, openModule, requireMigrated } from './environment';
import { CliExit, EXIT_CODES, type ExitCode } from './exit-codes';
import { writeLine, type CliIo } from './io';
import { HELP_TEXT, parseCommandLine, type CliCommand } from './usage';

/**
 * The `oneroster` command: parses `argv` (arguments after the script name), runs the command
 * against the database in `io.env`, writes to `io.stdout`/`io.stderr` and resolves with the exit
 * code. Never exits the process and never throws, so tests call it directly.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let command: CliCommand;
  try {
    command = parseCommandLine(argv);
  } catch (err) {
    writeLine(io.stderr, `oneroster: ${(err as Error).message}`);
    writeLine(io.stderr);
    io.stderr.write(HELP_TEXT);
    return EXIT_CODES.usage;
  }
  if (command.name === 'help') {
    io.stdout.write(HELP_TEXT);
    return EXIT_CODES.success;
  }
  try {
    return await execute(command, io);
  } catch (err) {
    const { code, message } = explainFailure(err);
    writeLine(io.stderr, `oneroster: ${message}`);
    return code;
  }
}

async function execute(command: Exclude<CliCommand, { name: 'help' }>, io: CliIo): Promise<ExitCode> {
  const logger = createCliLogger(io.stderr);
  const sequelize: Sequelize = await openDatabase(io.env);
  let oneroster: OneRoster | undefined;
  try {
    if (command.name === 'migrate') return await migrateCommand(sequelize, logger, io.stdout);
    await requireMigrated(sequelize, logger);
    oneroster = openModule(io.env, sequelize, logger);
    switch (command.name) {
      case 'status':
        return await statusCommand(oneroster, command.json, io.stdout);
      case 'runs':
        return await runsCommand(oneroster, command.limit, command.json, io.stdout);
      case 'test-connection':
        return await testConnectionCommand(oneroster, command.json, io.stdout);
      case 'sync-buildings':
        return await syncCommand(oneroster, { kind: 'buildings' }, command.json, io);
      case 'sync-users':
        return await syncCommand(oneroster, { kind: 'users', mode: command.mode, dryRun: command.dryRun }, command.json, io);
      default:
        return assertNever(command);
    }
  } finally {
    await oneroster?.close().catch(() => {});
    await sequelize.close().catch(() => {});
  }
}

function assertNever(command: never): never {
  throw new Error(`unhandled command ${JSON.stringify(command)}`);
}

/** Turns what a command threw into an exit code and one line for the operator. */
function explainFailure(err: unknown): { code: ExitCode; message: string } {
  if (err instanceof CliExit) return { code: err.exitCode, message: err.message };
  if (err instanceof OneRosterError) {
    if (err.code === 'sync_in_progress') {
      const runId = (err.details as { runId?: number } | undefined)?.runId;
      return { code: EXIT_CODES.busy, message: `${err.message}${runId ? ` (run #${runId})` : ''}` };
    }
    if (err.code === 'not_configured' || err.code === 'buildings_not_synced') {
      return { code: EXIT_CODES.configuration, message: `${err.message} (${err.code})` };
    }
    return { code: EXIT_CODES.failed, message: `${err.message} (${err.code})` };
  }
  return { code: EXIT_CODES.failed, message: `unexpected error: ${err instanceof Error ? err.message : String(err)}` };
}
