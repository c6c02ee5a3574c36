import type { NextFunction, Request, Response } from 'express';
import type Joi from 'joi';

/**
 * An error the host's own routes answer with, in the same shape as the module's:
 * `{ error: { code, message, details? } }` with a stable snake_case code.
 */
export class HttpError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stable snake_case code. */
  readonly code: string;
  /** Machine-readable detail (field errors, CSV line). */
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The JSON error body for any error; unknown ones become a generic 500. */
export function errorBody(err: unknown): { status: number; body: { error: { code: string; message: string; details?: unknown } } } {
  const known = fromParserError(err);
  if (known instanceof HttpError) {
    const error: { code: string; message: string; details?: unknown } = { code: known.code, message: known.message };
    if (known.details !== undefined) error.details = known.details;
    return { status: known.status, body: { error } };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on the server. The details are in its log.' } } };
}

/** body-parser marks bad JSON, oversized and oddly encoded bodies with `type`; give them our codes. */
function fromParserError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
  if (type === 'entity.too.large') return new HttpError(413, 'body_too_large', 'The request body is too large.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new HttpError(415, 'unsupported_media_type', 'The body encoding is not supported; send UTF-8.');
  }
  if (type === 'request.aborted' || type === 'request.size.invalid') return new HttpError(400, 'bad_request', 'The request body was incomplete.');
  return err;
}

/** Validates with joi (unknown keys refused) and returns the cleaned value, or throws a 400 listing each bad field. */
export function validate<T>(schema: Joi.Schema<T>, value: unknown): T {
  const protoPath = findPrototypeKey(value);
  if (protoPath) {
    // joi's clone would quietly turn a `__proto__` key into a prototype; refuse it instead.
    throw new HttpError(400, 'validation_failed', 'Some fields are not valid.', [{ field: protoPath, message: `${protoPath} is not allowed` }]);
  }
  const { value: cleaned, error } = schema.validate(value ?? {}, { abortEarly: false });
  if (error) {
    const details = error.details.map((detail) => ({
      field: detail.path.join('.') || '(body)',
      message: detail.message.replace(/"/g, ''),
    }));
    throw new HttpError(400, 'validation_failed', 'Some fields are not valid.', details);
  }
  return cleaned as T;
}

/** The path of the first own `__proto__` key in a parsed body or query, or undefined. */
function findPrototypeKey(value: unknown, path = '', depth = 0): string | undefined {
  if (value === null || typeof value !== 'object' || depth > 20) return undefined;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '__proto__') return here;
    const found = findPrototypeKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Express wrapper for async handlers (Express 4 does not catch rejected promises). */
export function asyncRoute(
  handler: (req: Request, res: Response, next: NextFunction) => Promise<void>,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    handler(req, res, next).catch(next);
  };
}
