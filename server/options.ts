import Joi from 'joi';
import type { Request } from 'express';
import type { Sequelize } from 'sequelize';
import { DEFAULT_DISTRICT } from './domain/district';
import type { Logger } from './logger';
import { ROSTER_STORE_METHODS, type RosterStore } from './store/roster-store';
import type { RunView } from './domain/contract';

/** The signed-in person as the module sees them: only what it records in history and audit. */
export interface OneRosterUser {
  /** The host's user id, recorded on runs and audit events. */
  id: string | number;
  /** A display name for history ("who"). */
  name?: string;
}

/** Where time comes from; tests pass a controllable one. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** Every setting the host gives `createOneRoster`. Checked once, at creation. */
export interface OneRosterOptions {
  /** The host's Sequelize 6 instance (MySQL/MariaDB in production, SQLite embedded). Required. */
  sequelize: Sequelize;
  /**
   * Key that encrypts provider secrets at rest (AES-256-GCM): 32 bytes as 64 hex characters or
   * as base64. Required.
   */
  encryptionKey: string;
  /** ClassLink vendor settings. Defaults to no API key (ClassLink then cannot be configured). */
  classlink?: {
    /** The vendor's ClassLink OneRoster API key. Defaults to none. */
    apiKey?: string;
    /** ClassLink's OneRoster proxy. Defaults to `https://oneroster-proxy.classlink.io`. */
    proxyUrl?: string;
  };
  /** Who is signed in. Defaults to passport's `req.user` (no user → 401). */
  currentUser?: (req: Request) => OneRosterUser | null | undefined;
  /**
   * Whether that user holds *Manage Settings* (no → 403). Defaults to
   * `user.permissions` containing `"manage_settings"`.
   */
  canManageSettings?: (user: OneRosterUser, req: Request) => boolean | Promise<boolean>;
  /** Structured logger. Defaults to `console` for warn/error and silence for debug/info. */
  logger?: Logger;
  /** Time source. Defaults to the system clock. */
  clock?: Clock;
  /**
   * Where people and buildings are written: every `RosterStore` method must be present (checked at
   * creation). Defaults to the module's own Sequelize tables (`oneroster_buildings`, …).
   */
  rosterStore?: RosterStore;
  /** Provider URL rules (SSRF protection). Defaults to https only, public addresses only. */
  network?: {
    /**
     * Allow `http:` provider URLs: `never`, `loopback` (127.0.0.0/8, ::1, localhost) or `always`.
     * `loopback` also allows loopback hosts (as if `allowLoopback: true`); combining it with an
     * explicit `allowLoopback: false` is refused at creation. Defaults to `never`.
     */
    allowHttp?: 'never' | 'loopback' | 'always';
    /** Allow provider hosts on loopback addresses. Defaults to false (true when `allowHttp` is `loopback`). */
    allowLoopback?: boolean;
    /**
     * Allow provider hosts on private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7).
     * Defaults to false. Unspecified (0.0.0.0, `::`), link-local (169.254/16, the metadata
     * service; fe80::/10), special-purpose (192.0.0.0/24, 198.18/15, fec0::/10), multicast and
     * reserved addresses, also inside mapped, NAT64 and 6to4 IPv6, are refused whatever this says.
     */
    allowPrivate?: boolean;
  };
  /** Provider HTTP behaviour. */
  http?: {
    /** Per-request timeout in ms. Defaults to 30000. */
    timeoutMs?: number;
    /** Retries for 429, 5xx and network errors. Defaults to 5. */
    maxRetries?: number;
    /** First backoff delay in ms (doubles, with jitter); at most `retryMaxMs`. Defaults to 500. */
    retryBaseMs?: number;
    /** Longest single backoff delay in ms. Defaults to 30000. */
    retryMaxMs?: number;
    /** Records asked for per page. Defaults to 1000. */
    pageSize?: number;
    /** Most pages read from one endpoint before the pull is called incomplete. Defaults to 100000. */
    maxPages?: number;
    /**
     * Page requests in flight at once per endpoint (1 reads one page at a time). Defaults to 4.
     * Answers may arrive in any order; completeness checks are the same as a serial read. A 429 or
     * 503 halves it for the rest of the pull, and a `RateLimit-Remaining` running low narrows it.
     * Infinite Campus asks for at most 5 concurrent requests and for large pulls off-peak, so the
     * module never uses more than 5 with it; set 1 if syncs must run during school hours.
     */
    concurrency?: number;
  };
  /**
   * Caps on one run, so a provider that repeats a page or never ends its feed cannot run (and hold
   * the sync lease) forever. A run over a cap ends `failed` with `run_time_limit`, `page_limit` or
   * `staged_row_limit`, having changed nothing it had not fully applied.
   */
  runLimits?: {
    /** Longest one run may take, pull and apply, in ms. Defaults to 6 hours. */
    maxRunMs?: number;
    /**
     * Most records one run may stage. Defaults to 5 × the people on the roster when the run starts,
     * at least 2000000 (a first sync starts from an empty roster; a district grows, but not
     * fivefold overnight).
     */
    maxStagedRows?: number;
    /**
     * Most pages one run may read, every list together. Defaults to 10 × the staged-row cap ÷
     * `http.pageSize` (room for providers that send fewer rows than asked), at least 1000.
     */
    maxPages?: number;
  };
  /** Mass-deactivation safeguard. */
  safeguard?: {
    /** Share of a kind's active records that may be deactivated without an approval. Defaults to 0.1. */
    maxDeactivationRatio?: number;
    /** Deactivations always allowed without an approval, whatever the ratio. Defaults to 25. */
    minDeactivations?: number;
  };
  /** OneRoster roles imported as staff. Defaults to teacher, aide, administrator roles, counselor, principal, proctor. */
  staffRoles?: string[];
  /**
   * How records of one person are recognised when their sourcedIds differ (Ed-Fi sends one record
   * per school enrolment, Infinite Campus 1.1 one per role; a transfer gives a new sourcedId): an
   * ordered list of sources, the first one a record has being its natural key. `identifier` is the
   * OneRoster `identifier`; `userIds:<type>` a `userIds` entry of that type (Ed-Fi's
   * `metadata.edfi.naturalKey` entries count as `userIds`). An empty list turns matching by natural
   * key off. Defaults to `['userIds:studentUniqueId', 'userIds:staffUniqueId', 'identifier']`.
   */
  naturalKey?: string[];
  /**
   * How far before the last run's start a delta pull reaches back, in ms: a safety overlap for clock
   * skew between this server and the provider (a record stamped by a clock running behind is still
   * caught; records seen twice are simply unchanged). Defaults to 600000 (10 minutes).
   */
  deltaOverlapMs?: number;
  /** Default IANA timezone of the daily automation. Defaults to `UTC`. */
  timezone?: string;
  /** How long a sync lease lives without a heartbeat, in ms. Defaults to 60000. */
  leaseTtlMs?: number;
  /** A missed daily run is caught up at start-up when it is at most this old, in ms. Defaults to 6 hours. */
  missedRunWindowMs?: number;
  /** Most issues kept on one run. Defaults to 1000. */
  maxRunIssues?: number;
  /**
   * Called after every run ends (succeeded, failed, held, cancelled). Errors it throws are logged.
   * A held run waits for an admin, so tell them, e.g.:
   *
   * ```ts
   * onRunFinished: async (run) => {
   *   if (run.status !== 'held') return;
   *   const planned = Object.values(run.plan?.deactivations ?? {}).reduce((n, d) => n + (d?.planned ?? 0), 0);
   *   await mailer.send({
   *     to: await adminsWithManageSettings(),
   *     subject: `OneRoster sync #${run.id} is waiting for your approval`,
   *     text: `It would deactivate ${planned} people. Review it under Settings → Automation → OneRoster`,
   *   });
   * }
   * ```
   *
   * Never put the plan's samples (children's names) in an email. Defaults to none.
   */
  onRunFinished?: (run: RunView) => void | Promise<void>;
  /** Largest JSON body accepted by the router, as a byte size (`512b`, `100kb`, `1mb`). Defaults to `100kb`. */
  bodyLimit?: string;
  /**
   * Which district a request is for, when one monolith serves many districts from one database
   * (e.g. from the subdomain of `<district>.manage1to1.com`): every row the module keeps carries
   * this key, so districts never see each other's configuration, runs, people or lease. Keys are
   * 1–64 characters of `A-Z a-z 0-9 . _ -`; a request whose key is not one is answered
   * 400 `invalid_district`. Called once per request, after the permission check. Defaults to
   * `DEFAULT_DISTRICT` (`'default'`) for every request: a single-district host.
   */
  district?: (req: Request) => string | Promise<string>;
  /**
   * Every district this instance serves, for `districtHealth()` and a fleet scheduler given this
   * instance. Defaults to the districts that have saved a provider configuration (a district
   * without one has nothing to sync), or `['default']` when none has.
   */
  listDistricts?: () => Promise<string[]>;
}

