/**
 * The contract, and the module's domain: the shapes of configurations, runs, schedules and errors
 * that the services take and return and the router's bodies carry. It sits at the bottom of the
 * import graph (it imports nothing), and the widget imports these types, so a change here that
 * the widget does not follow breaks the build. Types only: no runtime code.
 */

/** The providers an admin can pick. */
export type ProviderKind = 'classlink' | 'infinitecampus' | 'oneroster';
/** OneRoster versions spoken. */
export type OneRosterVersion = '1.1' | '1.2';
/** How a generic provider authenticates. */
export type AuthMode = 'oauth1' | 'oauth2';

/** Body of `POST /config/test` and `PUT /config` (camelCase, as the widget sends it). */
export interface ConfigInput {
  /** Which provider. */
  provider: ProviderKind;
  /** ClassLink Tenant ID. */
  tenantId?: string;
  /** OneRoster version (Infinite Campus defaults to 1.2). */
  version?: OneRosterVersion;
  /** Auth mode for the generic provider. */
  auth?: AuthMode;
  /** OneRoster root URL, e.g. `https://host/ims/oneroster/v1p1`. */
  baseUrl?: string;
  /** OAuth 2.0 token URL. */
  tokenUrl?: string;
  /** Client ID / consumer key. */
  clientId?: string;
  /** Client secret / consumer secret. Blank on update means "keep the saved one". */
  clientSecret?: string;
  /** `PUT /config` only: confirms switching provider after data has been synced. */
  confirmProviderSwitch?: boolean;
}

/** A secret as the API shows it: only whether it is set. */
export interface SecretState {
  /** True when a secret is stored. */
  set: boolean;
}

/** The saved configuration as the API shows it (secrets masked). */
export interface SavedConfigView {
  /** Which provider. */
  provider: ProviderKind;
  /** ClassLink Tenant ID. */
  tenantId?: string;
  /** OneRoster version. */
  version?: OneRosterVersion;
  /** Auth mode. */
  auth?: AuthMode;
  /** OneRoster root URL. */
  baseUrl?: string;
  /** OAuth 2.0 token URL. */
  tokenUrl?: string;
  /** Client ID. */
  clientId?: string;
  /** Whether a client secret is stored; never the secret itself. */
  clientSecret: SecretState;
  /** When it was last saved (ISO 8601). */
  updatedAt: string;
  /** Who saved it. */
  updatedBy: string | null;
}

/** Names of the steps of a connection test, in order. */
export type TestStepName = 'resolve_tenant' | 'authenticate' | 'read_schools';

/** One step of a connection test. */
export interface TestStep {
  /** The step. */
  name: TestStepName;
  /** Whether it passed. */
  ok: boolean;
  /** How long it took. */
  ms: number;
  /** What happened, in words. */
  message: string;
}

/** Stable codes a failed test (or a failed pull) reports. */
export type ConnectionErrorCode =
  | 'tenant_not_found'
  | 'application_disabled'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'unreachable'
  | 'timeout'
  | 'tls_error'
  | 'rate_limited'
  | 'bad_response'
  | 'server_error'
  | 'incomplete_pull'
  | 'url_not_allowed'
  | 'missing_api_key'
  | 'scope_refused'
  | 'no_schools';

/** A school as a test lists it. */
export interface SchoolSample {
  /** The school's OneRoster sourcedId (becomes the Building SIS field). */
  sourcedId: string;
  /** Its name. */
  name: string;
  /** Its human identifier (school number), when sent. */
  identifier?: string | null;
}

/** Answer of `POST /config/test` (always HTTP 200; `ok` says whether it passed). */
export interface TestResult {
  /** Whether every step passed. */
  ok: boolean;
  /** Steps run, in order; a failed one ends the test. */
  steps: TestStep[];
  /** Schools found when the test passed. */
  schools?: { count: number; sample: SchoolSample[] };
  /** Why it failed, with what to check. */
  error?: { code: ConnectionErrorCode; message: string; hints: string[] };
}

/** A test result as remembered on the configuration. */
export interface LastTestView extends TestResult {
  /** When the test ran (ISO 8601). */
  at: string;
}

