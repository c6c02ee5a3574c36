import type { ApiErrorCode, ConnectionErrorCode, FieldErrorDetail, RunPhase, RunStatus, RunTrigger, TestStepName } from '../server/domain/contract';
import { ApiError } from './api-client';

/** Words an admin reads for each connection error code a test or a pull reports. */
const CONNECTION_ERRORS: Record<ConnectionErrorCode, string> = {
  tenant_not_found: 'ClassLink does not know this Tenant ID.',
  application_disabled: 'The Manage1to1 application is not approved or has been turned off for this district in ClassLink.',
  unauthorized: 'The provider rejected the credentials, or they have expired.',
  forbidden: 'The provider accepted the credentials but does not allow reading the roster.',
  not_found: 'The provider has no OneRoster service at this address.',
  unreachable: 'The provider could not be reached. Check the address and that it accepts connections from this server.',
  timeout: 'The provider took too long to answer.',
  tls_error: 'The secure connection to the provider failed (certificate problem).',
  rate_limited: 'The provider is limiting requests right now. Try again in a few minutes.',
  bad_response: 'The provider answered with something that is not valid OneRoster data.',
  server_error: 'The provider had an internal error.',
  incomplete_pull: 'The provider stopped sending data part-way, so nothing was changed based on it.',
  url_not_allowed: 'This address is not allowed: use an https address of the provider on the public internet.',
  missing_api_key: 'ClassLink cannot be used yet: the Manage1to1 ClassLink API key is not set up on this server.',
  scope_refused: 'The provider does not grant these credentials the roster scope they asked for.',
  no_schools: 'The credentials work, but they see no schools, so there is nothing to sync.',
};

/** Codes that reach the widget without coming from the module: no answer at all, or the host's CSRF check. */
export type ClientErrorCode = 'network_error' | 'csrf_failed';

/**
 * The words the widget needs beyond the connection codes: one for every other code the server
 * answers with or records on a run, `forbidden` as an HTTP answer, and the client's own codes. A
 * code added to `ApiErrorCode` without words here does not compile.
 */
export type ApiErrorWords = Record<Exclude<ApiErrorCode, ConnectionErrorCode> | 'forbidden' | ClientErrorCode, string>;

/** Words for the API's own error codes (HTTP answers and run endings), beyond the connection codes above. */
const API_ERRORS: ApiErrorWords = {
  unauthenticated: 'Your session has ended. Sign in again.',
  forbidden: 'You need the Manage Settings permission to manage OneRoster. Ask a district administrator for access.',
  network_error: 'The server could not be reached. Check your connection and try again.',
  sync_in_progress: 'A sync is running. Wait for it to finish, then try again.',
  settings_being_saved: 'The OneRoster settings are being saved right now. Try again in a moment.',
  buildings_not_synced: 'Sync buildings first: students and staff are placed in buildings, so a building sync must succeed before a user sync.',
  not_configured: 'OneRoster is not set up yet. Choose a provider, test the configuration and save it first.',
  oneroster_disabled: 'OneRoster is turned off, so nothing is synced. Save the configuration to turn it on again.',
  cancelled: 'The sync was stopped on request. Nothing it had not fully applied was changed; the next sync repairs the rest.',
  shutdown: 'The server shut down during the sync, so it stopped. The next sync repairs the rest.',
  run_time_limit: 'The sync ran longer than its time limit and was stopped. Check the provider, then try again.',
  page_limit: 'The provider kept sending pages without reaching the end of its list (it may repeat a page), so the sync stopped and changed nothing.',
  staged_row_limit: 'The provider sent far more records than this district has, so the sync stopped and changed nothing.',
  invalid_path: 'The address of that request is not valid. Reload the page and try again.',
  invalid_body: 'The request could not be read. Reload the page and try again.',
  nothing_to_sync: 'There is nothing to sync: choose students, staff or both.',
  plan_outdated: 'This held run is out of date because the roster changed since it was planned. Start a new sync instead.',
  validation_failed: 'Some fields need attention. Check the highlighted fields.',
  connection_test_failed: 'The settings were not saved because the connection test failed.',
  provider_switch_requires_confirmation: 'Switching to a different provider needs your confirmation.',
  roster_managed_by_oneroster: 'OneRoster manages the roster, so this cannot be changed by hand.',
  unsupported_media_type: 'The request was refused because it was not sent as JSON. Reload the page and try again.',
  invalid_json: 'The request could not be read. Reload the page and try again.',
  body_too_large: 'The request was too large.',
  internal_error: 'Something went wrong on the server. Try again; if it keeps happening, contact support.',
  csrf_failed: 'Your page is out of date or the security token is missing. Reload the page and try again.',
  run_not_held: 'This run is no longer waiting for a decision (a newer run may have replaced it). Reload the history to see its status.',
  run_not_cancellable: 'Only a run that is held or still waiting to start can be cancelled; this one has already moved on.',
  interrupted: 'The server running this sync stopped before it finished (a restart or a crash). Nothing it had not fully applied was changed; the next sync repairs the rest.',
  lease_lost: 'Another server took over the sync while this one was stalled, so this run stopped without applying the rest. The next sync picks up from there.',
  aborted: 'The sync was stopped before it finished; nothing more was applied.',
  encryption_key_mismatch: 'The saved client secret cannot be read with this server’s encryption key (the key changed). Enter the client secret again and save.',
  stored_secret_unreadable: 'The saved client secret cannot be read. Enter the client secret again and save.',
  invalid_district: 'This address does not belong to a district the roster sync serves. Open the settings from your district’s own site.',
  plan_missing: 'This held run has no stored plan to apply. Cancel it and start a new sync.',
  delta_unsupported: 'The provider does not support “changes only” syncs, so a full sync was needed.',
  school_matched_twice: 'A school is matched to two buildings. Match each school to one building at most.',
  widget_not_built: 'The settings page’s script is missing on the server. Ask your administrator to rebuild the module.',
};