/** Options after defaults are filled in: what the rest of the module reads. */
export type ResolvedOptions = Required<
  Omit<OneRosterOptions, 'classlink' | 'network' | 'http' | 'safeguard' | 'rosterStore' | 'onRunFinished' | 'runLimits' | 'listDistricts'>
> & {
  listDistricts?: OneRosterOptions['listDistricts'];
  runLimits: { maxRunMs: number; maxStagedRows?: number; maxPages?: number };
  classlink: { apiKey?: string; proxyUrl: string };
  network: Required<NonNullable<OneRosterOptions['network']>>;
  http: Required<NonNullable<OneRosterOptions['http']>>;
  safeguard: Required<NonNullable<OneRosterOptions['safeguard']>>;
  rosterStore?: RosterStore;
  onRunFinished?: OneRosterOptions['onRunFinished'];
};

/** Roles imported as staff unless the host says otherwise. */
export const DEFAULT_STAFF_ROLES = [
  'teacher',
  'aide',
  'administrator',
  'districtAdministrator',
  'siteAdministrator',
  'systemAdministrator',
  'counselor',
  'principal',
  'proctor',
];

/** The natural key rule unless the host says otherwise: the SIS's unique id, else the OneRoster identifier. */
export const DEFAULT_NATURAL_KEY = ['userIds:studentUniqueId', 'userIds:staffUniqueId', 'identifier'];

