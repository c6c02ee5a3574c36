import type { Request, RequestHandler, Router } from 'express';
import { createMigrator } from '../migrations';
import { columnsNotUtf8mb4 } from '../migrations/0006-utf8mb4';
import { createConfigService } from './config/config-service';
import { defineConfigModels } from './config/config-models';
import { assertDistrictKey, checkRequestDistrict, DEFAULT_DISTRICT } from './domain/district';
import type { ModuleContext } from './context';
import type { ConfigView, ListResponse, RunListQuery, RunSummary, RunView, TestResult } from './domain/contract';
import { buildRouter } from './http/router';
import { routeTable } from './http/routes';
import { createRosterManagedGuard } from './http/roster-guard';
import { createWidgetAssets } from './http/widget-assets';
import { createConsoleLogger } from './logger';
import { resolveOptions, type OneRosterOptions, type OneRosterUser } from './options';
import { createAutomationService } from './schedule/automation-service';
import { createDistrictSlots, createScheduler, type DistrictSlots, type Scheduler } from './schedule/scheduler';
import { readDistrictHealth, type DistrictHealth } from './schedule/district-health';
import type { Services } from './services';
import { createSequelizeRosterStore } from './store/sequelize-roster-store';
import { ROSTER_STORE_METHODS, type RosterStore } from './store/roster-store';
import { createSyncService, type RunRequest, type SyncService, type UserRunRequest } from './sync/sync-service';
import { createConsoleService } from './sync/console-service';

/**
 * Syncs from host code (the CLI, a host's own button or job): the same service the Settings page
 * uses, narrowed to what a host needs.
 */
export interface OneRosterSync {
  /** Queues and starts a building sync in the background; resolves with the queued run. 409 `sync_in_progress` when one runs. */
  startBuildingSync(request: RunRequest): Promise<RunView>;
  /** Queues and starts a student and staff sync; 409 `buildings_not_synced` before the first successful building sync. */
  startUserSync(request: UserRunRequest): Promise<RunView>;
  /** Resolves with the run once it has ended (succeeded, failed, held or cancelled). */
  waitForRun(id: number): Promise<RunView>;
  /** Resolves once the runs this process started have finished. */
  whenIdle(): Promise<void>;
  /** The history, newest first (20 runs unless `limit` says otherwise). */
  listRuns(query?: RunListQuery): Promise<ListResponse<RunSummary>>;
  /** One run with progress, counts and issues; 404 `not_found` when unknown. */
  getRun(id: number): Promise<RunView>;
  /** The run queued or running now, in this or any other process, or null. */
  activeRun(): Promise<RunSummary | null>;
  /** Applies a held run exactly as planned (409 `run_not_held`, `plan_outdated`). */
  approve(id: number, user: OneRosterUser): Promise<RunView>;
  /** Discards a held or queued run, or stops a running one at its next page or batch. */
  cancel(id: number, user: OneRosterUser): Promise<RunView>;
}

/** The daily job as a host drives it. */
export interface OneRosterScheduler {
  /** Arms the daily job (and catches up a missed run within `missedRunWindowMs`). Call once the app serves. */
  start(): Promise<void>;
  /** Disarms it and waits for a daily run this instance is doing to finish. */
  stop(): Promise<void>;
  /** When the daily job fires next, or null when it is disarmed (stopped, paused, nothing imported). */
  nextRun(): Date | null;
}

/** What `createOneRoster` gives the host. */
export interface OneRoster {
  /** Mount at `/settings/automation/oneroster`; every route but the widget script needs Manage Settings. */
  router: Router;
  /** Applies the module's migrations (its own `oneroster_migrations` table). Run before serving. */
  migrate(): Promise<void>;
  /** Reverts every migration of the module. For tests and uninstalling only. */
  migrateDown(): Promise<void>;
  /** The daily job: `start()` once the app serves, `stop()` on shutdown. */
  scheduler: OneRosterScheduler;
  /** Put on the host's building add/remove and CSV-import routes: 409 while OneRoster manages the roster. */
  rosterManagedGuard: RequestHandler;
  /** Whether OneRoster is the exclusive roster source now. */
  isEnabled(): Promise<boolean>;
  /** Start, wait for, read, approve and cancel runs from host code (the CLI uses it). */
  sync: OneRosterSync;
  /** Tests the saved provider configuration (as `POST /config/test` with an empty body does); never throws for a failed test. */
  testConnection(): Promise<TestResult>;
  /** What `GET /config` answers: the configuration (secrets masked), whether OneRoster is on, the last test and syncs. */
  status(): Promise<ConfigView>;
  /**
   * Stops the scheduler and aborts the runs this process is doing, in every district (at their next
   * page or batch; they end `failed` with `shutdown`), then waits for them to end. Call on shutdown (SIGTERM).
   */
  close(): Promise<void>;
  /**
   * One district's handle (many districts in one database): its sync service, status, health and
   * daily slots. The router finds the district of a request through the `district` option; host
   * code and the fleet scheduler use this. Throws a `TypeError` for a key that cannot be one.
   */
  forDistrict(district: string): DistrictHandle;
  /** The districts this instance serves (the `listDistricts` option, or those with a saved configuration). */
  listDistricts(): Promise<string[]>;
  /**
   * Every district's automation health, for the vendor's support team (which districts have a run
   * waiting for approval, a failing streak, a stale last run). Defaults to `listDistricts()`.
   */
  districtHealth(districts?: string[]): Promise<DistrictHealth[]>;
}