/** Answer of `GET /config`. */
export interface ConfigView extends ConsoleStatus {
  /** Whether a configuration is saved. */
  configured: boolean;
  /** Whether OneRoster is the exclusive roster source now. */
  enabled: boolean;
  /** The saved configuration, or null. */
  config: SavedConfigView | null;
  /** Whether the host supplied a ClassLink API key (ClassLink cannot work without one). */
  classlinkAvailable: boolean;
  /** The last connection test, or null. */
  lastTest: LastTestView | null;
  /** The latest building run, or null. */
  lastBuildingSync: RunSummary | null;
  /** The latest user run, or null. */
  lastUserSync: RunSummary | null;
  /** When a sync last succeeded (ISO 8601), so staleness is visible. */
  lastSuccessfulSyncAt: string | null;
  /** Whether a building sync has ever succeeded (user syncs need one). */
  buildingsSynced: boolean;
}

/**
 * What needs the admin's attention, at a glance (`GET /status`, also part of `GET /config`): a host
 * can build a badge for its own navigation from it (e.g. `heldRun !== null || dailyStale`).
 */
export interface ConsoleStatus {
  /** The run going on now (with its phase and progress), or null. */
  activeRun: RunView | null;
  /** The one run waiting for approval, with its plan, or null. */
  heldRun: RunView | null;
  /** The newest run that has ended (any kind), or null. */
  lastRun: RunSummary | null;
  /** When a daily (scheduled) sync last succeeded (ISO 8601), or null. */
  lastDailySuccessAt: string | null;
  /** True when the daily sync is on but has not succeeded for more than a day. */
  dailyStale: boolean;
}

/** What a run synchronises. */
export type RunKind = 'buildings' | 'users';
/** Where a run is in its life. `superseded`: a held run a newer run replaced (no longer approvable). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'held' | 'cancelled' | 'superseded';
/** What started a run. */
export type RunTrigger = 'manual' | 'schedule' | 'cli';
/** Full pulls see everything (and may deactivate); deltas fetch only changes. */
export type RunMode = 'full' | 'delta';
/** The phase of a running run. */
export type RunPhase = 'queued' | 'pulling' | 'planning' | 'applying' | 'done';
/** Record kinds a run counts. */
export type RecordKind = 'buildings' | 'students' | 'staff';

/** Counts of what a run did (or plans to do) to one kind of record. */
export interface KindCounts {
  /** New rows. */
  created: number;
  /** Existing rows changed. */
  updated: number;
  /** Rows seen and already up to date. */
  unchanged: number;
  /** Rows without a sourcedId (CSV imports) linked by number. */
  linked: number;
  /** Rows that now follow another sourcedId: a provider's new ids (legacy id) or a transfer (same natural key). */
  rekeyed: number;
  /** Records merged into a person another record of the run stands for (a second enrolment or role). */
  merged: number;
  /** Inactive rows made active again. */
  reactivated: number;
  /** Rows made inactive (tobedeleted, or missing from a complete full pull). */
  deactivated: number;
  /** People flagged disabled (`enabledUser: false`). */
  disabled: number;
  /** Records not imported (bad record, unknown building). */
  skipped: number;
}

/** Counts of a run, per kind, plus what was left out and why. */
export interface RunCounts {
  /** Per kind. Only kinds the run touched are present. */
  kinds: Partial<Record<RecordKind, KindCounts>>;
  /** People skipped because their building is not in Manage1to1, per school sourcedId. */
  skippedBySchool: Record<string, number>;
  /** People not imported because of their role (guardian, parent, relative, …), per role. */
  ignoredRoles: Record<string, number>;
  /** Manual buildings that match no school: reported, never touched. */
  unmatchedBuildings: Array<{ id: number | string; name: string }>;
  /** The orgs behind `skippedBySchool`, named, with why their people were skipped and what to do (user runs). */
  skippedOrgs?: SkippedOrg[];
  /** Every issue of the run counted per code; `issues` keeps only a few samples of each code. */
  issuesByCode?: Record<string, number>;
  /** What became of every record the run pulled: the buckets add up to `pulled` (runs since issue 15). */
  reconciliation?: PullReconciliation;
}

/**
 * Every record a run pulled, in exactly one bucket: `pulled` = created + updated + unchanged +
 * linked + rekeyed + merged + reactivated + tobedeleted + the skipped (per reason) + ignoredRoles +
 * notSynced. A held or dry run's buckets are what it planned.
 */
