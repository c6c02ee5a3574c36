import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { errors, OneRosterError, toErrorBody } from '../domain/errors';
import { errorForLog } from '../logger';
import type { ResolvedOptions, OneRosterUser } from '../options';
import type { Services } from '../services';
import type { HandlerResult, Route } from './types';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The services a request is served by: one set for a single-district router, or the set of the
 * request's district (resolved once per request; public routes, which need no district, get `public: true`).
 */
export type ServicesFor = Services | ((req: Request, route: { public: boolean }) => Promise<Services>);

/**
 * Builds the Express router from the route table: JSON parsing with a size limit, the JSON-only
 * rule for state-changing requests, the permission guard, the handler, and one error middleware.
 * Works in Express 4 and 5 hosts (no async middleware relies on Express catching promises).
 */
export function buildRouter(routes: readonly Route[], services: ServicesFor, options: ResolvedOptions): Router {
  const router = express.Router();
  const parseJson = express.json({ limit: options.bodyLimit, strict: true, type: () => true });

  for (const route of routes) {
    const readers: InputReaders = { body: route.spec.body?.(options), query: route.spec.query?.(options) };
    router[route.method](route.path, (req: Request, res: Response, next: NextFunction) => {
      handle(route, readers, req, res, services, options, parseJson).catch(next);
    });
  }
  router.use((_req: Request, _res: Response, next: NextFunction) => next(errors.notFound('endpoint')));
  router.use(errorMiddleware(options));
  return router;
}

/** A route's body and query readers, made once from the options. */
interface InputReaders {
  body?: (raw: unknown) => unknown;
  query?: (raw: unknown) => unknown;
}

/** Authorize → read the JSON body → validate body and query → the handler → send. */
async function handle(
  route: Route,
  readers: InputReaders,
  req: Request,
  res: Response,
  servicesFor: ServicesFor,
  options: ResolvedOptions,
  parseJson: express.RequestHandler,
): Promise<void> {
  const user = route.public ? null : await authorize(req, options);
  const services = typeof servicesFor === 'function' ? await servicesFor(req, { public: route.public === true }) : servicesFor;
  if (STATE_CHANGING.has(req.method)) {
    // JSON only: also stops cross-site form posts, which cannot send this content type.
    if (!req.is('application/json')) throw errors.unsupportedMediaType();
    await new Promise<void>((resolve, reject) => parseJson(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    refusePrototypeKeys(req.body);
  }
  const result = await route.spec.handler({
    params: { ...req.params } as Record<string, string>,
    query: readers.query?.(plainQuery(req.query)),
    body: readers.body?.(req.body === undefined || req.body === null ? {} : req.body),
    user,
    services,
    headers: plainHeaders(req.headers),
  });
  send(res, result);
}

/** Applies the host's permission check: 401 for nobody, 403 without Manage Settings. */
async function authorize(req: Request, options: ResolvedOptions): Promise<OneRosterUser> {
  const user = options.currentUser(req);
  if (!user) throw errors.unauthenticated();
  if (!(await options.canManageSettings(user, req))) throw errors.forbidden();
  return user;
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deepest nesting a body may have: no route takes more than a few levels, and recursion has limits. */
const MAX_BODY_DEPTH = 32;

/**
 * Refuses bodies carrying `__proto__`, `constructor` or `prototype` keys at any depth (joi drops
 * such keys silently when it copies a body, so without this they would pass validation unseen),
 * and bodies nested deeper than any route needs (a 5,000-deep one would overflow the stack).
 */
function refusePrototypeKeys(body: unknown, path: string[] = []): void {
  if (!body || typeof body !== 'object') return;
  if (path.length >= MAX_BODY_DEPTH) {
    throw errors.validation([{ field: path.slice(0, 3).join('.'), message: `is nested more than ${MAX_BODY_DEPTH} levels deep` }]);
  }
  for (const [key, value] of Object.entries(body)) {
    if (PROTOTYPE_KEYS.has(key)) {
      throw errors.validation([{ field: [...path, key].join('.'), message: `${key} is not allowed` }]);
    }
    refusePrototypeKeys(value, [...path, key]);
  }
}

/** Keeps only string query values (first of repeated ones), so nested objects never reach handlers. */
function plainQuery(query: unknown): Record<string, string | undefined> {
  const plain: Record<string, string | undefined> = Object.create(null);
  if (!query || typeof query !== 'object') return plain;
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') plain[key] = first;
  }
  return plain;
}

/** Request headers as plain strings (first value of repeated ones). */
function plainHeaders(headers: Request['headers']): Record<string, string | undefined> {
  const plain: Record<string, string | undefined> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) plain[name] = Array.isArray(value) ? value[0] : value;
  return plain;
}

function send(res: Response, result: HandlerResult<unknown>): void {
  res.status(result.status);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.raw) {
    res.type(result.raw.contentType).send(result.raw.content);
  } else if (result.body === undefined) {
    res.end();
  } else {
    res.setHeader('Cache-Control', 'no-store');
    res.json(result.body);
  }
}

/** The one place errors become responses. Unknown errors are logged with their stack and answered generically. */
function errorMiddleware(options: ResolvedOptions) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const known = translateParserError(err);
    const { status, body } = toErrorBody(known);
    if (status >= 500) {
      options.logger.error('request failed', { method: req.method, path: req.path, error: errorText(err) });
    }
    if (res.headersSent) return;
    res.status(status).setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}

/**
 * body-parser signals bad JSON and oversized bodies with `type`; turn those into our codes. Any
 * other client error Express or body-parser raise (a path parameter that is not valid
 * percent-encoding, a body whose gzip is broken) is a 400 with the error shape, never a 500.
 */
function translateParserError(err: unknown): unknown {
  if (err instanceof OneRosterError) return err;
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return errors.badJson();
  if (type === 'entity.too.large') return errors.bodyTooLarge();
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return errors.unsupportedMediaType();
  if (err instanceof URIError) return errors.invalidPath();
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true) {
    return errors.invalidBody();
  }
  return err;
}

function errorText(err: unknown): string {
  return errorForLog(err, true);
}
