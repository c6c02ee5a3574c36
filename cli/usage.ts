import { parseArgs } from 'node:util';
import { CliExit, EXIT_CODES } from './exit-codes';
import type { RunMode } from '../server/domain/contract';

/** The help text: commands, options, environment and exit codes. */
export const HELP_TEXT = `Usage: oneroster <command> [options]

Operator commands for @manage1to1/oneroster (the same database and key as the host app).

Commands:
  migrate                          Apply the module's database migrations (table oneroster_migrations)
  test-connection                  Test the saved provider configuration (authenticate, read schools)
  sync buildings                   Sync schools into buildings and wait for the run to end
  sync users [--mode full|delta] [--dry-run]
                                   Sync students and staff and wait for the run to end
  runs [--limit N]                 List the latest sync runs, newest first (default 20, at most 200)
  status                           Show the configuration, the last test and the last syncs
  help                             Show this text

Options:
  --mode full|delta                User sync: full pull (default) or only what changed
  --dry-run                        User sync: plan only, change nothing
  --limit N                        runs: how many to list
  --json                           Print JSON instead of text (status, runs, test-connection, sync)
  -h, --help                       Show this text

Environment:
  DATABASE_URL                     sqlite:<file> or mysql://user:password@host:3306/database (required)
  ONEROSTER_ENCRYPTION_KEY         The host's key for saved provider secrets (required except for migrate)
  CLASSLINK_API_KEY                The vendor's ClassLink API key (ClassLink configurations)
  CLASSLINK_PROXY_URL              ClassLink's OneRoster proxy (default https://oneroster-proxy.classlink.io)
  ONEROSTER_ALLOW_HTTP             never (default), loopback (http:// to this machine only) or always

Exit codes:
  0  success            1  the run or the test failed      2  usage error
  3  configuration error (missing environment, migrations pending, not configured, buildings not synced)
  4  held for approval by the mass-deactivation safeguard   5  another sync is running
`;

/** A command line, parsed and checked. */
export type CliCommand =
  | { name: 'help' }
  | { name: 'migrate' }
  | { name: 'test-connection'; json: boolean }
  | { name: 'sync-buildings'; json: boolean }
  | { name: 'sync-users'; json: boolean; mode: RunMode; dryRun: boolean }
  | { name: 'runs'; json: boolean; limit: number }
  | { name: 'status'; json: boolean };

/** Parses argv (without `node` and the script) into a command; throws `CliExit` 2 on a usage error. */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        mode: { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return { name: 'help' };
  if (!name) throw usageError('Name a command.');

  const json = values.json === true;
  const allow = (command: string, ...allowed: Array<'json' | 'dry-run' | 'mode' | 'limit'>) => {
    for (const option of ['json', 'dry-run', 'mode', 'limit'] as const) {
      if (values[option] !== undefined && !allowed.includes(option)) {
        throw usageError(`--${option} does not apply to "${command}".`);
      }
    }
  };
  const noMorePositionals = (command: string, expected: number) => {
    if (rest.length > expected) throw usageError(`Unexpected argument "${rest[expected]}" after "${command}".`);
  };

  switch (name) {
    case 'migrate':
      allow(name);
      noMorePositionals(name, 0);
      return { name: 'migrate' };
    case 'test-connection':
      allow(name, 'json');
      noMorePositionals(name, 0);
      return { name: 'test-connection', json };
    case 'status':
      allow(name, 'json');
      noMorePositionals(name, 0);
      return { name: 'status', json };
    case 'runs':
      allow(name, 'json', 'limit');
      noMorePositionals(name, 0);
      return { name: 'runs', json, limit: parseLimit(values.limit) };
    case 'sync': {
      const what = rest[0];
      noMorePositionals(`sync ${what ?? ''}`.trim(), 1);
      if (what === 'buildings') {
        allow('sync buildings', 'json');
        return { name: 'sync-buildings', json };
      }
      if (what === 'users') {
        allow('sync users', 'json', 'dry-run', 'mode');
        return { name: 'sync-users', json, mode: parseMode(values.mode), dryRun: values['dry-run'] === true };
      }
      throw usageError(what ? `Unknown sync "${what}": say "sync buildings" or "sync users".` : 'Say "sync buildings" or "sync users".');
    }
    default:
      throw usageError(`Unknown command "${name}".`);
  }
}

function parseMode(text: string | undefined): RunMode {
  if (text === undefined || text === 'full') return 'full';
  if (text === 'delta') return 'delta';
  throw usageError(`--mode must be full or delta (got "${text}").`);
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 20;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > 200) throw usageError(`--limit must be a whole number from 1 to 200 (got "${text}").`);
  return limit;
}

function usageError(message: string): CliExit {
  return new CliExit(EXIT_CODES.usage, message);
}
