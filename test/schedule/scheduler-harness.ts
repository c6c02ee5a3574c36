import type { Sequelize } from 'sequelize';
import type { ModuleContext } from '../../server/context';
import { DEFAULT_DISTRICT } from '../../server/domain/district';
import type { AutomationSettings } from '../../server/domain/contract';
import { resolveOptions, type OneRosterOptions } from '../../server/options';
import { createAutomationService, type AutomationService } from '../../server/schedule/automation-service';
import { createScheduler, type Scheduler, type SchedulerTuning } from '../../server/schedule/scheduler';
import { automationTables } from '../../migrations/0004-automation-tables';
import { addClaimExpiry } from '../../migrations/0006b-stop-and-heal';
import { districtSettings } from '../../migrations/0007b-district-settings';
import { addDistrictToAutomationTables } from '../../migrations/0009-district-key';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { createFakeSync, type FakeSync } from './fake-sync';

/** A clock tests move by hand. */
export interface TestClock {
  now(): Date;
  set(instant: Date | string): void;
}

/** Makes a clock that stands still at `start` until told otherwise. */
export function createTestClock(start: Date | string): TestClock {
  let current = new Date(start);
  return { now: () => new Date(current), set: (instant) => (current = new Date(instant)) };
}

/** One module's automation service and scheduler over a fake sync service. */
export interface SchedulerHarness {
  ctx: ModuleContext;
  automation: AutomationService;
  scheduler: Scheduler;
  sync: FakeSync;
  clock: TestClock;
  logger: ReturnType<typeof createMemoryLogger>;
}

/** Builds the automation service and scheduler on a database, the way `createOneRoster` wires them. */
export function createSchedulerHarness(
  sequelize: Sequelize,
  options: { clock: TestClock; sync?: FakeSync; tuning?: SchedulerTuning } & Partial<Pick<OneRosterOptions, 'timezone' | 'missedRunWindowMs'>>,
): SchedulerHarness {
  const logger = createMemoryLogger();
  const { clock, sync = createFakeSync(), tuning, ...rest } = options;
  const resolved = resolveOptions({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, logger, clock, ...rest }, logger);
  const ctx: ModuleContext = { options: resolved, sequelize, store: {} as ModuleContext['store'], logger, clock, district: DEFAULT_DISTRICT };
  const automation = createAutomationService(ctx);
  const scheduler = createScheduler(ctx, automation, sync, tuning);
  return { ctx, automation, scheduler, sync, clock, logger };
}

/** Creates this work's tables only, so these suites do not depend on the other migrations. */
export async function createAutomationTables(sequelize: Sequelize): Promise<void> {
  const context = { queryInterface: sequelize.getQueryInterface(), sequelize };
  await automationTables.up(context);
  await addClaimExpiry(sequelize.getQueryInterface());
  await districtSettings.up(context);
  await addDistrictToAutomationTables(context);
}

/** Empties settings and claims between tests. */
export async function resetAutomationTables(sequelize: Sequelize): Promise<void> {
  const qi = sequelize.getQueryInterface();
  await qi.bulkDelete('oneroster_schedule_claims', {});
  await qi.bulkDelete('oneroster_automation', {});
}

/** Reads the claim rows as they are stored. */
export async function claimRows(sequelize: Sequelize): Promise<Array<Record<string, unknown>>> {
  const [rows] = await sequelize.query('SELECT * FROM oneroster_schedule_claims ORDER BY scheduled_for');
  return rows as Array<Record<string, unknown>>;
}

/** Settings a test starts from: both imports, 02:00 Chicago, full every 7 days. */
export const CHICAGO_2AM: Partial<AutomationSettings> = { dailyTime: '02:00', timezone: 'America/Chicago' };
