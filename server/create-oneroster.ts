import type { RequestHandler, Router } from 'express';
import { createMigrator } from '../migrations';
import { columnsNotUtf8mb4 } from '../migrations/0006-utf8mb4';
import { createConfigService } from './config/config-service';
import type { ModuleContext } from './context';
import type { ConfigView, ListResponse, RunListQuery, RunSummary, RunView, TestResult } from './domain/contract';
import { buildRouter } from './http/router';
import { routeTable } from './http/routes';
import { createRosterManagedGuard } from './http/roster-guard';
import { createWidgetAssets } from './http/widget-assets';
import { createConsoleLogger } from './logger';
import { resolveOptions, type OneRosterOptions, type OneRosterUser } from './options';
import { createAutomationService } from './schedule/automation-service';
import { createScheduler, type Scheduler } from './schedule/scheduler';
import type { Services } from './services';
import { createSequelizeRosterStore } from './store/sequelize-roster-store';
import { createSyncService, type RunRequest, type UserRunRequest } from './sync/sync-service';
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
   * Stops the scheduler and aborts the runs this process is doing (at their next page or batch;
   * they end `failed` with `shutdown`), then waits for them to end. Call on shutdown (SIGTERM).
   */
  close(): Promise<void>;
}

/**
 * Builds one OneRoster module instance from the host's options: checks the options (TypeError on
 * a bad one), builds the services, wires the router. Instances share nothing.
 */
export function createOneRoster(options: OneRosterOptions): OneRoster {
  const resolved = resolveOptions(options, createConsoleLogger());
  const ctx: ModuleContext = {
    options: resolved,
    sequelize: resolved.sequelize,
    store: resolved.rosterStore ?? createSequelizeRosterStore(resolved.sequelize),
    logger: resolved.logger,
    clock: resolved.clock,
  };
  const config = createConfigService(ctx);
  const automation = createAutomationService(ctx);
  const sync = createSyncService(ctx, config, automation);
  const scheduler = createScheduler(ctx, automation, sync);
  const services: Services = { config, sync, automation, console: createConsoleService(ctx, config, automation, sync), widget: createWidgetAssets() };
  const migrator = createMigrator(ctx.sequelize, ctx.logger);

  const handle: OneRoster = {
    router: buildRouter(routeTable, services, resolved),
    migrate: async () => {
      await migrator.up();
      const narrow = await columnsNotUtf8mb4(ctx.sequelize);
      if (narrow.length > 0) {
        throw new Error(`OneRoster needs utf8mb4 text (names in any script, emoji), but these are not: ${narrow.join(', ')}`);
      }
    },
    migrateDown: async () => {
      await migrator.down({ to: 0 });
    },
    scheduler: { start: () => scheduler.start(), stop: () => scheduler.stop(), nextRun: () => scheduler.nextRun() },
    rosterManagedGuard: createRosterManagedGuard(() => config.isEnabled()),
    isEnabled: () => config.isEnabled(),
    sync: {
      startBuildingSync: (request) => sync.startBuildingSync(request),
      startUserSync: (request) => sync.startUserSync(request),
      waitForRun: (id) => sync.waitForRun(id),
      whenIdle: () => sync.whenIdle(),
      listRuns: (query = {}) => sync.listRuns({ ...query, limit: query.limit ?? 20, offset: query.offset ?? 0 }),
      getRun: (id) => sync.getRun(id),
      activeRun: () => sync.activeRun(),
      approve: (id, user) => sync.approve(id, user),
      cancel: (id, user) => sync.cancel(id, user),
    },
    testConnection: () => config.test(null, null),
    status: async () => {
      const [view, freshness] = await Promise.all([config.view(), sync.status()]);
      return { ...view, ...freshness };
    },
    close: async () => {
      // Abort runs first: the scheduler's stop waits for its daily run to end.
      const stopping = sync.shutdown();
      await scheduler.stop();
      await stopping;
    },
  };
  Object.defineProperty(handle, INTERNALS, { value: { services, scheduler } satisfies OneRosterInternals, enumerable: false });
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
