import type { RequestHandler, Router } from 'express';
import { createMigrator } from '../migrations';
import { columnsNotUtf8mb4 } from '../migrations/0006-utf8mb4';
import { createConfigService } from './config/config-service';
import type { ModuleContext } from './context';
import type { ConfigView, TestResult } from './domain/contract';
import { buildRouter } from './http/router';
import { routeTable } from './http/routes';
import { createRosterManagedGuard } from './http/roster-guard';
import { createWidgetAssets } from './http/widget-assets';
import { createConsoleLogger } from './logger';
import { resolveOptions, type OneRosterOptions } from './options';
import { createAutomationService } from './schedule/automation-service';
import { createScheduler, type Scheduler } from './schedule/scheduler';
import type { Services } from './services';
import { createSequelizeRosterStore } from './store/sequelize-roster-store';
import type { SyncService } from './sync/sync-service';
import { createSyncService } from './sync/sync-service';
import { createConsoleService } from './sync/console-service';

/** What `createOneRoster` gives the host. */
export interface OneRoster {
  /** Mount at `/settings/automation/oneroster`; every route but the widget script needs Manage Settings. */
  router: Router;
  /** Applies the module's migrations (its own `oneroster_migrations` table). Run before serving. */
  migrate(): Promise<void>;
  /** Reverts every migration of the module. For tests and uninstalling only. */
  migrateDown(): Promise<void>;
  /** The daily job: `start()` once the app serves, `stop()` on shutdown. */
  scheduler: Scheduler;
  /** Put on the host's building add/remove and CSV-import routes: 409 while OneRoster manages the roster. */
  rosterManagedGuard: RequestHandler;
  /** Whether OneRoster is the exclusive roster source now. */
  isEnabled(): Promise<boolean>;
  /** The sync service, for the CLI and host code that starts syncs itself. */
  sync: SyncService;
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

  return {
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
    scheduler,
    rosterManagedGuard: createRosterManagedGuard(() => config.isEnabled()),
    isEnabled: () => config.isEnabled(),
    sync,
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
}
