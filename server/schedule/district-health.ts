import type { ConfigService } from '../config/config-service';
import type { AutomationStatusView, ScheduledRunView } from '../domain/contract';
import type { ConsoleService } from '../sync/console-service';
import type { SyncService } from '../sync/sync-service';
import type { AutomationService } from './automation-service';

/** One district's automation health, for the vendor's support team (`districtHealth()`). */
export interface DistrictHealth {
  /** The district key. */
  district: string;
  /** Whether a provider configuration is saved. */
  configured: boolean;
  /** Whether OneRoster is on (the exclusive roster source). */
  enabled: boolean;
  /** Whether the daily automation is paused. */
  paused: boolean;
  /** `failing` after 3 failed daily runs in a row, `unknown` before the first (as the Automation Status banner). */
  health: AutomationStatusView['health'];
  /** Failed daily runs in a row, newest back. */
  failingStreak: number;
  /** The last daily run: when, how it ended, why not when it failed. */
  lastRun: ScheduledRunView | null;
  /** The run waiting for an admin's approval, if one is (a daily run that would deactivate too many). */
  held: { runId: number; kind: string; since: string | null } | null;
  /** When the next daily run is due (null when paused or importing nothing). */
  nextRunAt: string | null;
}

/** What the health of one district is read from: its services. */
export interface DistrictHealthSources {
  district: string;
  config: ConfigService;
  automation: AutomationService;
  sync: SyncService;
  console: ConsoleService;
}

/** Reads one district's health from its own tables (a handful of indexed reads). */
export async function readDistrictHealth(sources: DistrictHealthSources): Promise<DistrictHealth> {
  const [view, automation, status, held] = await Promise.all([
    sources.config.view(),
    sources.automation.get(),
    sources.console.automationStatus(),
    sources.sync.listRuns({ limit: 1, offset: 0, status: 'held' }),
  ]);
  const heldRun = held.items[0];
  return {
    district: sources.district,
    configured: view.configured,
    enabled: view.enabled,
    paused: automation.paused,
    health: status.health,
    failingStreak: status.failingStreak,
    lastRun: automation.lastScheduledRun,
    held: heldRun ? { runId: heldRun.id, kind: heldRun.kind, since: heldRun.finishedAt ?? null } : null,
    nextRunAt: automation.nextRunAt,
  };
}
