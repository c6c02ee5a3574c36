import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type {
  AutomationSettings,
  AutomationView,
  ConfigInput,
  ConfigView,
  FieldErrorDetail,
  HeldPlan,
  KindCounts,
  RecordKind,
  RunKind,
  RunSummary,
  RunView,
  SavedConfigView,
  TestResult,
} from '../../server/domain/contract';
import { createWidgetAssets } from '../../server/http/widget-assets';

/**
 * A small stateful stand-in for the OneRoster router, implementing the HTTP contract
 * (server/domain/contract.ts, product.md §5) so the widget can be driven in a browser while the
 * real services are being written. It also serves the built widget and a host page.
 */

/** Where the fake mounts its API, as the monolith does. */
export const MOUNT = '/settings/automation/oneroster';
/** The CSRF token the host page hands the widget; state-changing requests without it get 403. */
export const CSRF_TOKEN = 'csrf-token-4f2a9';
/** The only ClassLink Tenant ID the fake accepts. */
export const GOOD_TENANT = '2';
/** Credentials the fake accepts for Infinite Campus and other providers. */
export const GOOD_CLIENT = { clientId: 'good-client', clientSecret: 'good-secret' };
/** A roster name that would run script if it were ever put into the page as HTML. */
export const XSS_NAME = '<img src=x onerror="window.__xss=1">';

/** Who the fake thinks is signed in. */
export type FakeUser = 'admin' | 'teacher' | 'nobody';

/** One request the fake received (for asserting the CSRF header and bodies). */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The value of the CSRF header the fake expects (`csrfHeader`), if sent. */
  csrf: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** Handles and knobs of a running fake. */
export interface FakeApi {
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Every API request received, in order. */
  requests: RecordedRequest[];
  /** Who is signed in. Defaults to `admin`. */
  user: FakeUser;
  /** While true, runs do not advance when polled (to hold one "running" across a reload). */
  frozen: boolean;
  /** The header name the CSRF token must arrive in. Defaults to `x-csrf-token`. */
  csrfHeader: string;
  /** When true, the next user sync ends held by the safeguard. */
  holdNextUserSync: boolean;
  /** Seeds a saved, enabled configuration, optionally with a succeeded building sync. */
  seedConfigured(options?: { provider?: 'classlink' | 'infinitecampus'; buildingsSynced?: boolean }): void;
  /** Seeds `count` ended runs into the history (alternating kinds), oldest first. */
  seedHistory(count: number): void;
  /** Seeds a user run held by the safeguard and answers it. */
  seedHeldRun(): RunView;
  /** Current automation settings. */
  automation(): AutomationSettings;
  /** The saved configuration, if any (what the widget last saved). */
  savedConfig(): SavedConfigView | null;
  close(): Promise<void>;
}

interface State {
  saved: (SavedConfigView & { secret?: string }) | null;
  enabled: boolean;
  lastTest: (TestResult & { at: string }) | null;
  runs: RunView[];
  automation: AutomationSettings;
}