/** One district of a module instance (see `OneRoster.forDistrict`). */
export interface DistrictHandle {
  /** The district key. */
  readonly district: string;
  /** The district's runs from host code: start, wait for, read, approve, cancel. */
  sync: OneRosterSync;
  /** Whether OneRoster is the district's exclusive roster source now. */
  isEnabled(): Promise<boolean>;
  /** Tests the district's saved provider configuration. */
  testConnection(): Promise<TestResult>;
  /** What `GET /config` answers for the district. */
  status(): Promise<ConfigView>;
  /** The district's automation health. */
  health(): Promise<DistrictHealth>;
  /** The district's daily slots, as the fleet scheduler claims and runs them. */
  slots: DistrictSlots;
}

/** How long a district nobody has asked for is kept built (its services are rebuilt on the next request). */
const IDLE_DISTRICT_MS = 10 * 60_000;

/** One district's services, built on first use. */
interface DistrictScope {
  handle: DistrictHandle;
  services: Services;
  lastUsed: number;
}

/** The narrow face of a sync service that host code gets. */
function syncFacade(sync: SyncService): OneRosterSync {
  return {
    startBuildingSync: (request) => sync.startBuildingSync(request),
    startUserSync: (request) => sync.startUserSync(request),
    waitForRun: (id) => sync.waitForRun(id),
    whenIdle: () => sync.whenIdle(),
    listRuns: (query = {}) => sync.listRuns({ ...query, limit: query.limit ?? 20, offset: query.offset ?? 0 }),
    getRun: (id) => sync.getRun(id),
    activeRun: () => sync.activeRun(),
    approve: (id, user) => sync.approve(id, user),
    cancel: (id, user) => sync.cancel(id, user),
  };
}

/**
 * Builds one OneRoster module instance from the host's options: checks the options (TypeError on
 * a bad one), builds the services, wires the router. Instances share nothing. Each district's
 * services are built the first time it is asked for, kept while in use, and dropped once idle
 * for a while with nothing running.
 */
