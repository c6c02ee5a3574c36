import type {
  AutomationSettings,
  AutomationStatusView,
  AutomationView,
  BuildingMatchingInput,
  BuildingMatchingView,
  ConsoleStatus,
  ConfigInput,
  ConfigView,
  ErrorResponse,
  ListResponse,
  RouteBody,
  RouteKey,
  RouteQuery,
  RouteResponse,
  RunListQuery,
  RunSummary,
  RunView,
  TestResult,
  UserSyncInput,
} from '../server/domain/contract';

/** Where the client sends requests and which CSRF token it adds; read on every request so attribute changes apply. */
export interface ApiClientSettings {
  /** The router's mount path, e.g. `/settings/automation/oneroster`. */
  apiBase: string;
  /** The host's CSRF token, sent on every state-changing request when set. */
  csrfToken?: string | null;
  /** Header carrying the CSRF token. Defaults to `X-CSRF-Token`. */
  csrfHeader?: string | null;
}

/** An error answer of the API (or a network failure, status 0), with its stable code. */
export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** Stable snake_case code, e.g. `sync_in_progress`. */
  readonly code: string;
  /** Machine-readable details the server sent (field errors, a test result, a run id). */
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** What one call sends, as its route reads it: path parameters, the body, the query. */
interface CallInput<K extends RouteKey> {
  params?: Record<string, string | number>;
  body?: RouteBody<K>;
  query?: RouteQuery<K>;
}

/**
 * The widget's only way to the server: one typed method per route of the contract's `ApiRoutes`
 * map, so each call's body and answer are the route's own types. Every request is same-origin
 * with credentials; state-changing ones send JSON and the CSRF header.
 */
export class ApiClient {
  private readonly settings: () => ApiClientSettings;

  constructor(settings: () => ApiClientSettings) {
    this.settings = settings;
  }

  /** `GET /config`. */
  getConfig(): Promise<ConfigView> {
    return this.call('GET /config');
  }

  /** `POST /config/test`: always answers; `ok` says whether the test passed. */
  testConfig(input: ConfigInput): Promise<TestResult> {
    return this.call('POST /config/test', { body: input });
  }

  /** `PUT /config`: validates, re-tests, saves and enables OneRoster. */
  saveConfig(input: ConfigInput): Promise<ConfigView> {
    return this.call('PUT /config', { body: input });
  }

  /** `DELETE /config`: turns OneRoster off; data and history stay. */
  disable(): Promise<ConfigView> {
    return this.call('DELETE /config');
  }

  /** `POST /sync/buildings`. */
  async syncBuildings(): Promise<RunView> {
    return (await this.call('POST /sync/buildings', { body: {} })).run;
  }

  /** `POST /sync/users`. */
  async syncUsers(input: UserSyncInput = {}): Promise<RunView> {
    return (await this.call('POST /sync/users', { body: input })).run;
  }

  /** `GET /runs`: history, newest first. */
  listRuns(query: RunListQuery = {}): Promise<ListResponse<RunSummary>> {
    return this.call('GET /runs', { query });
  }

  /** `GET /runs/:id`. */
  getRun(id: number): Promise<RunView> {
    return this.call('GET /runs/:id', { params: { id } });
  }

  /** `POST /runs/:id/approve`: applies a held run as planned. */
  async approveRun(id: number): Promise<RunView> {
    return (await this.call('POST /runs/:id/approve', { params: { id }, body: {} })).run;
  }

  /** `POST /runs/:id/cancel`: discards a held run. */
  async cancelRun(id: number): Promise<RunView> {
    return (await this.call('POST /runs/:id/cancel', { params: { id }, body: {} })).run;
  }

  /** `GET /status`: what needs the admin's attention. */
  getStatus(): Promise<ConsoleStatus> {
    return this.call('GET /status');
  }

  /** `GET /automation/status`: the daily sync's health over 30 days. */
  getAutomationStatus(): Promise<AutomationStatusView> {
    return this.call('GET /automation/status');
  }

  /** `GET /buildings/matching`: schools beside buildings, with proposed matches. */
  getBuildingMatching(): Promise<BuildingMatchingView> {
    return this.call('GET /buildings/matching');
  }

  /** `PUT /buildings/matching`: writes the confirmed Building SIS values. */
  saveBuildingMatching(input: BuildingMatchingInput): Promise<BuildingMatchingView> {
    return this.call('PUT /buildings/matching', { body: input });
  }

  /** The address of `GET /runs/:id/issues.csv`, for a download link. */
  issuesCsvUrl(id: number): string {
    return joinPath(this.settings().apiBase, routePath('GET /runs/:id/issues.csv', { params: { id } }));
  }

  /** `GET /automation`. */
  getAutomation(): Promise<AutomationView> {
    return this.call('GET /automation');
  }

  /** `PUT /automation` with any subset of the settings. */
  saveAutomation(patch: Partial<AutomationSettings>): Promise<AutomationView> {
    return this.call('PUT /automation', { body: patch });
  }

  /** Sends one route's request and answers with that route's response type. */
  private async call<K extends RouteKey>(route: K, input: CallInput<K> = {}): Promise<RouteResponse<K>> {
    const method = route.slice(0, route.indexOf(' '));
    const { apiBase, csrfToken, csrfHeader } = this.settings();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (method !== 'GET') {
      // The router refuses state-changing requests that are not JSON, even bodiless DELETEs.
      headers['Content-Type'] = 'application/json';
      if (csrfToken) headers[csrfHeader || 'X-CSRF-Token'] = csrfToken;
    }
    let response: Response;
    try {
      response = await fetch(joinPath(apiBase, routePath(route, input)), {
        method,
        headers,
        credentials: 'same-origin',
        body: method === 'GET' ? undefined : JSON.stringify(input.body ?? {}),
      });
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
    const payload = await readJson(response);
    if (!response.ok) throw toApiError(response.status, payload);
    // The one place an answer is taken to be its route's type: the server builds it from the same map.
    return payload as RouteResponse<K>;
  }
}

/** A route's path with its parameters filled in and its query appended (empty values left out). */
function routePath<K extends RouteKey>(route: K, input: CallInput<K>): string {
  const path = route.slice(route.indexOf(' ') + 1).replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(input.params?.[name] ?? '')));
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

function joinPath(base: string, path: string): string {
  return `${(base || '').replace(/\/+$/, '')}${path}`;
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Reads the contract's error shape; anything else (a proxy's HTML page) becomes a code from the status. */
function toApiError(status: number, payload: unknown): ApiError {
  const error = (payload as Partial<ErrorResponse> | null)?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(status, error.code, typeof error.message === 'string' ? error.message : '', error.details);
  }
  const fallback = status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : `http_${status}`;
  return new ApiError(status, fallback, `The server answered ${status}.`);
}