/** Starts the fake on a free loopback port. */
export async function startFakeApi(): Promise<FakeApi> {
  const state: State = {
    saved: null,
    enabled: false,
    lastTest: null,
    runs: [],
    automation: { studentImport: true, staffImport: true, dailyTime: '02:00', timezone: 'America/Chicago', fullSyncEvery: 7, paused: false, deactivateMissing: true, gradeMatrix: {}, districtOffices: true, orgBuildings: {} },
  };
  const widget = createWidgetAssets();
  const app = express();
  const fake = {
    url: '',
    requests: [] as RecordedRequest[],
    user: 'admin' as FakeUser,
    frozen: false,
    csrfHeader: 'x-csrf-token',
    holdNextUserSync: false,
  };

  app.get('/', (req, res) => res.type('html').send(hostPage(req.query)));
  app.get(`${MOUNT}/widget/oneroster-settings.js`, async (_req, res) => {
    const script = await widget.script();
    if (!script) return void res.status(404).json({ error: { code: 'widget_not_built', message: 'Build the widget.' } });
    res.setHeader('ETag', script.etag);
    res.type('application/javascript').send(script.content);
  });

  const api = express.Router();
  api.use(express.json({ type: () => true }));
  api.use((req: Request, _res: Response, next: NextFunction) => {
    fake.requests.push({ method: req.method, path: req.path, csrf: req.get(fake.csrfHeader), contentType: req.get('content-type'), body: req.body });
    if (fake.user === 'nobody') return next(fail(401, 'unauthenticated', 'Sign in to manage OneRoster settings.'));
    if (fake.user === 'teacher') return next(fail(403, 'forbidden', 'You need the Manage Settings permission.'));
    if (req.method !== 'GET') {
      if (!req.is('application/json')) return next(fail(415, 'unsupported_media_type', 'Send JSON.'));
      if (req.get(fake.csrfHeader) !== CSRF_TOKEN) return next(fail(403, 'csrf_failed', 'Reload the page.'));
    }
    next();
  });

  api.get('/config', (_req, res) => res.json(configView(state)));
  api.post('/config/test', (req, res) => {
    const body = req.body as Partial<ConfigInput>;
    const input = Object.keys(body ?? {}).length ? body : savedAsInput(state);
    if (!input) throw fail(409, 'not_configured', 'Nothing saved.');
    checkConfig(input, state);
    const result = testConnection(input, state);
    state.lastTest = { ...result, at: new Date().toISOString() };
    res.json(result);
  });
  api.put('/config', (req, res) => {
    const input = req.body as ConfigInput;
    checkConfig(input, state);
    const result = testConnection(input, state);
    if (!result.ok) throw fail(422, 'connection_test_failed', 'The test failed.', result);
    const synced = state.runs.some((r) => r.status === 'succeeded');
    if (state.saved && state.saved.provider !== input.provider && synced && input.confirmProviderSwitch !== true) {
      throw fail(409, 'provider_switch_requires_confirmation', 'Confirm the switch.', { from: state.saved.provider, to: input.provider });
    }
    const keepSecret = state.saved?.provider === input.provider ? state.saved.secret : undefined;
    const secret = input.clientSecret || keepSecret;
    state.saved = {
      provider: input.provider, tenantId: input.tenantId, version: input.version, auth: input.auth, baseUrl: input.baseUrl,
      tokenUrl: input.tokenUrl, clientId: input.clientId, clientSecret: { set: !!secret }, secret,
      updatedAt: new Date().toISOString(), updatedBy: 'Ada Admin',
    };
    state.enabled = true;
    state.lastTest = { ...result, at: new Date().toISOString() };
    res.json(configView(state));
  });
  api.delete('/config', (_req, res) => {
    state.enabled = false;
    res.json(configView(state));
  });

  api.post('/sync/buildings', (_req, res) => res.status(202).json({ run: startRun(state, 'buildings') }));
  api.post('/sync/users', (req, res) => {
    if (!state.runs.some((r) => r.kind === 'buildings' && r.status === 'succeeded')) {
      throw fail(409, 'buildings_not_synced', 'Sync buildings first.');
    }
    const run = startRun(state, 'users', (req.body as { mode?: 'full' | 'delta' }).mode);
    if (fake.holdNextUserSync) {
      (run as RunView & { endsHeld?: boolean }).endsHeld = true;
      fake.holdNextUserSync = false;
    }
    res.status(202).json({ run: present(run) });
  });
  api.get('/runs', (req, res) => {
    const limit = Number(req.query.limit ?? 20);
    const offset = Number(req.query.offset ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200 || !Number.isInteger(offset) || offset < 0) {
      throw fail(400, 'validation_failed', 'Bad paging.', [{ field: 'limit', message: 'limit must be between 1 and 200' }]);
    }
    const matching = [...state.runs]
      .reverse()
      .filter((r) => (!req.query.kind || r.kind === req.query.kind) && (!req.query.status || r.status === req.query.status));
    res.json({ total: matching.length, items: matching.slice(offset, offset + limit).map(summarize) });
  });
  api.get('/runs/:id', (req, res) => {
    const run = findRun(state, req.params.id);
    if (!fake.frozen) advance(run);
    res.json(present(run));
  });
  api.post('/runs/:id/approve', (req, res) => {
    const run = findRun(state, req.params.id);
    if (run.status !== 'held' || !run.plan) throw fail(409, 'run_not_held', 'Not held.');
    run.status = 'running';
    run.phase = 'applying';
    run.counts.kinds = run.plan.counts;
    run.plan = null;
    res.json({ run: present(run) });
  });
  api.post('/runs/:id/cancel', (req, res) => {
    const run = findRun(state, req.params.id);
    if (run.status !== 'held' && run.status !== 'queued') throw fail(409, 'run_not_held', 'Not held.');
    finish(run, 'cancelled');
    run.plan = null;
    res.json({ run: present(run) });
  });

  api.get('/automation', (_req, res) => res.json(automationView(state.automation)));
  api.put('/automation', (req, res) => {
    state.automation = { ...state.automation, ...checkAutomation(req.body) };
    res.json(automationView(state.automation));
  });

  api.use((_req: Request, _res: Response, next: NextFunction) => next(fail(404, 'not_found', 'No such endpoint.')));
  api.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof FakeError ? err : fail(500, 'internal_error', 'Something went wrong.');
    if (!(err instanceof FakeError)) console.error(err);
    res.status(known.status).json({ error: { code: known.code, message: known.message, ...(known.details !== undefined ? { details: known.details } : {}) } });
  });
  app.use(MOUNT, api);

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return Object.assign(fake, {
    seedConfigured(options: { provider?: 'classlink' | 'infinitecampus'; buildingsSynced?: boolean } = {}) {
      const provider = options.provider ?? 'classlink';
      state.saved =
        provider === 'classlink'
          ? { provider, tenantId: GOOD_TENANT, clientSecret: { set: false }, updatedAt: new Date().toISOString(), updatedBy: 'Ada Admin' }
          : {
              provider, version: '1.2', baseUrl: 'https://campus.example.org/ims/oneroster/rostering/v1p2', tokenUrl: 'https://campus.example.org/oauth2/token',
              clientId: GOOD_CLIENT.clientId, clientSecret: { set: true }, secret: GOOD_CLIENT.clientSecret, updatedAt: new Date().toISOString(), updatedBy: 'Ada Admin',
            };
      state.enabled = true;
      if (options.buildingsSynced) {
        const run = startRun(state, 'buildings');
        finish(run, 'succeeded');
      }
    },
    seedHistory(count: number) {
      for (let i = 0; i < count; i += 1) {
        const run = startRun(state, i % 2 === 0 ? 'buildings' : 'users', 'full', i % 3 === 0 ? 'schedule' : 'manual');
        finish(run, i % 7 === 6 ? 'failed' : 'succeeded');
      }
    },
    seedHeldRun() {
      const run = startRun(state, 'users');
      finish(run, 'held');
      return present(run);
    },
    automation: () => ({ ...state.automation }),
    savedConfig: () => (state.saved ? { ...state.saved } : null),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  });
}

