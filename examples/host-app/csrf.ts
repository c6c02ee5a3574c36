import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './http-error';

declare module 'express-session' {
  interface SessionData {
    /** The session's CSRF token, sent back by the host's forms, its fetches and the widget. */
    csrfToken?: string;
  }
}

/** Header that carries the token on script requests (the widget and `fetch`). */
export const CSRF_HEADER = 'x-csrf-token';
/** Form field that carries the token on HTML form posts. */
export const CSRF_FIELD = '_csrf';

/** The session's CSRF token, made on first use. */
export function csrfToken(req: Request): string {
  if (!req.session.csrfToken) req.session.csrfToken = randomBytes(24).toString('base64url');
  return req.session.csrfToken;
}

/**
 * Refuses a state-changing request (403 `csrf_failed`) unless it carries the session's token in
 * the `X-CSRF-Token` header or the `_csrf` form field. Put after body parsing for forms.
 */
export function requireCsrfToken(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const expected = req.session?.csrfToken;
  const body = req.body as Record<string, unknown> | undefined;
  const formToken = body && typeof body === 'object' && !Array.isArray(body) ? body[CSRF_FIELD] : undefined;
  const sent = req.get(CSRF_HEADER) ?? (typeof formToken === 'string' ? formToken : undefined);
  if (!expected || !sent || !sameText(expected, sent)) {
    return next(new HttpError(403, 'csrf_failed', 'This page has expired or the request did not come from it. Reload the page and try again.'));
  }
  next();
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