const fn = Joi.function();

const optionsSchema = Joi.object<OneRosterOptions>({
  sequelize: Joi.object().required().custom((value) => {
    if (typeof value.getDialect !== 'function') throw new Error('must be a Sequelize instance');
    return value;
  }),
  encryptionKey: Joi.string().required().custom((value: string) => {
    decodeEncryptionKey(value);
    return value;
  }),
  classlink: Joi.object({
    apiKey: Joi.string().allow(''),
    proxyUrl: Joi.string().uri({ scheme: ['http', 'https'] }).default('https://oneroster-proxy.classlink.io'),
  }).default(),
  currentUser: fn.default(() => defaultCurrentUser),
  canManageSettings: fn.default(() => defaultCanManageSettings),
  logger: Joi.object({ debug: fn.required(), info: fn.required(), warn: fn.required(), error: fn.required() }).unknown(),
  clock: Joi.object({ now: fn.required() }).unknown().default(() => ({ now: () => new Date() })),
  rosterStore: Joi.object().unknown(),
  network: Joi.object({
    allowHttp: Joi.string().valid('never', 'loopback', 'always').default('never'),
    allowLoopback: Joi.boolean(),
    allowPrivate: Joi.boolean().default(false),
  }).default(),
  http: Joi.object({
    timeoutMs: Joi.number().integer().min(100).default(30_000),
    maxRetries: Joi.number().integer().min(0).max(20).default(5),
    retryBaseMs: Joi.number().integer().min(0).default(500),
    retryMaxMs: Joi.number().integer().min(0).default(30_000),
    pageSize: Joi.number().integer().min(1).max(50_000).default(1000),
    maxPages: Joi.number().integer().min(1).default(100_000),
    concurrency: Joi.number().integer().min(1).max(16).default(4),
  }).default(),
  runLimits: Joi.object({
    maxRunMs: Joi.number().integer().min(1000).default(6 * 60 * 60 * 1000),
    maxStagedRows: Joi.number().integer().min(1),
    maxPages: Joi.number().integer().min(1),
  }).default(),
  safeguard: Joi.object({
    maxDeactivationRatio: Joi.number().min(0).max(1).default(0.1),
    minDeactivations: Joi.number().integer().min(0).default(25),
  }).default(),
  staffRoles: Joi.array().items(Joi.string()).min(1).default(DEFAULT_STAFF_ROLES),
  naturalKey: Joi.array()
    .items(Joi.string().pattern(/^(identifier|userIds:[^\s]+)$/).message('entries must be "identifier" or "userIds:<type>"'))
    .default(DEFAULT_NATURAL_KEY),
  timezone: Joi.string()
    .default('UTC')
    .custom((value: string) => {
      if (!isValidTimezone(value)) throw new Error('must be an IANA timezone such as America/Chicago');
      return value;
    }),
  leaseTtlMs: Joi.number().integer().min(1000).default(60_000),
  deltaOverlapMs: Joi.number().integer().min(0).default(10 * 60_000),
  missedRunWindowMs: Joi.number().integer().min(0).default(6 * 60 * 60 * 1000),
  maxRunIssues: Joi.number().integer().min(0).default(1000),
  onRunFinished: fn,
  bodyLimit: Joi.string()
    .pattern(/^\d+(\.\d+)?\s*(b|kb|mb|gb)$/i)
    .default('100kb')
    .messages({ 'string.pattern.base': 'must be a byte size such as 100kb or 1mb' }),
  district: fn.default(() => defaultDistrict),
  listDistricts: fn,
});

