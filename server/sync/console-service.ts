import type { ModuleContext } from '../context';
import type { ConfigService } from '../config/config-service';
import { createAuditLog } from '../config/audit-log';
import type { AutomationStatusView, BuildingMatchingInput, BuildingMatchingView, ConsoleStatus, RunIssue } from '../domain/contract';
import type { OneRosterUser } from '../options';
import { defineAutomationModels } from '../schedule/automation-models';
import type { AutomationService } from '../schedule/automation-service';
import { readAutomationStatus } from '../schedule/automation-status';
import { createScheduleClaims } from '../schedule/schedule-claims';
import { checkMatches, proposeMatches, pullSchools } from './building-matching';
import { createRunRecords } from './run-records';
import type { SyncService } from './sync-service';

/** The admin console's reads and the building matching step, apart from the sync engine. */
export interface ConsoleService {
  /** What needs the admin's attention (`GET /status`). */
  status(): Promise<ConsoleStatus>;
  /** The daily sync's health over 30 days (`GET /automation/status`). */
  automationStatus(): Promise<AutomationStatusView>;
  /** The provider's schools beside the existing buildings, with proposed matches. */
  buildingMatching(): Promise<BuildingMatchingView>;
  /** Writes the confirmed Building SIS values through the roster store and audits them. 409 while a sync runs. */
  matchBuildings(input: BuildingMatchingInput, user: OneRosterUser): Promise<BuildingMatchingView>;
  /** A run's stored issues as CSV (404 when the run is unknown). */
  issuesCsv(runId: number): Promise<string>;
}

/** Builds the console service over the other services. */
export function createConsoleService(ctx: ModuleContext, config: ConfigService, automation: AutomationService, sync: SyncService): ConsoleService {
  const records = createRunRecords(ctx.sequelize, ctx.district);
  const claims = createScheduleClaims(defineAutomationModels(ctx.sequelize), ctx.options.leaseTtlMs, ctx.district);
  const audit = createAuditLog(ctx.sequelize, ctx.district);

  async function matching(): Promise<BuildingMatchingView> {
    const connection = await config.openConnection();
    return proposeMatches(await pullSchools(connection), await ctx.store.listBuildings());
  }

  return {
    async status() {
      const { activeRun, heldRun, lastRun, lastDailySuccessAt, dailyStale } = await sync.status();
      return { activeRun, heldRun, lastRun, lastDailySuccessAt, dailyStale };
    },

    async automationStatus() {
      return readAutomationStatus({ claimsSince: (since) => claims.since(since), records, settings: await automation.settings(), now: ctx.clock.now() });
    },

    buildingMatching: matching,

    async matchBuildings(input, user) {
      const connection = await config.openConnection();
      const schools = await pullSchools(connection);
      const buildings = await ctx.store.listBuildings();
      const assignments = checkMatches(input, schools, buildings);
      // A building sync reading the Building SIS values meanwhile could create the duplicates this
      // step prevents: write them under the lease a sync takes (409 while one runs).
      await sync.whileNoSyncRuns(() => ctx.store.assignBuildingSisIds(assignments, ctx.clock.now()));
      await audit.record('buildings_matched', user, { matches: assignments.map((a) => ({ buildingId: a.id, sourcedId: a.sisId })) });
      ctx.logger.info('oneroster buildings matched', { count: assignments.length, by: String(user.id) });
      return proposeMatches(schools, await ctx.store.listBuildings());
    },

    async issuesCsv(runId) {
      const run = await sync.getRun(runId);
      return issuesToCsv(run.issues);
    },
  };
}

const CSV_COLUMNS: Array<[string, (issue: RunIssue) => string | null | undefined]> = [
  ['sourcedId', (i) => i.sourcedId],
  ['name', (i) => i.name],
  ['number', (i) => i.number],
  ['school', (i) => i.school],
  ['code', (i) => i.code],
  ['message', (i) => i.message],
];

/** RFC 4180 CSV; a cell a spreadsheet would run as a formula (=, +, -, @) is prefixed with a quote. */
export function issuesToCsv(issues: RunIssue[]): string {
  const cell = (value: string | null | undefined) => {
    let text = value ?? '';
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const issue of issues) lines.push(CSV_COLUMNS.map(([, read]) => cell(read(issue))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