/** Whether a table has words of its own for a code (not an inherited `toString` or `constructor`). */
function hasWords(table: object, code: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, code);
}

/** The words for an error code on its own (connection or API). */
export function describeCode(code: string): string {
  if (hasWords(CONNECTION_ERRORS, code)) return CONNECTION_ERRORS[code as ConnectionErrorCode];
  if (hasWords(API_ERRORS, code)) return API_ERRORS[code as keyof ApiErrorWords];
  return `Something went wrong (error code: ${code}). Try again, or contact support with this code.`;
}

/**
 * The sentence an admin sees for a failed request. The status decides 401/403 (whatever the code),
 * because `forbidden` also names a connection problem; the server's own text is never shown raw.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong in this page. Reload it and try again.';
  if (err.status === 401) return API_ERRORS.unauthenticated;
  if (err.status === 403 && err.code !== 'csrf_failed') return API_ERRORS.forbidden;
  if (err.status === 404 && err.code === 'not_found') return 'That item no longer exists. Reload the page.';
  if (err.status === 404 && err.code !== 'not_found' && !hasWords(API_ERRORS, err.code)) {
    return 'The OneRoster settings service was not found at this address. Check the page setup (api-base).';
  }
  return describeCode(err.code);
}

/** Whether an error means the admin cannot use the settings at all (so no controls are shown). */
export function isAccessError(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || (err.status === 403 && err.code !== 'csrf_failed'));
}

/** Labels of the fields the forms send, as the admin sees them. */
export const FIELD_LABELS: Record<string, string> = {
  provider: 'Provider',
  tenantId: 'Tenant ID',
  version: 'OneRoster version',
  auth: 'Authentication',
  baseUrl: 'OneRoster base URL',
  tokenUrl: 'Token URL',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  studentImport: 'Enable Automatic Student Import',
  staffImport: 'Enable Automatic Staff Import',
  dailyTime: 'Default Daily Automation Time',
  timezone: 'Timezone',
  fullSyncEvery: 'Full sync every',
  paused: 'Pause automation',
  deactivateMissing: 'Deactivate missing people',
};

/** Turns the field list of a `400 validation_failed` into field → sentence, in plain words. */
export function fieldErrors(err: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!(err instanceof ApiError) || err.code !== 'validation_failed' || !Array.isArray(err.details)) return result;
  for (const entry of err.details as Array<Partial<FieldErrorDetail>>) {
    if (!entry || typeof entry.field !== 'string') continue;
    const field = entry.field.split('.')[0] ?? entry.field;
    result[field] ??= describeFieldProblem(field, typeof entry.message === 'string' ? entry.message : '');
  }
  return result;
}

/**
 * The sentence shown next to a field. joi's generic wording ("must be a valid uri", "is required")
 * becomes plain words; a message the server wrote for the field (why a URL is refused, the time
 * format) is shown as the server said it, with the field's label in place of its name.
 */
function describeFieldProblem(field: string, message: string): string {
  const label = FIELD_LABELS[field] ?? 'This field';
  const text = message.toLowerCase();
  if (field === 'clientSecret' && text.includes('again')) {
    return 'Enter the client secret again: the saved one is only used with the same provider, client ID and server addresses.';
  }
  if (text.includes('is required') || text.includes('not allowed to be empty')) return `Enter the ${label.toLowerCase()}.`;
  if (/must be a valid (uri|url)/.test(text)) return 'Enter a full address starting with https://.';
  if (/must be (a number|an integer|greater|less)/.test(text) && field === 'fullSyncEvery') return 'Enter a whole number of days between 1 and 30.';
  if (text.includes('must be one of') || text.includes('must be a boolean')) return `Choose a valid ${label.toLowerCase()}.`;
  const own = message.trim().replace(new RegExp(`^${field}\\b`), label);
  if (own && own !== message.trim()) return /[.!?]$/.test(own) ? own : `${own}.`;
  if (field === 'dailyTime') return 'Enter a time as hours and minutes, e.g. 02:00.';
  if (field === 'timezone') return 'Choose a timezone from the list.';
  return `Check the ${label.toLowerCase()}.`;
}

/** Names of the connection-test steps. */
export const STEP_LABELS: Record<TestStepName, string> = {
  resolve_tenant: 'Resolve tenant',
  authenticate: 'Authenticate',
  read_schools: 'Read schools',
};

/** Names of run statuses. */
export const STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  held: 'Held for approval',
  cancelled: 'Cancelled',
  superseded: 'Superseded by a newer run',
};

/** What a running run is doing, in words. */
export const PHASE_LABELS: Record<RunPhase, string> = {
  queued: 'Waiting to start',
  pulling: 'Reading from the provider',
  planning: 'Comparing with Manage1to1',
  applying: 'Saving changes',
  done: 'Finishing',
};

/** What started a run, in words. */
export const TRIGGER_LABELS: Record<RunTrigger, string> = {
  manual: 'Manual',
  schedule: 'Daily automation',
  cli: 'Command line',
};
