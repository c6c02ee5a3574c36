import type { OneRosterUser } from '../options';
import type { Services } from '../services';

/** What a handler sees of a request: plain data, never Express objects. */
export interface HandlerInput {
  /** Path parameters, e.g. `{ id: '12' }`. */
  params: Record<string, string>;
  /** Query string values (first value of each). */
  query: Record<string, string | undefined>;
  /** The parsed JSON body (`{}` when none). */
  body: unknown;
  /** The signed-in user (null only on public routes). */
  user: OneRosterUser | null;
  /** The module's services. */
  services: Services;
  /** Request headers, lower-case names (first value of repeated ones); e.g. `if-none-match` for the widget script. */
  headers?: Record<string, string | undefined>;
}

/** What a handler answers: a status and a JSON body, or raw content for a file route. */
export interface HandlerResult {
  /** HTTP status. */
  status: number;
  /** JSON body (omit for 204 or raw). */
  body?: unknown;
  /** Raw content instead of JSON (the widget script). */
  raw?: { content: string | Buffer; contentType: string };
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** One row of the route table. */
export interface Route {
  /** HTTP method. */
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path below the mount point, e.g. `/runs/:id`. */
  path: string;
  /** What the route does, in a few words (used in docs and the access table). */
  summary: string;
  /** Reachable without a signed-in user with Manage Settings. Only the widget script is. */
  public?: boolean;
  /** The handler. */
  handler: (input: HandlerInput) => Promise<HandlerResult> | HandlerResult;
}
