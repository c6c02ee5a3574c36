/**
 * Every error the HTTP API answers with: a stable snake_case `code` the widget turns into words,
 * a human `message`, and optional `details` (for example joi field errors).
 */
export class OneRosterError extends Error {
  /** HTTP status the router answers with. */
  readonly status: number;
  /** Stable snake_case code. */
  readonly code: string;
  /** Extra machine-readable detail, safe to show (never secrets). */
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'OneRosterError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  /** The error itself. */
  error: { code: string; message: string; details?: unknown };
}

/** Builds the error body from an error. Anything not a OneRosterError becomes a generic 500. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof OneRosterError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    return { status: err.status, body };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on the server. The details are in its log.' } } };
}

/** Factories for the errors more than one place raises, so codes and wording stay in one place. */
export const errors = {
  unauthenticated: () => new OneRosterError(401, 'unauthenticated', 'Sign in to manage OneRoster settings.'),
  forbidden: () =>
    new OneRosterError(403, 'forbidden', 'You need the Manage Settings permission to manage OneRoster.'),
  unsupportedMediaType: () =>
    new OneRosterError(415, 'unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).'),
  validation: (details: Array<{ field: string; message: string }>) =>
    new OneRosterError(400, 'validation_failed', 'Some fields are not valid.', details),
  notFound: (what = 'resource') => new OneRosterError(404, 'not_found', `That ${what} does not exist.`),
  bodyTooLarge: () => new OneRosterError(413, 'body_too_large', 'The request body is too large.'),
  badJson: () => new OneRosterError(400, 'invalid_json', 'The request body is not valid JSON.'),
  notConfigured: () =>
    new OneRosterError(409, 'not_configured', 'OneRoster is not configured yet. Save a provider configuration first.'),
  rosterManaged: () =>
    new OneRosterError(
      409,
      'roster_managed_by_oneroster',
      'OneRoster manages the roster. Turn OneRoster off in Settings to add or remove buildings or import people by hand.',
    ),
};