export interface PullReconciliation extends Pick<KindCounts, 'created' | 'updated' | 'unchanged' | 'linked' | 'rekeyed' | 'merged' | 'reactivated'> {
  /** Rows the provider sent (user runs: `/users`; building runs: the schools, plus district orgs made District Offices). */
  pulled: number;
  /** `tobedeleted` records (deactivated, already inactive, or never held). */
  tobedeleted: number;
  /** Records left out, per reason (`missing_name`, `unknown_role`, `no_building`, `not_a_school`, `invalid_sourced_id`, `duplicate_record`, …). */
  skipped: Record<string, number>;
  /** Guardians, parents and relatives. */
  ignoredRoles: number;
  /** People of a kind the run does not sync (staff on a students-only run). */
  notSynced: number;
}

/** Why people of an org were skipped. */
export type SkippedOrgReason = 'school_tobedeleted' | 'not_a_school' | 'school_not_synced' | 'unknown_org';

/** An org whose people were skipped because no building stands for it. */
export interface SkippedOrg {
  /** The org's sourcedId. */
  sourcedId: string;
  /** Its name, when the provider lists it. */
  name: string | null;
  /** Its type (`school`, `district`, `department`, …), when listed. */
  type: string | null;
  /** Its status, when listed. */
  status: 'active' | 'tobedeleted' | null;
  /** People skipped. */
  people: number;
  /** Why. */
  reason: SkippedOrgReason;
  /** What the admin can do about it. */
  hint: string;
}

/** One problem with one record; never the whole record. */
export interface RunIssue {
  /** The record's sourcedId, when it had one. */
  sourcedId: string | null;
  /** The person's or school's name, when the record had one (so an admin can find them). */
  name?: string | null;
  /** Student or staff number (OneRoster `identifier`), when sent. */
  number?: string | null;
  /** The name of the person's school, or its sourcedId when Manage1to1 has no such building. */
  school?: string | null;
  /** Stable snake_case code, e.g. `missing_name`, `invalid_email`. */
  code: string;
  /** What was wrong and what was done about it. */
  message: string;
}

/** What a held run would do, for the admin who approves or cancels it. */
export interface HeldPlan {
  /** Planned counts per kind. */
  counts: Partial<Record<RecordKind, KindCounts>>;
  /** Deactivations planned versus the threshold that held the run, per kind, beside what the provider sent. */
  deactivations: Partial<Record<RecordKind, { planned: number; active: number; threshold: number; received?: number }>>;
  /** A few of the people or buildings that would be deactivated. */
  samples: Partial<Record<RecordKind, PlanSample[]>>;
  /** Why the run was held (empty or absent when it was not). */
  holdReasons?: HoldReason[];
}

/** Why a run waits for approval. */
export interface HoldReason {
  /**
   * `mass_deactivation`: more deactivations than the safeguard allows; `building_has_people`: a
   * building people belong to would be deactivated; `building_lookalike`: a new building would
   * have the name or identifier of an existing one (often a Building SIS edited by hand).
   */
  code: 'mass_deactivation' | 'building_has_people' | 'building_lookalike';
  /** What an admin reads. */
  message: string;
  /** The buildings concerned (building reasons): id, name and, for deactivations, active people. */
  buildings?: Array<{ id: number | null; name: string; people?: number }>;
}

/** One record a held plan would deactivate, with what an admin needs to recognise it. */
export interface PlanSample {
  /** Its sourcedId. */
  sourcedId: string;
  /** Its name. */
  name: string;
  /** Student or staff number, when known. */
  number?: string | null;
  /** The name of its building, when known. */
  building?: string | null;
}

/** Who resolved a held run, and how. */
export interface RunDecision {
  /** Approved (applied) or cancelled (discarded). */
  action: 'approved' | 'cancelled';
  /** The admin's display name or id (null when the host gave neither). */
  by: string | null;
  /** When (ISO 8601). */
  at: string;
}

/** A run in lists (`GET /runs`) and on the configuration. */
export interface RunSummary {
  /** Run id. */
  id: number;
  /** What it syncs. */
  kind: RunKind;
  /** Its status. */
  status: RunStatus;
  /** What started it. */
  trigger: RunTrigger;
  /** Full or delta. */
  mode: RunMode;
  /** Plan only, apply nothing. */
  dryRun: boolean;
  /** Who started it (null for the scheduler). */
  requestedBy: string | null;
  /** When it was queued (ISO 8601). */
  createdAt: string;
  /** When it started running. */
  startedAt: string | null;
  /** When it ended. */
  finishedAt: string | null;
  /** Working time in ms, once ended: the wait for an approval is left out. */
  durationMs: number | null;
  /** Who approved or cancelled it, when it was held. */
  decision: RunDecision | null;
  /** The newer run that replaced this held run (status `superseded`). */
  supersededBy: number | null;
  /** What it did. */
  counts: RunCounts;
  /** Why it failed, when it did. */
  error: { code: string; message: string } | null;
}

