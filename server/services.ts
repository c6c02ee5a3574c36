import type { ConfigService } from './config/config-service';
import type { SyncService } from './sync/sync-service';
import type { AutomationService } from './schedule/automation-service';
import type { ConsoleService } from './sync/console-service';
import type { WidgetAssets } from './http/widget-assets';

/** The services the routes call: one per concern, built once by `createOneRoster`. */
export interface Services {
  /** Provider configuration: view, test, save, disable; opens provider connections for syncs. */
  config: ConfigService;
  /** Sync runs: start, list, read, approve, cancel. */
  sync: SyncService;
  /** Daily automation settings. */
  automation: AutomationService;
  /** The admin console: status, automation health, building matching, issue export. */
  console: ConsoleService;
  /** The built web component. */
  widget: WidgetAssets;
}