/* ---------- the contract's behaviour ---------- */

class FakeError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

function fail(status: number, code: string, message: string, details?: unknown): FakeError {
  return new FakeError(status, code, message, details);
}

function configView(state: State): ConfigView {
  const latest = (kind: RunKind) => [...state.runs].reverse().find((r) => r.kind === kind) ?? null;
  const succeeded = state.runs.filter((r) => r.status === 'succeeded');
  const building = latest('buildings');
  const users = latest('users');
  let config: SavedConfigView | null = null;
  if (state.saved) {
    const { secret: _secret, ...visible } = state.saved;
    config = visible;
  }
  return {
    configured: !!state.saved,
    enabled: state.enabled,
    config,
    classlinkAvailable: true,
    lastTest: state.lastTest,
    lastBuildingSync: building ? summarize(building) : null,
    lastUserSync: users ? summarize(users) : null,
    lastSuccessfulSyncAt: succeeded.length ? succeeded[succeeded.length - 1]!.finishedAt : null,
    buildingsSynced: succeeded.some((r) => r.kind === 'buildings'),
    activeRun: null,
    heldRun: null,
    lastRun: null,
    lastDailySuccessAt: null,
    dailyStale: false,
  };
}

function savedAsInput(state: State): ConfigInput | null {
  if (!state.saved) return null;
  const { clientSecret: _set, secret, updatedAt: _at, updatedBy: _by, ...rest } = state.saved;
  return { ...rest, clientSecret: secret };
}