/** One run in full (`GET /runs/:id`). */
export interface RunView extends RunSummary {
  /** Where it is. */
  phase: RunPhase;
  /** Records processed so far, and the total when the provider said it. */
  progress: { processed: number; total: number | null };
  /** Problems with single records (bounded). */
  issues: RunIssue[];
  /** How many issues there were in all (may exceed `issues.length`). */
  issueCount: number;
  /** The plan awaiting approval, when held. */
  plan: HeldPlan | null;
}

/** Answer of `POST /sync/buildings`, `POST /sync/users`, approve and cancel. */
export interface RunResponse {
  /** The run. */
  run: RunView;
}

/** Body of `POST /sync/users`. */
export interface UserSyncInput {
  /** Full pull or delta. Defaults to full. */
  mode?: RunMode;
  /** Plan only. Defaults to false. */
  dryRun?: boolean;
  /** Which kinds. Defaults to both: the automatic-import toggles govern only the daily job. */
  kinds?: Array<'students' | 'staff'>;
}

/** A page of a list. */
export interface ListResponse<T> {
  /** How many there are in all. */
  total: number;
  /** This page. */
  items: T[];
}

/** Daily automation settings (`GET /automation`, body of `PUT /automation` as any subset). */
export interface AutomationSettings {
  /** "Enable Automatic Student Import". */
  studentImport: boolean;
  /** "Enable Automatic Staff Import". */
  staffImport: boolean;
  /** "Default Daily Automation Time", `HH:MM` 24-hour. */
  dailyTime: string;
  /** IANA timezone the time is in. */
  timezone: string;
  /** Days between full pulls; nightly runs in between are deltas where the provider allows. */
  fullSyncEvery: number;
  /** Pause the daily run (e.g. over summer). */
  paused: boolean;
  /** Make people missing from a complete full pull inactive. */
  deactivateMissing: boolean;
  /**
   * "Grade Level Matrix": incoming grade value (as sent, or its CEDS code such as `KG`, `01`) →
   * the district's own label (at most 16 characters), applied on every user sync.
   */
  gradeMatrix: Record<string, string>;
  /**
   * The building sync creates a "district office" building for each district org, so people whose
   * primary org is the district (or one of its departments) are imported instead of skipped.
   */
  districtOffices: boolean;
  /** Non-school org sourcedId → id of the existing building its people are tied to (takes precedence). */
  orgBuildings: Record<string, number>;
}

/** Answer of `GET /automation` and `PUT /automation`. */
export interface AutomationView extends AutomationSettings {
  /** When the daily run next happens (ISO 8601), or null when paused or nothing is imported. */
  nextRunAt: string | null;
  /** The most recent daily run the scheduler claimed (on any server), or null before the first one. */
  lastScheduledRun: ScheduledRunView | null;
}

/**
 * How a daily run ended: `running` while it goes; the status of its last run (`succeeded`,
 * `failed`, `held`, `cancelled`); `not_started` when the sync service refused to start a run
 * (`error.code` says why, e.g. `not_configured`, `sync_in_progress`); `error` when something
 * unexpected stopped it (details in the server log).
 */
export type ScheduledRunOutcome = 'running' | 'succeeded' | 'failed' | 'held' | 'cancelled' | 'not_started' | 'error';

/** One daily run as the scheduler recorded it, so a stale or failing automation is visible. */
export interface ScheduledRunView {
  /** The slot it ran for: local date, time and timezone, e.g. `2025-03-09 02:00 America/Chicago`. */
  slot: string;
  /** When the slot was due (ISO 8601). */
  scheduledFor: string;
  /** When a server claimed it and began (ISO 8601); later than `scheduledFor` for a caught-up missed run. */
  startedAt: string;
  /** When it ended (ISO 8601), or null while running. */
  finishedAt: string | null;
  /** How it ended. */
  outcome: ScheduledRunOutcome;
  /** Why it did not succeed, when it did not: a stable code and a message. */
  error: { code: string; message: string } | null;
  /** The sync runs it started, buildings first (see `GET /runs/:id`). */
  runIds: number[];
}

