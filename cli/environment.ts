import path from 'node:path';
import { Sequelize } from 'sequelize';
import { createMigrator } from '../migrations';
import { createOneRoster, type OneRoster } from '../server/create-oneroster';
import type { Logger } from '../server/logger';
import type { OneRosterOptions } from '../server/options';
import { CliExit, EXIT_CODES } from './exit-codes';
import { writeLine, type OutputStream } from './io';

/** Opens a Sequelize instance for `DATABASE_URL`; throws `CliExit` 3 when it is missing, malformed or unreachable. */
export async function openDatabase(env: Record<string, string | undefined>): Promise<Sequelize> {
  const url = env.DATABASE_URL?.trim();
  if (!url) throw configurationError('DATABASE_URL is not set (sqlite:<file> or mysql://user:password@host:3306/database).');
  const sequelize = sequelizeFor(url);
  try {
    await sequelize.authenticate();
  } catch (err) {
    await sequelize.close().catch(() => {});
    throw configurationError(`Cannot open the database ${redactUrl(url)}: ${(err as Error).message}`);
  }
  return sequelize;
}

/** Builds the module on the open database from the environment; throws `CliExit` 3 for a missing or bad setting. */
export function openModule(env: Record<string, string | undefined>, sequelize: Sequelize, logger: Logger): OneRoster {
  const encryptionKey = env.ONEROSTER_ENCRYPTION_KEY?.trim();
  if (!encryptionKey) throw configurationError('ONEROSTER_ENCRYPTION_KEY is not set (the same key the host app uses).');
  const options: OneRosterOptions = {
    sequelize,
    encryptionKey,
    logger,
    classlink: {
      ...(env.CLASSLINK_API_KEY ? { apiKey: env.CLASSLINK_API_KEY } : {}),
      ...(env.CLASSLINK_PROXY_URL ? { proxyUrl: env.CLASSLINK_PROXY_URL } : {}),
    },
    network: networkRules(env.ONEROSTER_ALLOW_HTTP),
  };
  try {
    return createOneRoster(options);
  } catch (err) {
    // The factory names the bad option; say which variable feeds it.
    throw configurationError(`${(err as Error).message} (check ONEROSTER_ENCRYPTION_KEY, CLASSLINK_PROXY_URL)`);
  }
}

/** Refuses to go on while migrations are pending: the tables the command reads may not exist yet. */
export async function requireMigrated(sequelize: Sequelize, logger: Logger): Promise<void> {
  const pending = await createMigrator(sequelize, logger).pending();
  if (pending.length > 0) {
    throw configurationError(`${pending.length} migration(s) pending (${pending.map((m) => m.name).join(', ')}). Run "oneroster migrate" first.`);
  }
}

/** A logger for the command: warnings and errors to stderr, the rest dropped (never secrets or records: the module guarantees that). */
export function createCliLogger(stderr: OutputStream): Logger {
  const write = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    writeLine(stderr, `[oneroster] ${level}: ${message}${meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : ''}`);
  return { debug: () => {}, info: () => {}, warn: write('warn'), error: write('error') };
}

/** `DATABASE_URL` with any password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

function sequelizeFor(url: string): Sequelize {
  const common = { logging: false as const };
  if (url.startsWith('sqlite:')) {
    // `sqlite:data/x.sqlite`, `sqlite:/abs/x.sqlite` and `sqlite:///abs/x.sqlite` all name a file.
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) throw configurationError('DATABASE_URL "sqlite:" needs a file, e.g. sqlite:data/oneroster.sqlite.');
    const storage = file === ':memory:' ? file : path.resolve(file);
    return new Sequelize({ ...common, dialect: 'sqlite', storage });
  }
  const mysql = /^(mysql|mariadb):\/\//.exec(url);
  if (mysql) {
    // mysql2 speaks to MariaDB too; the `mariadb` driver is not a dependency.
    return new Sequelize(url.replace(/^mariadb:/, 'mysql:'), { ...common, dialect: 'mysql' });
  }
  throw configurationError(`DATABASE_URL must start with sqlite: or mysql:// (got ${redactUrl(url)}).`);
}

function networkRules(allowHttp: string | undefined): OneRosterOptions['network'] {
  const value = allowHttp?.trim() || 'never';
  if (value === 'never') return {};
  if (value === 'loopback') return { allowHttp: 'loopback', allowLoopback: true };
  if (value === 'always') return { allowHttp: 'always' };
  throw configurationError(`ONEROSTER_ALLOW_HTTP must be never, loopback or always (got "${value}").`);
}

function configurationError(message: string): CliExit {
  return new CliExit(EXIT_CODES.configuration, message);
}