/** joi-like validation: 400 `validation_failed` with one entry per bad field. */
function checkConfig(input: Partial<ConfigInput>, state: State): void {
  const problems: FieldErrorDetail[] = [];
  const need = (field: keyof ConfigInput) => {
    const value = input[field];
    if (typeof value !== 'string' || !value.trim()) problems.push({ field, message: `${field} is not allowed to be empty` });
  };
  const url = (field: 'baseUrl' | 'tokenUrl') => {
    const value = input[field];
    if (typeof value === 'string' && value && !/^https?:\/\/\S+$/.test(value)) problems.push({ field, message: `${field} must be a valid uri` });
  };
  if (!['classlink', 'infinitecampus', 'oneroster'].includes(String(input.provider))) {
    problems.push({ field: 'provider', message: 'provider must be one of [classlink, infinitecampus, oneroster]' });
  } else if (input.provider === 'classlink') {
    need('tenantId');
  } else {
    need('baseUrl');
    url('baseUrl');
    if (input.provider === 'infinitecampus' || input.auth === 'oauth2') {
      need('tokenUrl');
      url('tokenUrl');
    }
    need('clientId');
    const canKeep = !!state.saved && state.saved.provider === input.provider && state.saved.clientSecret.set;
    if (!input.clientSecret && !canKeep) problems.push({ field: 'clientSecret', message: 'clientSecret is required' });
  }
  if (problems.length) throw fail(400, 'validation_failed', 'Some fields are not valid.', problems);
}

const SCHOOLS = [
  { sourcedId: 'sch-101', name: 'Lincoln Elementary', identifier: '101' },
  { sourcedId: 'sch-102', name: XSS_NAME, identifier: '102' },
  { sourcedId: 'sch-301', name: 'Roosevelt High School', identifier: '301' },
];

function testConnection(input: Partial<ConfigInput>, state: State): TestResult {
  const schools = { count: SCHOOLS.length, sample: SCHOOLS };
  if (input.provider === 'classlink') {
    if (input.tenantId?.trim() !== GOOD_TENANT) {
      return {
        ok: false,
        steps: [{ name: 'resolve_tenant', ok: false, ms: 84, message: 'No district with this Tenant ID.' }],
        error: {
          code: 'tenant_not_found',
          message: 'ClassLink has no district with that Tenant ID.',
          hints: ['Verify the Tenant ID', 'Confirm the application was approved in ClassLink'],
        },
      };
    }
    return {
      ok: true,
      steps: [
        { name: 'resolve_tenant', ok: true, ms: 61, message: 'Found the district.' },
        { name: 'authenticate', ok: true, ms: 112, message: 'Signed in.' },
        { name: 'read_schools', ok: true, ms: 203, message: 'Read the first page of schools.' },
      ],
      schools,
    };
  }
  const keep = state.saved && state.saved.provider === input.provider ? state.saved.secret : undefined;
  const secret = input.clientSecret || keep;
  if (input.clientId !== GOOD_CLIENT.clientId || secret !== GOOD_CLIENT.clientSecret) {
    return {
      ok: false,
      steps: [{ name: 'authenticate', ok: false, ms: 140, message: 'The token endpoint answered 401.' }],
      error: { code: 'unauthorized', message: 'Rejected.', hints: ['The credentials were rejected or have expired', 'Check the client ID and secret'] },
    };
  }
  return {
    ok: true,
    steps: [
      { name: 'authenticate', ok: true, ms: 98, message: 'Got a token.' },
      { name: 'read_schools', ok: true, ms: 187, message: 'Read the first page of schools.' },
    ],
    schools,
  };
}

const TOTALS: Record<RunKind, number> = { buildings: 3, users: 240 };

function zeroCounts(): KindCounts {
  return { created: 0, updated: 0, unchanged: 0, linked: 0, rekeyed: 0, merged: 0, reactivated: 0, deactivated: 0, disabled: 0, skipped: 0 };
}

function startRun(state: State, kind: RunKind, mode: 'full' | 'delta' = 'full', trigger: RunView['trigger'] = 'manual'): RunView {
  if (!state.saved) throw fail(409, 'not_configured', 'OneRoster is not configured yet.');
  const active = state.runs.find((r) => r.status === 'queued' || r.status === 'running');
  if (active) throw fail(409, 'sync_in_progress', 'A sync is running.', { runId: active.id });
  const run: RunView = {
    id: state.runs.length + 1,
    kind,
    status: 'queued',
    trigger,
    mode,
    dryRun: false,
    requestedBy: trigger === 'manual' ? 'Ada Admin' : null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    decision: null,
    supersededBy: null,
    counts: { kinds: {}, skippedBySchool: {}, ignoredRoles: {}, unmatchedBuildings: [] },
    error: null,
    phase: 'queued',
    progress: { processed: 0, total: null },
    issues: [],
    issueCount: 0,
    plan: null,
  };
  state.runs.push(run);
  return run;
}

