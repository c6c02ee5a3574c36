import type { IsPublicRoute, RouteBody, RouteKey, RouteQuery, RouteResponse } from '../domain/contract';
import type { OneRosterUser, ResolvedOptions } from '../options';
import type { Services } from '../services';

/** What a handler sees of a request: plain data, typed by its route, never Express objects. */
export interface HandlerInput<K extends RouteKey> {
  /** Path parameters, e.g. `{ id: '12' }`. */
  params: Record<string, string>;
  /** The query, already validated into the route's type. */
  query: RouteQuery<K>;
  /** The body, already validated into the route's type. */
  body: RouteBody<K>;
  /** The signed-in user with Manage Settings; null only on public routes. */
  user: IsPublicRoute<K> extends true ? null : OneRosterUser;
  /** The module's services. */
  services: Services;
  /** Request headers, lower-case names (first value of repeated ones); e.g. `if-none-match` for the widget script. */
  headers: Record<string, string | undefined>;
}

/** Raw content answered instead of JSON (a file route). */
export interface RawContent {
  /** The bytes or text. */
  content: string | Buffer;
  /** Its `Content-Type`. */
  contentType: string;
}

/** What a handler answers: a status with the route's JSON body, raw content, or nothing (304). */
export type HandlerResult<R> = { status: number; headers?: Record<string, string> } & (
  | { body: R; raw?: never }
  | { raw: RawContent; body?: never }
  | { status: 304; body?: never; raw?: never }
);

/**
 * Reads a route's body or query into its contract type, or throws `validation_failed`. Made once
 * per router from the options (a provider URL's rules depend on them).
 */
export type InputRule<T> = (options: ResolvedOptions) => (raw: unknown) => T;

/** One route as written in the table: what it does, how its input is read, and its handler. */
export type RouteSpec<K extends RouteKey> = {
  /** What the route does, in a few words (used in docs and the access table). */
  summary: string;
  /** How the body is read; a route without one reads none (its handler sees `undefined`). */
  body?: InputRule<RouteBody<K>>;
  /** How the query is read; a route without one reads none. */
  query?: InputRule<RouteQuery<K>>;
  /** Validates → calls a service → presents. */
  handler(input: HandlerInput<K>): Promise<HandlerResult<RouteResponse<K>>>;
} & (IsPublicRoute<K> extends true ? { public: true } : { public?: never });

/** The whole route table: one spec for every route of the contract, no more, no less. */
export type RouteTable = { [K in RouteKey]: RouteSpec<K> };

/**
 * A route's spec with its types erased, as the router holds it. The router hands each handler
 * exactly what that route's own rules read, so the erasure is safe; it happens in one place
 * (`routes/index.ts`).
 */
export interface ErasedRouteSpec {
  /** What the route does. */
  summary: string;
  /** Reachable without a signed-in user. */
  public?: boolean;
  /** How the body is read. */
  body?: InputRule<unknown>;
  /** How the query is read. */
  query?: InputRule<unknown>;
  /** The handler. */
  handler(input: {
    params: Record<string, string>;
    query: unknown;
    body: unknown;
    user: OneRosterUser | null;
    services: Services;
    headers: Record<string, string | undefined>;
  }): Promise<HandlerResult<unknown>>;
}

/** One row of the route table as the router and the docs read it (method and path split out). */
export interface Route {
  /** The table's key, e.g. `GET /runs/:id`. */
  key: RouteKey;
  /** HTTP method. */
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path below the mount point, e.g. `/runs/:id`. */
  path: string;
  /** What the route does, in a few words. */
  summary: string;
  /** Reachable without a signed-in user with Manage Settings. Only the widget script is. */
  public: boolean;
  /** The route's spec. */
  spec: ErasedRouteSpec;
}
