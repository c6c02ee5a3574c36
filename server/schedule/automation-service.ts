import { UniqueConstraintError } from 'sequelize';
import type { ModuleContext } from '../context';
import { errorForLog } from '../logger';
import type { AutomationSettings, AutomationView } from '../domain/contract';
import type { OneRosterUser } from '../options';
import { defineAutomationModels, type AutomationRow } from './automation-models';
import { createScheduleClaims, presentScheduledRun } from './schedule-claims';
import { computeNextRun } from './slot-time';

/** Called with the new settings after they are saved; the scheduler re-arms on it. */
export type AutomationChangeListener = (settings: AutomationSettings) => void | Promise<void>;

/** Daily automation settings. */
export interface AutomationService {
  /** Current settings, the next run time and the last scheduled run. */
  get(): Promise<AutomationView>;
  /** Validates and saves any subset (400 `validation_failed` with field errors), recording who changed it. */
  update(changes: Partial<AutomationSettings>, user?: OneRosterUser | null): Promise<AutomationView>;
  /** Raw settings, for the scheduler and the engine. */
  settings(): Promise<AutomationSettings>;
  /** Calls `listener` after every saved change in this process; returns the unsubscribe function. */
  onChange(listener: AutomationChangeListener): () => void;
}

/** Settings before an admin saves any: both imports on, 02:00 in the host's default timezone. */
export function defaultAutomationSettings(timezone: string): AutomationSettings {
  return {
    studentImport: true,
    staffImport: true,
    dailyTime: '02:00',
    timezone,
    fullSyncEvery: 7,
    paused: false,
    deactivateMissing: true,
    gradeMatrix: {},
    districtOffices: true,
    orgBuildings: {},
  };
}

/** One district's automation settings, kept in `oneroster_automation` (a row per district; defaults until first saved). */
export function createAutomationService(ctx: ModuleContext): AutomationService {
  const models = defineAutomationModels(ctx.sequelize);
  const { district } = ctx;
  const claims = createScheduleClaims(models, ctx.options.leaseTtlMs, district);
  const listeners = new Set<AutomationChangeListener>();

  async function settings(): Promise<AutomationSettings> {
    const row = await models.Automation.findOne({ where: { district } });
    return row ? toSettings(row.get({ plain: true })) : defaultAutomationSettings(ctx.options.timezone);
  }

  async function present(current: AutomationSettings): Promise<AutomationView> {
    const next = computeNextRun(current, ctx.clock.now());
    const last = await claims.latest();
    return {
      ...current,
      nextRunAt: next ? next.at.toISOString() : null,
      lastScheduledRun: last ? presentScheduledRun(last) : null,
    };
  }

  /** Updates the district's row, or inserts it; two first saves racing end in one row (the unique district key). */
  async function saveRow(row: AutomationRow): Promise<void> {
    const [updated] = await models.Automation.update(row, { where: { district } });
    if (updated > 0) return;
    try {
      await models.Automation.create(row);
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      await models.Automation.update(row, { where: { district } });
    }
  }

  async function notify(saved: AutomationSettings): Promise<void> {
    for (const listener of [...listeners]) {
      try {
        await listener(saved);
      } catch (err) {
        ctx.logger.error('automation change listener failed', { error: errorForLog(err) });
      }
    }
  }

  return {
    settings,
    get: async () => present(await settings()),
    async update(changes, user) {
      const current = await settings();
      if (Object.keys(changes).length === 0) return present(current);
      const saved: AutomationSettings = { ...current, ...changes };
      await saveRow({
        ...saved,
        district,
        gradeMatrix: JSON.stringify(saved.gradeMatrix),
        orgBuildings: JSON.stringify(saved.orgBuildings),
        updatedBy: user ? String(user.id) : null,
        updatedByName: user?.name ?? null,
      });
      ctx.logger.info('automation settings changed', { fields: Object.keys(changes), by: user ? String(user.id) : null });
      await notify(saved);
      return present(saved);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function toSettings(row: AutomationRow): AutomationSettings {
  return {
    studentImport: Boolean(row.studentImport),
    staffImport: Boolean(row.staffImport),
    dailyTime: row.dailyTime,
    timezone: row.timezone,
    fullSyncEvery: Number(row.fullSyncEvery),
    paused: Boolean(row.paused),
    deactivateMissing: Boolean(row.deactivateMissing),
    gradeMatrix: readMapping(row.gradeMatrix, (value): value is string => typeof value === 'string'),
    districtOffices: row.districtOffices === undefined || row.districtOffices === null ? true : Boolean(row.districtOffices),
    orgBuildings: readMapping(row.orgBuildings, (value): value is number => Number.isInteger(value)),
  };
}

/** A stored JSON mapping, or none when it is missing or unreadable (the sync then works without it). */
function readMapping<T>(text: string | null, valid: (value: unknown) => value is T): Record<string, T> {
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, T] => valid(entry[1])));
  } catch {
    return {};
  }
}