/** Moves a run one step on: queued → running (pulling thirds of the total) → applying → ended. */
function advance(run: RunView & { endsHeld?: boolean }): void {
  if (run.status === 'queued') {
    run.status = 'running';
    run.phase = 'pulling';
    run.startedAt = new Date().toISOString();
    run.progress = { processed: 0, total: TOTALS[run.kind] };
  } else if (run.status === 'running' && run.phase === 'applying') {
    finish(run, run.endsHeld ? 'held' : 'succeeded');
  } else if (run.status === 'running') {
    const total = run.progress.total ?? TOTALS[run.kind];
    run.progress = { processed: Math.min(total, run.progress.processed + total / 3), total };
    if (run.progress.processed >= total) run.phase = 'applying';
  }
}

function finish(run: RunView, status: 'succeeded' | 'failed' | 'held' | 'cancelled'): void {
  const started = run.startedAt ? Date.parse(run.startedAt) : Date.now() - 4200;
  run.startedAt ??= new Date(started).toISOString();
  run.status = status;
  run.phase = 'done';
  run.progress = { processed: TOTALS[run.kind], total: TOTALS[run.kind] };
  if (status === 'held') {
    run.plan = heldPlan();
    return;
  }
  if (status === 'cancelled') return;
  run.finishedAt = new Date().toISOString();
  run.durationMs = Math.max(1, Date.now() - started);
  if (status === 'failed') {
    run.error = { code: 'rate_limited', message: 'The provider answered 429 too many times.' };
    return;
  }
  if (run.counts.kinds && Object.keys(run.counts.kinds).length) return; // an approved plan's counts
  if (run.kind === 'buildings') {
    run.counts.kinds = { buildings: { ...zeroCounts(), created: 2, linked: 1 } };
    run.counts.unmatchedBuildings = [{ id: 9, name: 'District Office (manual)' }];
  } else {
    run.counts.kinds = {
      students: { ...zeroCounts(), created: 180, updated: 4, linked: 2, skipped: 5 },
      staff: { ...zeroCounts(), created: 46, updated: 1, disabled: 1 },
    };
    run.counts.skippedBySchool = { 'sch-999': 5 };
    run.counts.ignoredRoles = { guardian: 12 };
    run.issues = [
      { sourcedId: 'stu-0077', code: 'missing_name', message: 'Skipped: the record has no family name.' },
      { sourcedId: 'stf-0003', code: 'invalid_email', message: `Email dropped for ${XSS_NAME}: not a valid address.` },
    ];
    run.issueCount = 2;
  }
}

function heldPlan(): HeldPlan {
  const students: KindCounts = { ...zeroCounts(), updated: 3, unchanged: 257, deactivated: 40 };
  return {
    counts: { students },
    deactivations: { students: { planned: 40, active: 300, threshold: 30 } },
    samples: { students: [{ sourcedId: 'stu-0001', name: XSS_NAME }, { sourcedId: 'stu-0002', name: 'Grace Hopper' }] },
  };
}

function findRun(state: State, id: string | undefined): RunView {
  const run = state.runs.find((r) => String(r.id) === id);
  if (!run) throw fail(404, 'not_found', 'That run does not exist.');
  return run;
}

function summarize(run: RunView): RunSummary {
  const { phase: _p, progress: _g, issues: _i, issueCount: _c, plan: _l, ...summary } = run as RunView & { endsHeld?: boolean };
  delete (summary as { endsHeld?: boolean }).endsHeld;
  return JSON.parse(JSON.stringify(summary)) as RunSummary;
}

function present(run: RunView): RunView {
  const copy = JSON.parse(JSON.stringify(run)) as RunView & { endsHeld?: boolean };
  delete copy.endsHeld;
  return copy;
}

const AUTOMATION_KEYS: Array<keyof AutomationSettings> = ['studentImport', 'staffImport', 'dailyTime', 'timezone', 'fullSyncEvery', 'paused', 'deactivateMissing', 'gradeMatrix', 'districtOffices', 'orgBuildings'];