/**
 * Codes of the errors the module raises (`OneRosterError`): what the HTTP API answers with, and
 * what a run that stops on one of its bounds records. Each is made in one place, the error
 * catalogue (`server/domain/errors.ts`), which must have a factory for every code listed here.
 */
export type OneRosterErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'invalid_json'
  | 'invalid_path'
  | 'invalid_district'
  | 'invalid_body'
  | 'body_too_large'
  | 'not_found'
  | 'widget_not_built'
  | 'not_configured'
  | 'roster_managed_by_oneroster'
  | 'provider_switch_requires_confirmation'
  | 'connection_test_failed'
  | 'stored_secret_unreadable'
  | 'encryption_key_mismatch'
  | 'sync_in_progress'
  | 'settings_being_saved'
  | 'buildings_not_synced'
  | 'nothing_to_sync'
  | 'oneroster_disabled'
  | 'run_not_held'
  | 'run_not_cancellable'
  | 'plan_outdated'
  | 'plan_missing'
  | 'page_limit'
  | 'staged_row_limit'
  | 'run_time_limit'
  | 'school_matched_twice'
  | 'internal_error';

/** Codes a pull can fail with beyond the connection codes: the provider refused the delta filter, or the pull was stopped. */
export type PullErrorCode = 'delta_unsupported' | 'aborted';

/**
 * Codes a run ends with when it was stopped rather than failed by an error: on request, by a
 * shutdown, because another server took its lease, or because its process died.
 */
export type RunStopCode = 'cancelled' | 'shutdown' | 'lease_lost' | 'interrupted';

/**
 * Every error code a client may meet: in an error answer, on a failed or cancelled run, or in a
 * failed connection test. The widget has words for each (`Record<ApiErrorCode, string>`), so a new
 * code without words does not compile.
 */
export type ApiErrorCode = OneRosterErrorCode | ConnectionErrorCode | PullErrorCode | RunStopCode;

/** Body of every error answer (`{ error: { code, message, details? } }`). */
export interface ErrorResponse {
  /** The error. */
  error: {
    /** Stable snake_case code. */
    code: OneRosterErrorCode;
    /** What happened, in words (the widget shows its own words for the code instead). */
    message: string;
    /** Machine-readable detail, safe to show (field errors, the failed test, the running run's id). */
    details?: unknown;
  };
}

/** One bad field in the `details` of a `400 validation_failed` answer (the widget shows it next to the field). */
export interface FieldErrorDetail {
  /** The field's name in the request body, e.g. `tenantId` (nested paths joined with dots). */
  field: string;
  /** What is wrong with it. */
  message: string;
}

/** `details` of a `409 sync_in_progress` answer: the run already going, so the widget can show its progress. */
export interface SyncInProgressDetails {
  /** Id of the queued or running run. */
  runId: number;
}

/** `details` of a `422 connection_test_failed` answer from `PUT /config`: the failed test, steps and hints included. */
export type ConnectionTestFailedDetails = TestResult;

/** A daily run's day on the Automation Status heatmap. */
export interface AutomationDay {
  /** Local date in the automation's timezone (`YYYY-MM-DD`). */
  date: string;
  /** How that day's daily run ended, or `none` when there was none. */
  outcome: ScheduledRunOutcome | 'none';
  /** The runs it started (open them with `GET /runs/:id`). */
  runIds: number[];
  /** Why it did not succeed, when it did not. */
  error: { code: string; message: string } | null;
}

/** Answer of `GET /automation/status`: the health of the daily sync over the last 30 days. */
export interface AutomationStatusView {
  /** `failing` when the last daily runs failed several times in a row; `unknown` before the first one. */
  health: 'healthy' | 'failing' | 'unknown';
  /** How many of the latest daily runs failed in a row. */
  failingStreak: number;
  /** The last 30 local days, oldest first. */
  days: AutomationDay[];
  /** Active students and staff after each user run that changed the roster in those days, oldest first. */
  activeCounts: Array<{ at: string; students: number; staff: number }>;
}

/** How a building was matched to a school. */
export type BuildingMatchReason = 'sis_id' | 'identifier' | 'name';

/** Answer of `GET /buildings/matching`: the provider's schools beside the existing buildings, with proposed matches. */
export interface BuildingMatchingView {
  /** The provider's schools. */
  schools: SchoolSample[];
  /** Manage1to1's buildings, each with its current or proposed school. */
  buildings: Array<{
    /** Row id. */
    id: number;
    /** Name. */
    name: string;
    /** Human identifier (school number), when set. */
    identifier: string | null;
    /** Its "Building SIS" value now, or null. */
    sisId: string | null;
    /** The school proposed (or already linked), or null. */
    proposed: string | null;
    /** Why that school was proposed. */
    reason: BuildingMatchReason | null;
  }>;
}