/**
 * Fills defaults and checks every option. Throws a `TypeError` naming the bad option, so a
 * misconfigured host fails at start-up rather than on some later request.
 */
export function resolveOptions(options: OneRosterOptions, fallbackLogger: Logger): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createOneRoster: options must be an object');
  }
  const { value, error } = optionsSchema.validate(options, { abortEarly: true, convert: false });
  if (error) {
    const detail = error.details[0];
    const name = detail?.path.join('.') || 'options';
    const reason = detail?.context?.message ?? detail?.message ?? error.message;
    throw new TypeError(`createOneRoster: invalid option "${name}": ${String(reason).replace(/^"[^"]*" /, '')}`);
  }
  const resolved = { ...value, logger: value.logger ?? fallbackLogger } as ResolvedOptions;
  checkCombinations(resolved, options);
  return resolved;
}

/** The checks that span options, each a `TypeError` naming the option (joi checks one at a time). */
function checkCombinations(resolved: ResolvedOptions, given: OneRosterOptions): void {
  const invalid = (name: string, reason: string) => new TypeError(`createOneRoster: invalid option "${name}": ${reason}`);
  const { network, http } = resolved;
  if (network.allowHttp === 'loopback') {
    if (given.network?.allowLoopback === false) {
      throw invalid('network.allowLoopback', 'cannot be false with allowHttp "loopback" (which allows loopback hosts)');
    }
    network.allowLoopback = true;
  }
  network.allowLoopback = network.allowLoopback ?? false;
  if (http.retryBaseMs > http.retryMaxMs) {
    throw invalid('http.retryBaseMs', `must be at most http.retryMaxMs (${http.retryMaxMs})`);
  }
  const store = resolved.rosterStore as unknown as Record<string, unknown> | undefined;
  if (store) {
    const missing = ROSTER_STORE_METHODS.filter((method) => typeof store[method] !== 'function');
    if (missing.length > 0) throw invalid('rosterStore', `is missing ${missing.join(', ')}`);
  }
}

/** Fewest distinct byte values a key may have: a key of one or two repeated bytes is no secret. */
const MIN_DISTINCT_KEY_BYTES = 4;

/**
 * Turns the configured key text into the 32 bytes AES-256 needs, or throws saying what is wrong:
 * exactly 64 hex characters or the 44 characters of standard base64 (decoded strictly: Node's
 * decoder would skip stray characters and accept a typo), with real variety in its bytes.
 */
export function decodeEncryptionKey(text: string): Buffer {
  let key: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text) key = Buffer.from(text, 'base64');
  else throw new Error('must be 32 bytes written as 64 hex characters or as base64');
  if (new Set(key).size < MIN_DISTINCT_KEY_BYTES) {
    throw new Error('is too predictable (the same few bytes repeated); generate one with `openssl rand -base64 32`');
  }
  return key;
}

/** True when `Intl` knows the IANA zone name. */
export function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function defaultDistrict(): string {
  return DEFAULT_DISTRICT;
}

function defaultCurrentUser(req: Request): OneRosterUser | null {
  const user = (req as Request & { user?: unknown }).user as
    | { id?: string | number; name?: string; username?: string; displayName?: string }
    | undefined;
  if (!user || user.id === undefined || user.id === null) return null;
  return { id: user.id, name: user.name ?? user.displayName ?? user.username };
}

function defaultCanManageSettings(_user: OneRosterUser, req: Request): boolean {
  const user = (req as Request & { user?: { permissions?: unknown } }).user;
  return Array.isArray(user?.permissions) && user.permissions.includes('manage_settings');
}