function checkAutomation(body: unknown): Partial<AutomationSettings> {
  const patch = (body ?? {}) as Record<string, unknown>;
  const problems: FieldErrorDetail[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!AUTOMATION_KEYS.includes(key as keyof AutomationSettings)) problems.push({ field: key, message: `${key} is not allowed` });
    else if (['studentImport', 'staffImport', 'paused', 'deactivateMissing'].includes(key) && typeof value !== 'boolean') problems.push({ field: key, message: `${key} must be a boolean` });
  }
  if ('dailyTime' in patch && !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(patch.dailyTime))) {
    problems.push({ field: 'dailyTime', message: 'dailyTime with value fails to match the HH:MM pattern' });
  }
  if ('timezone' in patch && !isTimeZone(patch.timezone)) problems.push({ field: 'timezone', message: 'timezone must be a valid IANA timezone' });
  if ('fullSyncEvery' in patch) {
    const days = patch.fullSyncEvery;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 30) {
      problems.push({ field: 'fullSyncEvery', message: 'fullSyncEvery must be greater than or equal to 1' });
    }
  }
  if (problems.length) throw fail(400, 'validation_failed', 'Some fields are not valid.', problems);
  return patch as Partial<AutomationSettings>;
}

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || !value) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function automationView(settings: AutomationSettings): AutomationView {
  const off = settings.paused || (!settings.studentImport && !settings.staffImport);
  return { ...settings, nextRunAt: off ? null : nextRun(settings.dailyTime, settings.timezone, new Date()).toISOString(), lastScheduledRun: null };
}

/** The next instant the wall clock in `timeZone` reads `HH:MM`. */
function nextRun(time: string, timeZone: string, now: Date): Date {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  for (let days = 0; days <= 2; days += 1) {
    const local = wallClock(new Date(now.getTime() + days * 86_400_000), timeZone);
    const guess = Date.UTC(local.year, local.month - 1, local.day, hour, minute);
    const offset = wallClockAsUtc(new Date(guess), timeZone) - guess;
    const candidate = new Date(guess - offset);
    if (candidate > now) return candidate;
  }
  return new Date(now.getTime() + 86_400_000);
}

function wallClock(date: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(date)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
}

function wallClockAsUtc(date: Date, timeZone: string): number {
  const w = wallClock(date, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
}

/* ---------- the host page ---------- */

/**
 * A plain admin page with the widget. Query: `twice=1` loads the script a second time;
 * `csrfHeader=` sets the `csrf-header` attribute; `csrfVia=property` hands the token as a property.
 */
function hostPage(query: Request['query']): string {
  const csrfHeader = typeof query.csrfHeader === 'string' ? query.csrfHeader.replace(/[^A-Za-z0-9-]/g, '') : '';
  const viaProperty = query.csrfVia === 'property';
  const script = `${MOUNT}/widget/oneroster-settings.js`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>OneRoster settings — Manage1to1</title>
  <style>
    body { margin: 0; font-family: system-ui, sans-serif; background: #f3f4f6; color: #111827; }
    header { background: #1e293b; color: #fff; padding: 12px 24px; font-weight: 600; }
    main { max-width: 1000px; margin: 0 auto; padding: 16px 24px 48px; }
    h1 { font-size: 1.5rem; margin: 8px 0 16px; }
  </style>
  <script>
    window.__events = [];
    for (const name of ['oneroster-config-saved', 'oneroster-sync-finished', 'oneroster-config-disabled']) {
      document.addEventListener(name, (event) => window.__events.push({ type: name, detail: event.detail, composed: event.composed }));
    }
  </script>
  <script type="module" src="${script}"></script>
  ${query.twice ? `<script type="module" src="${script}?again=1"></script>` : ''}
</head>
<body>
  <header>Manage1to1 · Settings</header>
  <main>
    <h1>OneRoster</h1>
    <oneroster-settings api-base="${MOUNT}"${viaProperty ? '' : ` csrf-token="${CSRF_TOKEN}"`}${csrfHeader ? ` csrf-header="${csrfHeader}"` : ''}></oneroster-settings>
  </main>
  ${viaProperty ? `<script>document.querySelector('oneroster-settings').csrfToken = ${JSON.stringify(CSRF_TOKEN)};</script>` : ''}
</body>
</html>`;
}
