import type { AuthMode, ConnectionErrorCode, OneRosterVersion, ProviderKind, PullErrorCode } from '../domain/contract';
import type { Logger } from '../logger';
import type { Clock, ResolvedOptions } from '../options';

/** `active`, or `tobedeleted` (1.0's `inactive` is read as `tobedeleted`). */
export type RecordStatus = 'active' | 'tobedeleted';

/** A OneRoster org in one shape, whatever the version or provider. */
export interface NormalizedOrg {
  /** The org's sourcedId (a building's "Building SIS" value). */
  sourcedId: string;
  /** Record status. */
  status: RecordStatus;
  /** Name ('' when the provider sent none; the engine reports that). */
  name: string;
  /** `school`, `district`, … or an `ext:` value, as sent. */
  type: string;
  /** Human id (school number, NCES id). */
  identifier: string | null;
  /** The parent org's sourcedId. */
  parentSourcedId: string | null;
  /** ISO 8601, as sent. */
  dateLastModified: string | null;
}

/** A OneRoster user in one shape, whatever the version or provider. */
export interface NormalizedPerson {
  /** The user's sourcedId. */
  sourcedId: string;
  /** Record status. */
  status: RecordStatus;
  /** ISO 8601, as sent. */
  dateLastModified: string | null;
  /** `enabledUser` parsed from "true"/"false", booleans or 1/0 (true when absent). */
  enabled: boolean;
  /** Roles, primary first (1.1: the one `role`; 1.2: the primary role then the others), as sent (e.g. `teacher`, `ext:coach`). */
  roles: string[];
  /** Org sourcedIds, the primary building first (1.2 `primaryOrg` / primary role's org; 1.1 order of `orgs`). */
  orgSourcedIds: string[];
  /** Given name ('' when missing; the engine reports that). */
  givenName: string;
  /** Family name ('' when missing). */
  familyName: string;
  /** Middle name. */
  middleName: string | null;
  /** Preferred first name. */
  preferredFirstName: string | null;
  /** Student or staff number (`identifier`). */
  identifier: string | null;
  /** Email as sent (the engine validates it). */
  email: string | null;
  /** Username. */
  username: string | null;
  /** CEDS grades, as sent. */
  grades: string[];
  /** Earlier sourcedIds of this person (Infinite Campus `metadata.ic.legacysourceId`). */
  legacySourcedIds: string[];
  /** Ids of the human in other systems: `userIds` entries and Ed-Fi's `metadata.edfi.naturalKey`, by type (e.g. `studentUniqueId`). */
  userIds: Record<string, string>;
  /** Whether the record's first role says `roleType: primary` (1.1 records, which have no role types, count as primary). */
  primaryRole: boolean;
  /** `beginDate` of the record's first role (when its enrolment began), as sent. */
  roleBeginDate: string | null;
}

/** A record the client could not read, or a field it had to drop. Never holds the record itself. */
export interface RecordProblem {
  /** The record's sourcedId, when it had one. */
  sourcedId: string | null;
  /** Stable snake_case code. */
  code: string;
  /** What was wrong. */
  message: string;
}

/** One page of a pull, yielded as it arrives so a sync can stream. */
export interface PulledPage<T> {
  /** Records read from this page. */
  records: T[];
  /** Records of this page that could not be read. */
  problems: RecordProblem[];
  /** `X-Total-Count` when the provider sent it. */
  total: number | null;
  /** Rows received so far in this pull, this page included. */
  received: number;
  /** Rows received so far that the pull leaves out on purpose (non-school orgs of an unfiltered `/orgs`). */
  filtered?: number;
}

/** How to pull. */
export interface PullOptions {
  /** Delta: only records with `dateLastModified` after this instant. */
  since?: Date;
  /** Abort the pull (the iterator then throws). */
  signal?: AbortSignal;
}

/**
 * A live connection to the configured provider. Iterators throw `ProviderError` when the pull
 * cannot complete (including `incomplete_pull` when fewer rows came than `X-Total-Count` promised
 * or the page cap was hit), so a caller never mistakes a short pull for a complete one.
 */