/** Body of `PUT /buildings/matching`: the admin's confirmed matches (a null `sourcedId` unlinks a building). */
export interface BuildingMatchingInput {
  /** One entry per building to write. */
  matches: Array<{ buildingId: number; sourcedId: string | null }>;
}

/** Filters of `GET /runs` (query string): a page of the history, newest first. */
export interface RunListQuery {
  /** Page size, 1 to 200. Defaults to 20. */
  limit?: number;
  /** Runs skipped before the page. Defaults to 0. */
  offset?: number;
  /** Only runs of this kind. */
  kind?: RunKind;
  /** Only runs with this status. */
  status?: RunStatus;
  /** Only runs started this way. */
  trigger?: RunTrigger;
}

/** A body that must be empty (`{}`): the route takes nothing, and anything sent is a `validation_failed`. */
export type EmptyBody = Record<string, never>;

/**
 * Every route of the HTTP API, by `'METHOD /path'` (Express-style path below the mount point):
 * the body it reads, its query, and the JSON it answers with. The router's handlers and the
 * widget's client are both typed from this one map. A route marked `public` needs no signed-in
 * user; every other one needs one with Manage Settings.
 */
export interface ApiRoutes {
  /** The saved configuration (secrets masked), whether OneRoster is on, the last test and syncs. */
  'GET /config': { response: ConfigView };
  /** Tests the submitted settings, or the saved ones when the body is empty (`null` once read). */
  'POST /config/test': { body: ConfigInput | null; response: TestResult };
  /** Validates, re-tests and saves the configuration, and enables OneRoster. */
  'PUT /config': { body: ConfigInput; response: ConfigView };
  /** Turns OneRoster off; data and history stay. */
  'DELETE /config': { response: ConfigView };
  /** Starts a building sync in the background (202). */
  'POST /sync/buildings': { body: EmptyBody; response: RunResponse };
  /** Starts a student and staff sync in the background (202). */
  'POST /sync/users': { body: UserSyncInput; response: RunResponse };
  /** Sync history, newest first. */
  'GET /runs': { query: RunListQuery; response: ListResponse<RunSummary> };
  /** One run with progress, counts and issues. */
  'GET /runs/:id': { response: RunView };
  /** A run's issues as CSV text. */
  'GET /runs/:id/issues.csv': { response: string };
  /** Applies a held run exactly as planned. */
  'POST /runs/:id/approve': { body: EmptyBody; response: RunResponse };
  /** Discards a held or queued run, or stops a running one. */
  'POST /runs/:id/cancel': { body: EmptyBody; response: RunResponse };
  /** Daily automation settings and the next run time. */
  'GET /automation': { response: AutomationView };
  /** Changes any subset of the automation settings. */
  'PUT /automation': { body: Partial<AutomationSettings>; response: AutomationView };
  /** Health of the daily sync over 30 days. */
  'GET /automation/status': { response: AutomationStatusView };
  /** What needs attention now. */
  'GET /status': { response: ConsoleStatus };
  /** The provider's schools beside the existing buildings, with proposed matches. */
  'GET /buildings/matching': { response: BuildingMatchingView };
  /** Writes the confirmed Building SIS values. */
  'PUT /buildings/matching': { body: BuildingMatchingInput; response: BuildingMatchingView };
  /** The `<oneroster-settings>` script (JavaScript text). */
  'GET /widget/oneroster-settings.js': { response: string; public: true };
}

/** A route of the API, `'METHOD /path'`. */
export type RouteKey = keyof ApiRoutes;
/** The body a route reads (`undefined` when it reads none). */
export type RouteBody<K extends RouteKey> = ApiRoutes[K] extends { body: infer B } ? B : undefined;
/** The query a route reads (`undefined` when it reads none). */
export type RouteQuery<K extends RouteKey> = ApiRoutes[K] extends { query: infer Q } ? Q : undefined;
/** What a route answers with. */
export type RouteResponse<K extends RouteKey> = ApiRoutes[K]['response'];
/** Whether a route is reachable without a signed-in user. */
export type IsPublicRoute<K extends RouteKey> = ApiRoutes[K] extends { public: true } ? true : false;
