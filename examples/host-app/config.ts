import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Everything `main.ts` reads from the environment, with the defaults filled in. */
export interface HostConfig {
  /** `NODE_ENV === 'production'`: no http provider URLs, no sandbox by default, secure cookies. */
  production: boolean;
  /** `PORT`. Defaults to 3000. */
  port: number;
  /** `DATABASE_URL`: `sqlite:<file>` or `mysql://user:pass@host/db`. Defaults to `sqlite:data/host-app.sqlite`. */
  databaseUrl: string;
  /** `SESSION_SECRET`. Defaults to a random one per start (sessions then end at restart). */
  sessionSecret: string;
  /** `ONEROSTER_ENCRYPTION_KEY`. Defaults to a key generated once into `data/encryption.key`. */
  encryptionKey: string;
  /** `CLASSLINK_API_KEY`. Defaults to the sandbox's key when the sandbox runs. */
  classlinkApiKey?: string;
  /** `CLASSLINK_PROXY_URL`. Defaults to the sandbox's ClassLink imitation when the sandbox runs. */
  classlinkProxyUrl?: string;
  /** `ONEROSTER_SANDBOX`, `SANDBOX_PORT`, `SANDBOX_STUDENTS`. On by default outside production. */
  sandbox: { enabled: boolean; port: number; students: number };
  /** Things a person should know about the defaults just taken (printed at start). */
  warnings: string[];
}

/** Where defaults live on disk; tests point it at a temporary folder. */
export interface ConfigPlaces {
  /** Folder for the SQLite file and the generated encryption key. Defaults to `./data`. */
  dataDir?: string;
}

/**
 * Reads the host's configuration from environment variables. Creates the data folder and, when
 * no key is given, a local encryption key kept across restarts (so saved provider secrets stay
 * readable). Throws an `Error` naming the variable when a value is unusable.
 */
export function loadHostConfig(env: NodeJS.ProcessEnv, places: ConfigPlaces = {}): HostConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(places.dataDir ?? 'data');
  const warnings: string[] = [];

  let databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    mkdirSync(dataDir, { recursive: true });
    databaseUrl = `sqlite:${path.join(dataDir, 'host-app.sqlite')}`;
  }

  let sessionSecret = env.SESSION_SECRET ?? '';
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('hex');
    warnings.push('SESSION_SECRET is not set: using a random one, so everyone is signed out at each restart.');
  }

  let encryptionKey = env.ONEROSTER_ENCRYPTION_KEY ?? '';
  if (!encryptionKey) {
    if (production) throw new Error('ONEROSTER_ENCRYPTION_KEY must be set in production (32 bytes as 64 hex characters).');
    encryptionKey = readOrCreateLocalKey(path.join(dataDir, 'encryption.key'));
    warnings.push(
      `ONEROSTER_ENCRYPTION_KEY is not set: using the local key in ${path.join(dataDir, 'encryption.key')}. ` +
        'Production must set its own key (and keep it: losing it makes saved provider secrets unreadable).',
    );
  }

  const sandboxDefault = !production;
  return {
    production,
    port: readInteger(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    sessionSecret,
    encryptionKey,
    classlinkApiKey: env.CLASSLINK_API_KEY || undefined,
    classlinkProxyUrl: env.CLASSLINK_PROXY_URL || undefined,
    sandbox: {
      enabled: readBoolean(env, 'ONEROSTER_SANDBOX', sandboxDefault),
      port: readInteger(env, 'SANDBOX_PORT', 4100, 0, 65535),
      students: readInteger(env, 'SANDBOX_STUDENTS', 2000, 0, 1_000_000),
    },
    warnings,
  };
}

/** Reads the key file, or writes a new random key there (owner-readable only) and returns it. */
function readOrCreateLocalKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${text}").`);
  }
  return value;
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (!text) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new Error(`${name} must be true or false (got "${text}").`);
}