export interface ProviderConnection {
  /** Which provider. */
  readonly provider: ProviderKind;
  /** OneRoster version spoken. */
  readonly version: OneRosterVersion;
  /** Schools: `/schools`, falling back to `/orgs` filtered to `type='school'`. */
  schools(options?: PullOptions): AsyncIterable<PulledPage<NormalizedOrg>>;
  /**
   * Every org (`/orgs`, unfiltered: districts, departments, schools): where district-level people
   * belong and what the skipped-by-school report names. Absent on connections that cannot list orgs.
   */
  orgs?(options?: PullOptions): AsyncIterable<PulledPage<NormalizedOrg>>;
  /** Every user (`/users`); the engine classifies by role. Throws `delta_unsupported` when the provider refuses the delta filter. */
  users(options?: PullOptions): AsyncIterable<PulledPage<NormalizedPerson>>;
}

/** Codes a pull can fail with: the test codes, plus the client's own. */
export type ProviderErrorCode = ConnectionErrorCode | PullErrorCode;

/** The error fields of an OAuth 2.0 token error answer (RFC 6749 §5.2). */
export interface OAuthErrorBody {
  /** `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`, or another. */
  error: string;
  /** The provider's own explanation, when sent. */
  description: string | null;
}

/** A classified provider failure: a stable code, the admin-facing message and what to check. */
export class ProviderError extends Error {
  /** Stable code. */
  readonly code: ProviderErrorCode;
  /** The HTTP status, when there was a response. */
  readonly status?: number;
  /** What the admin should check, in the product help's words. */
  readonly hints: string[];
  /** An OAuth 2.0 error answer's `error` and `error_description` (RFC 6749 §5.2), when the body was one. */
  readonly oauth?: OAuthErrorBody;

  constructor(code: ProviderErrorCode, message: string, options: { status?: number; hints?: string[]; oauth?: OAuthErrorBody } = {}) {
    super(message);
    this.name = 'ProviderError';
    this.code = code;
    this.status = options.status;
    this.hints = options.hints ?? [];
    if (options.oauth) this.oauth = options.oauth;
  }
}

/**
 * The saved provider configuration with its secret decrypted: what a connection is opened with.
 * ClassLink needs only `tenantId` (the vendor key comes from the host's options).
 */
export interface ProviderSettings {
  /** Which provider. */
  provider: ProviderKind;
  /** ClassLink Tenant ID. */
  tenantId?: string;
  /** OneRoster version spoken (ClassLink: always 1.1). */
  version: OneRosterVersion;
  /** How requests are authenticated (Infinite Campus: `oauth2`; ClassLink: ignored, it uses its proxy). */
  auth: AuthMode;
  /** OneRoster root URL, taken as given (paths are appended). */
  baseUrl?: string;
  /** OAuth 2.0 token URL. */
  tokenUrl?: string;
  /** Client ID / consumer key. */
  clientId?: string;
  /** Client secret / consumer secret, in clear (never log it). */
  clientSecret?: string;
}

/**
 * The slice of the resolved options a provider reads: HTTP timeouts and retries, the network
 * (SSRF) rules and the ClassLink vendor key. Nothing else, so provider code cannot reach the
 * encryption key, the Sequelize instance or the host's hooks.
 */
export type ProviderOptions = Pick<ResolvedOptions, 'http' | 'network' | 'classlink'>;

/** Copies the provider's slice out of the resolved options, so the object handed over holds nothing more at run time either. */
export function providerOptions(options: ResolvedOptions): ProviderOptions {
  return { http: options.http, network: options.network, classlink: options.classlink };
}

/** What a provider connection needs from the module: its slice of the options, a logger and a clock. */
export interface ProviderDeps {
  /** The options providers read (`http`, `network`, `classlink`). */
  options: ProviderOptions;
  /** Logger (given no secrets, tokens or records). */
  logger: Logger;
  /** Time source (token expiry). */
  clock: Clock;
}
