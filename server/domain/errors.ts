import type { ErrorResponse, FieldErrorDetail, OneRosterErrorCode, TestResult } from './contract';

/**
 * Every error the module raises: a stable snake_case `code` the widget turns into words, the HTTP
 * status the router answers with, a human `message`, and optional `details`. Made only by the
 * `errors` catalogue below, so each code has one status and one wording.
 */
export class OneRosterError<C extends OneRosterErrorCode = OneRosterErrorCode> extends Error {
  /** HTTP status the router answers with. */
  readonly status: number;
  /** Stable snake_case code. */
  readonly code: C;
  /** Extra machine-readable detail, safe to show (never secrets). */
  readonly details?: unknown;

  constructor(status: number, code: C, message: string, details?: unknown) {
    super(message);
    this.name = 'OneRosterError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function fail<C extends OneRosterErrorCode>(status: number, code: C, message: string, details?: unknown): OneRosterError<C> {
  return new OneRosterError(status, code, message, details);
}

/** The error catalogue: one factory per code, the only place a `OneRosterError` is made. */
export const errors = {
  unauthenticated: () => fail(401, 'unauthenticated', 'Sign in to manage OneRoster settings.'),
  forbidden: () => fail(403, 'forbidden', 'You need the Manage Settings permission to manage OneRoster.'),
  unsupportedMediaType: () => fail(415, 'unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).'),
  validation: (details: FieldErrorDetail[], message = 'Some fields are not valid.') => fail(400, 'validation_failed', message, details),
  badJson: () => fail(400, 'invalid_json', 'The request body is not valid JSON.'),
  invalidPath: () => fail(400, 'invalid_path', 'The address is not valid (a malformed %-escape).'),
  invalidDistrict: () =>
    fail(400, 'invalid_district', 'This address does not name a district the roster sync can serve (a district key is 1 to 64 letters, digits, ".", "_" or "-").'),
  invalidBody: () => fail(400, 'invalid_body', 'The request body could not be read (for example, its compression is broken).'),
  bodyTooLarge: () => fail(413, 'body_too_large', 'The request body is too large.'),
  notFound: (what = 'resource') => fail(404, 'not_found', `That ${what} does not exist.`),
  widgetNotBuilt: () => fail(404, 'widget_not_built', 'The web component has not been built (npm run build:widget).'),
  notConfigured: () => fail(409, 'not_configured', 'OneRoster is not configured yet. Save a provider configuration first.'),
  rosterManaged: () =>
    fail(
      409,
      'roster_managed_by_oneroster',
      'OneRoster manages the roster. Turn OneRoster off in Settings to add or remove buildings or import people by hand.',
    ),
  providerSwitchUnconfirmed: (from: string, to: string) =>
    fail(
      409,
      'provider_switch_requires_confirmation',
      `Switching from ${from} to ${to} after data was synced gives every record new ids. Confirm the switch to save.`,
      { from, to },
    ),
  connectionTestFailed: (result: TestResult) =>
    fail(422, 'connection_test_failed', 'The connection test failed, so the configuration was not saved.', result),
  storedSecretUnreadable: () =>
    fail(500, 'stored_secret_unreadable', 'The saved provider secret is not in a format this version can read. Save the configuration again.'),
  encryptionKeyMismatch: () =>
    fail(
      500,
      'encryption_key_mismatch',
      'The saved provider secret cannot be decrypted with the configured encryption key. Restore the key it was saved with, or enter the secret again and save.',
    ),
  syncInProgress: (runId: number | null) =>
    fail(409, 'sync_in_progress', 'A sync is already running. Wait for it to finish, then try again.', { runId }),
  settingsBeingSaved: () =>
    fail(409, 'settings_being_saved', 'The OneRoster configuration is being saved or turned off. Try again in a moment.'),
  buildingsNotSynced: () =>
    fail(409, 'buildings_not_synced', 'Sync buildings first: people are tied to buildings, so a building sync must succeed before a user sync.'),
  nothingToSync: () =>
    fail(409, 'nothing_to_sync', 'No kind of person was chosen, so there is nothing to sync. Choose students, staff or both.'),
  disabled: () => fail(409, 'oneroster_disabled', 'OneRoster is turned off, so nothing is synced. Turn it on in the OneRoster settings first.'),
  runNotHeld: (status: string) => fail(409, 'run_not_held', `Only a held run can be approved; this one is ${status}.`),
  runNotCancellable: (status: string) =>
    fail(409, 'run_not_cancellable', `Only a queued, running or held run can be cancelled; this one is ${status}.`),
  planOutdated: () =>
    fail(409, 'plan_outdated', 'The roster has changed since this run was planned (another sync has run). Cancel it and start a new sync.'),
  planMissing: () => fail(409, 'plan_missing', 'This run has no stored plan to apply.'),
  pageLimit: (maxPages: number) =>
    fail(409, 'page_limit', `The run stopped after ${maxPages} pages: the provider's feed did not end (it may repeat a page). Nothing was applied.`),
  stagedRowLimit: (maxRows: number) =>
    fail(409, 'staged_row_limit', `The run stopped after ${maxRows} records, far more than this district has. Nothing was applied.`),
  runTimeLimit: (maxRunMs: number) =>
    fail(409, 'run_time_limit', `The run stopped after ${Math.round(maxRunMs / 60_000)} minutes, its time limit. Nothing it had not fully applied was changed.`),
  schoolMatchedTwice: (school: string, details: { sourcedId: string; buildingIds: Array<number | undefined> }) =>
    fail(409, 'school_matched_twice', `${school} is matched to two buildings; match each school to one building at most.`, details),
  internal: () => fail(500, 'internal_error', 'Something went wrong on the server. The details are in its log.'),
};

/** The codes the catalogue makes. */
type CataloguedCode = ReturnType<(typeof errors)[keyof typeof errors]>['code'];
/** Compiles only while every code of the contract has its factory above (else names the missing ones). */
const everyCodeCatalogued: [Exclude<OneRosterErrorCode, CataloguedCode>] extends [never] ? true : Exclude<OneRosterErrorCode, CataloguedCode> = true;
void everyCodeCatalogued;

/** Builds the error answer from an error. Anything not a OneRosterError becomes a generic 500. */
export function toErrorBody(err: unknown): { status: number; body: ErrorResponse } {
  const known = err instanceof OneRosterError ? err : errors.internal();
  const body: ErrorResponse = { error: { code: known.code, message: known.message } };
  if (known.details !== undefined) body.error.details = known.details;
  return { status: known.status, body };
}
