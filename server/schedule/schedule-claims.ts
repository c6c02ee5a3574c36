import { literal, Op, UniqueConstraintError } from 'sequelize';
import { DEFAULT_DISTRICT } from '../domain/district';
import { chunk, createSql } from '../store/sql';
import type { ScheduledRunView } from '../domain/contract';
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
  /** Keeps a running claim alive (its server is still at work); call every third of the claim's lifetime. */
  renew(slotKey: string, claimedBy: string): Promise<void>;
  /**
   * Marks `running` claims whose server stopped renewing them (it died) as failed with
   * `interrupted`; returns their slot keys. Judged by the database's clock.
   */
  failStalled(now: Date): Promise<string[]>;
  /**
   * Takes over a slot whose claim was marked `interrupted`, so its day is retried; true for the
   * one caller whose conditional update won.
   */
  reclaim(slot: ScheduleSlot, claimedBy: string, now: Date): Promise<boolean>;
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

/** The message a claim whose server died is left with. */
const INTERRUPTED_MESSAGE = 'The server running this daily sync stopped before it finished; the day is retried within the catch-up window.';

/**
 * One district's claims over the module's Sequelize models; a running claim lives `ttlMs` without
 * renewal. Its primary key is (district, slot): each district's slot is claimed once fleet-wide.
 */
export function createScheduleClaims(models: AutomationModels, ttlMs: number, district: string = DEFAULT_DISTRICT): ScheduleClaims {
  const { ScheduleClaim } = models;
  const sql = createSql(ScheduleClaim.sequelize!);
  const { q } = sql;
  const t = sql.id('oneroster_schedule_claims');
  const mine = q`district = ${district}`;
  const expiry = q`${sql.nowMs} + ${sql.int(ttlMs)}`;
  return {
    async claim(slot, claimedBy, now) {
      try {
        await ScheduleClaim.create({
          district,
          slotKey: slot.key,
          scheduledFor: slot.at,
          claimedBy,
          claimedAt: now,
          outcome: 'running',
          expiresAtMs: literal(sql.expression(expiry)) as unknown as number,
        });
        return true;
      } catch (err) {
        if (err instanceof UniqueConstraintError) return false;
        throw err;
      }
    },
    async renew(slotKey, claimedBy) {
      await sql.change(q`UPDATE ${t} SET expires_at_ms = ${expiry} WHERE ${mine} AND slot_key = ${slotKey} AND claimed_by = ${claimedBy} AND outcome = 'running'`);
    },
    async failStalled(now) {
      const stalled = q`outcome = 'running' AND (expires_at_ms IS NULL OR expires_at_ms < ${sql.nowMs})`;
      const rows = await sql.select<{ slot_key: string }>(q`SELECT slot_key FROM ${t} WHERE ${mine} AND ${stalled}`);
      if (rows.length === 0) return [];
      const keys = rows.map((row) => String(row.slot_key));
      for (const slice of chunk(keys, 1000)) {
        await sql.change(q`
          UPDATE ${t} SET outcome = 'failed', error_code = 'interrupted', error_message = ${INTERRUPTED_MESSAGE}, finished_at = ${now}, expires_at_ms = NULL
          WHERE ${mine} AND slot_key IN ${sql.list(slice)} AND ${stalled}`);
      }
      return keys;
    },
    async reclaim(slot, claimedBy, now) {
      const won = await sql.change(q`
        UPDATE ${t} SET claimed_by = ${claimedBy}, claimed_at = ${now}, outcome = 'running', error_code = NULL, error_message = NULL,
        finished_at = NULL, building_run_id = NULL, user_run_id = NULL, expires_at_ms = ${expiry}
        WHERE ${mine} AND slot_key = ${slot.key} AND outcome = 'failed' AND error_code = 'interrupted'`);
      return won === 1;
    },
    async record(slotKey, progress) {
      const values = { ...progress };
      if (values.errorMessage) values.errorMessage = values.errorMessage.slice(0, MAX_MESSAGE_LENGTH);
      await ScheduleClaim.update(values, { where: { district, slotKey } });
    },
    async find(slotKey) {
      const row = await ScheduleClaim.findOne({ where: { district, slotKey } });
      return row ? row.get({ plain: true }) : null;
    },
    async latest() {
      const row = await ScheduleClaim.findOne({ where: { district }, order: [['scheduledFor', 'DESC'], ['claimedAt', 'DESC']] });
      return row ? row.get({ plain: true }) : null;
    },
    async since(since) {
      const rows = await ScheduleClaim.findAll({ where: { district, scheduledFor: { [Op.gte]: since } }, order: [['scheduledFor', 'ASC'], ['claimedAt', 'ASC']] });
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
