import { Op, UniqueConstraintError } from 'sequelize';
import type { ScheduledRunView } from '../http/contract';
import type { AutomationModels, ScheduleClaimRow } from './automation-models';
import type { ScheduleSlot } from './slot-time';

/** What a claim records as the day's run goes on. */
export type ClaimProgress = Partial<
  Pick<ScheduleClaimRow, 'outcome' | 'errorCode' | 'errorMessage' | 'buildingRunId' | 'userRunId' | 'finishedAt'>
>;

/** The claims table: who runs which daily slot, and how it went. */
export interface ScheduleClaims {
  /**
   * Tries to take a slot by inserting its row. True for the one caller whose insert succeeded;
   * false when another process (or an earlier call) already holds it. Other errors are thrown, so
   * a database problem never passes for a won claim.
   */
  claim(slot: ScheduleSlot, claimedBy: string, now: Date): Promise<boolean>;
  /** Records progress or the outcome on a claimed slot. */
  record(slotKey: string, progress: ClaimProgress): Promise<void>;
  /** The claim of one slot, if any. */
  find(slotKey: string): Promise<ScheduleClaimRow | null>;
  /** The most recent claimed slot, if any. */
  latest(): Promise<ScheduleClaimRow | null>;
  /** Slots due since an instant, oldest first (Automation Status). */
  since(since: Date): Promise<ScheduleClaimRow[]>;
}

/** Longest error message kept on a claim (the column holds 1000). */
const MAX_MESSAGE_LENGTH = 1000;

/** The claims table over the module's Sequelize models. */
export function createScheduleClaims(models: AutomationModels): ScheduleClaims {
  const { ScheduleClaim } = models;
  return {
    async claim(slot, claimedBy, now) {
      try {
        await ScheduleClaim.create({
          slotKey: slot.key,
          scheduledFor: slot.at,
          claimedBy,
          claimedAt: now,
          outcome: 'running',
        });
        return true;
      } catch (err) {
        if (err instanceof UniqueConstraintError) return false;
        throw err;
      }
    },
    async record(slotKey, progress) {
      const values = { ...progress };
      if (values.errorMessage) values.errorMessage = values.errorMessage.slice(0, MAX_MESSAGE_LENGTH);
      await ScheduleClaim.update(values, { where: { slotKey } });
    },
    async find(slotKey) {
      const row = await ScheduleClaim.findByPk(slotKey);
      return row ? row.get({ plain: true }) : null;
    },
    async latest() {
      const row = await ScheduleClaim.findOne({ order: [['scheduledFor', 'DESC'], ['claimedAt', 'DESC']] });
      return row ? row.get({ plain: true }) : null;
    },
    async since(since) {
      const rows = await ScheduleClaim.findAll({ where: { scheduledFor: { [Op.gte]: since } }, order: [['scheduledFor', 'ASC'], ['claimedAt', 'ASC']] });
      return rows.map((row) => row.get({ plain: true }));
    },
  };
}

/** A claim as `GET /automation` shows it: no server names, run ids in order. */
export function presentScheduledRun(row: ScheduleClaimRow): ScheduledRunView {
  return {
    slot: row.slotKey,
    scheduledFor: new Date(row.scheduledFor).toISOString(),
    startedAt: new Date(row.claimedAt).toISOString(),
    finishedAt: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
    outcome: row.outcome,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
    runIds: [row.buildingRunId, row.userRunId].filter((id): id is number => typeof id === 'number'),
  };
}