export function createOneRoster(options: OneRosterOptions): OneRoster {
  const resolved = resolveOptions(options, createConsoleLogger());
  const baseStore = resolved.rosterStore ?? createSequelizeRosterStore(resolved.sequelize);
  const widget = createWidgetAssets();
  const scopes = new Map<string, DistrictScope>();
  const migrator = createMigrator(resolved.sequelize, resolved.logger);
  // The host's clock, so a test can let a district fall idle.
  const nowMs = () => resolved.clock.now().getTime();
  let lastSweep = nowMs();

  /** The roster store of a district: the host's `forDistrict`, or the store itself for the default district. */
  function storeFor(district: string): RosterStore {
    if (baseStore.forDistrict) {
      const store = baseStore.forDistrict(district);
      const missing = ROSTER_STORE_METHODS.filter((method) => typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function');
      if (missing.length > 0) throw new TypeError(`rosterStore.forDistrict("${district}") returned a store missing ${missing.join(', ')}`);
      return store;
    }
    if (district === DEFAULT_DISTRICT) return baseStore;
    throw new TypeError(`rosterStore has no forDistrict(district), so it serves the default district only, not "${district}"`);
  }

  function buildScope(district: string): DistrictScope {
    const ctx: ModuleContext = {
      options: resolved,
      sequelize: resolved.sequelize,
      store: storeFor(district),
      logger: resolved.logger,
      clock: resolved.clock,
      district,
    };
    const config = createConfigService(ctx);
    const automation = createAutomationService(ctx);
    const sync = createSyncService(ctx, config, automation);
    const consoleService = createConsoleService(ctx, config, automation, sync);
    const services: Services = { config, sync, automation, console: consoleService, widget };
    const handle: DistrictHandle = {
      district,
      sync: syncFacade(sync),
      isEnabled: () => config.isEnabled(),
      testConnection: () => config.test(null, null),
      status: async () => {
        const [view, freshness] = await Promise.all([config.view(), sync.status()]);
        return { ...view, ...freshness };
      },
      health: () => readDistrictHealth({ district, config, automation, sync, console: consoleService }),
      slots: createDistrictSlots(ctx, automation, sync),
    };
    return { handle, services, lastUsed: nowMs() };
  }

  /** Drops districts idle for a while with nothing running here (never the default one, which `sync` holds). */
  function sweepIdle(now: number): void {
    if (now - lastSweep < IDLE_DISTRICT_MS) return;
    lastSweep = now;
    for (const [district, scope] of scopes) {
      if (district !== DEFAULT_DISTRICT && now - scope.lastUsed > IDLE_DISTRICT_MS && !scope.services.sync.busy()) scopes.delete(district);
    }
  }

  function scopeFor(district: string): DistrictScope {
    const now = nowMs();
    sweepIdle(now);
    let scope = scopes.get(district);
    if (!scope) {
      scope = buildScope(district);
      scopes.set(district, scope);
    }
    scope.lastUsed = now;
    return scope;
  }

  /** The district of a request, checked (400 `invalid_district`). */
  async function districtOf(req: Request): Promise<string> {
    return checkRequestDistrict(await resolved.district(req));
  }

  const main = scopeFor(DEFAULT_DISTRICT);
  const scheduler = createScheduler(
    { options: resolved, sequelize: resolved.sequelize, store: baseStore, logger: resolved.logger, clock: resolved.clock, district: DEFAULT_DISTRICT },
    main.services.automation,
    main.services.sync,
  );

  async function listDistricts(): Promise<string[]> {
    if (resolved.listDistricts) return (await resolved.listDistricts()).map((key) => assertDistrictKey(key, 'listDistricts'));
    const { Config } = defineConfigModels(resolved.sequelize);
    const rows = (await Config.findAll({ attributes: ['district'], order: [['district', 'ASC']], raw: true })) as unknown as Array<{ district: string }>;
    return rows.length > 0 ? rows.map((row) => row.district) : [DEFAULT_DISTRICT];
  }

  const handle: OneRoster = {
    router: buildRouter(routeTable, async (req, route) => (route.public ? main : scopeFor(await districtOf(req))).services, resolved),
    migrate: async () => {
      await migrator.up();
      const narrow = await columnsNotUtf8mb4(resolved.sequelize);
      if (narrow.length > 0) {
        throw new Error(`OneRoster needs utf8mb4 text (names in any script, emoji), but these are not: ${narrow.join(', ')}`);
      }
    },
    migrateDown: async () => {
      await migrator.down({ to: 0 });
    },
    scheduler: { start: () => scheduler.start(), stop: () => scheduler.stop(), nextRun: () => scheduler.nextRun() },
    rosterManagedGuard: createRosterManagedGuard(async (req) => scopeFor(await districtOf(req)).handle.isEnabled()),
    isEnabled: () => main.handle.isEnabled(),
    sync: main.handle.sync,
    testConnection: () => main.handle.testConnection(),
    status: () => main.handle.status(),
    close: async () => {
      // Abort runs first: the scheduler's stop waits for its daily run to end.
      const stopping = Promise.all([...scopes.values()].map((scope) => scope.services.sync.shutdown()));
      await scheduler.stop();
      await stopping;
    },
    forDistrict: (district) => scopeFor(assertDistrictKey(district, 'forDistrict')).handle,
    listDistricts,
    async districtHealth(districts) {
      const keys = districts ?? (await listDistricts());
      const health: DistrictHealth[] = [];
      // One district at a time: a fleet of thousands must not open thousands of queries at once.
      for (const key of keys) health.push(await scopeFor(assertDistrictKey(key, 'districtHealth')).handle.health());
      return health;
    },
  };
  Object.defineProperty(handle, INTERNALS, { value: { services: main.services, scheduler } satisfies OneRosterInternals, enumerable: false });
  return handle;
}

/** What tests and the module's own tools reach behind a handle: the whole services and scheduler. */
export interface OneRosterInternals {
  /** Every service, the sync service whole. */
  services: Services;
  /** The scheduler with its test hooks (`runSlot`, `runDueSlot`, `fire`, `whenIdle`). */
  scheduler: Scheduler;
}

/** Where a handle keeps its internals: a symbol no host code names, so the public type stays narrow. */
const INTERNALS = Symbol('oneroster.internals');

/** The internals of a handle made by `createOneRoster`. Not exported from the package: tests import it by path. */
export function internalsOf(handle: OneRoster): OneRosterInternals {
  const internals = (handle as OneRoster & { [INTERNALS]?: OneRosterInternals })[INTERNALS];
  if (!internals) throw new TypeError('not a handle made by createOneRoster');
  return internals;
}
