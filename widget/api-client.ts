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
  RunKind,
  RunResponse,
  RunStatus,
  RunSummary,
  RunTrigger,
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

/** Filters for the run history. */
export interface RunListQuery {
  limit?: number;
  offset?: number;
  kind?: RunKind;
  status?: RunStatus;
  trigger?: RunTrigger;
}

/**
 * The widget's only way to the server: one typed method per endpoint of the HTTP contract.
 * Every request is same-origin with credentials; state-changing ones send JSON and the CSRF header.
 */
export class ApiClient {
  private readonly settings: () => ApiClientSettings;

  constructor(settings: () => ApiClientSettings) {
    this.settings = settings;
  }

  /** `GET /config`. */
  getConfig(): Promise<ConfigView> {
    return this.request('GET', '/config');
  }

  /** `POST /config/test`: always answers; `ok` says whether the test passed. */
  testConfig(input: ConfigInput): Promise<TestResult> {
    return this.request('POST', '/config/test', input);
  }

  /** `PUT /config`: validates, re-tests, saves and enables OneRoster. */
  saveConfig(input: ConfigInput): Promise<ConfigView> {
    return this.request('PUT', '/config', input);
  }

  /** `DELETE /config`: turns OneRoster off; data and history stay. */
  disable(): Promise<ConfigView> {
    return this.request('DELETE', '/config');
  }

  /** `POST /sync/buildings`. */
  async syncBuildings(): Promise<RunView> {
    const answer = await this.request<RunResponse>('POST', '/sync/buildings', {});
    return answer.run;
  }

  /** `POST /sync/users`. */
  async syncUsers(input: UserSyncInput = {}): Promise<RunView> {
    const answer = await this.request<RunResponse>('POST', '/sync/users', input);
    return answer.run;
  }

  /** `GET /runs`: history, newest first. */
  listRuns(query: RunListQuery = {}): Promise<ListResponse<RunSummary>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return this.request('GET', `/runs${search ? `?${search}` : ''}`);
  }

  /** `GET /runs/:id`. */
  getRun(id: number): Promise<RunView> {
    return this.request('GET', `/runs/${encodeURIComponent(String(id))}`);
  }

  /** `POST /runs/:id/approve`: applies a held run as planned. */
  async approveRun(id: number): Promise<RunView> {
    const answer = await this.request<RunResponse>('POST', `/runs/${encodeURIComponent(String(id))}/approve`, {});
    return answer.run;
  }

  /** `POST /runs/:id/cancel`: discards a held run. */
  async cancelRun(id: number): Promise<RunView> {
    const answer = await this.request<RunResponse>('POST', `/runs/${encodeURIComponent(String(id))}/cancel`, {});
    return answer.run;
  }

  /** `GET /status`: what needs the admin's attention. */
  getStatus(): Promise<ConsoleStatus> {
    return this.request('GET', '/status');
  }

  /** `GET /automation/status`: the daily sync's health over 30 days. */
  getAutomationStatus(): Promise<AutomationStatusView> {
    return this.request('GET', '/automation/status');
  }

  /** `GET /buildings/matching`: schools beside buildings, with proposed matches. */
  getBuildingMatching(): Promise<BuildingMatchingView> {
    return this.request('GET', '/buildings/matching');
  }

  /** `PUT /buildings/matching`: writes the confirmed Building SIS values. */
  saveBuildingMatching(input: BuildingMatchingInput): Promise<BuildingMatchingView> {
    return this.request('PUT', '/buildings/matching', input);
  }

  /** The address of `GET /runs/:id/issues.csv`, for a download link. */
  issuesCsvUrl(id: number): string {
    return joinPath(this.settings().apiBase, `/runs/${encodeURIComponent(String(id))}/issues.csv`);
  }

  /** `GET /automation`. */
  getAutomation(): Promise<AutomationView> {
    return this.request('GET', '/automation');
  }

  /** `PUT /automation` with any subset of the settings. */
  saveAutomation(patch: Partial<AutomationSettings>): Promise<AutomationView> {
    return this.request('PUT', '/automation', patch);
  }

  private async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const { apiBase, csrfToken, csrfHeader } = this.settings();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (method !== 'GET') {
      // The router refuses state-changing requests that are not JSON, even bodiless DELETEs.
      headers['Content-Type'] = 'application/json';
      if (csrfToken) headers[csrfHeader || 'X-CSRF-Token'] = csrfToken;
    }
    let response: Response;
    try {
      response = await fetch(joinPath(apiBase, path), {
        method,
        headers,
        credentials: 'same-origin',
        body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
      });
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
    const payload = await readJson(response);
    if (!response.ok) throw toApiError(response.status, payload);
    return payload as T;
  }
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
