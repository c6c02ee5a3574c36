import { randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { errorForLog, type Logger } from '../logger';
import { DEFAULT_DISTRICT } from '../domain/district';
import { createSql, readBoolean } from '../store/sql';

const TABLE = 'oneroster_sync_lease';

/** Why a held lease's signal was aborted. */
export type LeaseAbortReason = 'lease_lost' | 'cancel_requested';

/** A taken lease: renewed in the background until released. */
export interface HeldLease {
  /**
   * Aborted when the lease was lost (another process took it over after our heartbeat stalled) or
   * when someone asked, through the lease row, for its run to stop. The reason is an `Error` whose
   * message is a `LeaseAbortReason`.
   */
  readonly signal: AbortSignal;
  /** Records which run the lease is for, so others can name it in their 409. */
  attachRun(runId: number): Promise<void>;
  /**
   * Stops the heartbeat and frees the lease (only if still ours). Given a transaction, frees it in
   * that transaction, so a run's final status and the free lease become visible together. The
   * heartbeat stops even when the release fails (database down): the lease then expires on its own.
   */
  release(transaction?: Transaction): Promise<void>;
}

/** What a lease is taken for: a sync run, or a configuration change (test-and-save, turning off). */
export type LeasePurpose = 'run' | 'settings';

/** The state of the lease row. */
export interface LeaseState {
  /** The run holding it, when one is attached. */
  runId: number | null;
  /** What the holder took it for (`run` when free). */
  purpose: LeasePurpose;
  /** Whether it is held and not expired. */
  live: boolean;
}

/**
 * One sync at a time per district, across processes and servers: a single row taken by a
 * conditional UPDATE (its affected-row count decides, on MySQL and SQLite alike), kept alive by a
 * heartbeat every third of its lifetime, and taken over by anyone once it has expired. Expiry is
 * judged by the database's clock, never a server's, so servers whose clocks disagree agree on it.
 */
export interface SyncLease {
  /** Takes the lease (for a run unless told otherwise), or returns null when someone else holds a live one. */
  acquire(purpose?: LeasePurpose): Promise<HeldLease | null>;
  /** Reads the row. */
  state(): Promise<LeaseState>;
  /**
   * Asks the process holding a live lease for `runId` to stop that run; it notices at its next
   * heartbeat. Says whether such a lease was found.
   */
  requestStop(runId: number): Promise<boolean>;
}

/**
 * One district's lease over `oneroster_sync_lease` (a row per district, added the first time the
 * district takes it): a sync in one district never waits for another's.
 */
export function createSyncLease(sequelize: Sequelize, options: { ttlMs: number; logger: Logger; district?: string }): SyncLease {
  const sql = createSql(sequelize);
  const { q } = sql;
  const t = sql.id(TABLE);
  const { ttlMs, logger } = options;
  const district = options.district ?? DEFAULT_DISTRICT;
  const mine = q`district = ${district}`;
  const expiry = q`${sql.nowMs} + ${ttlMs}`;
  let rowReady: Promise<unknown> | null = null;

  /** Adds the district's free lease row once (a clash means another process added it first). */
  function ensureRow(): Promise<unknown> {
    rowReady ??= sql
      .change(q`INSERT INTO ${t} (district, holder_id, run_id, expires_at_ms, stop_requested) VALUES (${district}, NULL, NULL, NULL, ${false}) ${sql.onConflictIgnore(['district'])}`)
      .catch((err: unknown) => {
        rowReady = null;
        throw err;
      });
    return rowReady;
  }

  return {
    async acquire(purpose = 'run') {
      // The purpose rides in the holder id, so others can tell a settings change from a run.
      const holder = `${purpose}:${randomUUID()}`;
      const take = () =>
        sql.change(q`
          UPDATE ${t} SET holder_id = ${holder}, run_id = NULL, stop_requested = ${false}, expires_at_ms = ${expiry}
          WHERE ${mine} AND (holder_id IS NULL OR expires_at_ms IS NULL OR expires_at_ms < ${sql.nowMs})`);
      await ensureRow();
      let taken = await take();
      if (taken !== 1 && (await sql.select(q`SELECT 1 AS found FROM ${t} WHERE ${mine}`)).length === 0) {
        // The row went away after we added it (tables emptied under us): add it again.
        rowReady = null;
        await ensureRow();
        taken = await take();
      }
      if (taken !== 1) return null;

      const aborted = new AbortController();
      let released = false;
      const renew = async () => {
        try {
          const kept = await sql.change(q`UPDATE ${t} SET expires_at_ms = ${expiry} WHERE ${mine} AND holder_id = ${holder}`);
          if (released) return;
          if (kept !== 1) {
            logger.error('oneroster sync lease lost: another process took it over', {});
            aborted.abort(new Error('lease_lost'));
            return;
          }
          const [row] = await sql.select<{ stop_requested: unknown }>(q`SELECT stop_requested FROM ${t} WHERE ${mine} AND holder_id = ${holder}`);
          if (row && readBoolean(row.stop_requested) && !aborted.signal.aborted) aborted.abort(new Error('cancel_requested'));
        } catch (err) {
          // A database hiccup: try again at the next beat; the lease outlives two missed beats.
          logger.warn('oneroster sync lease renewal failed', { error: errorForLog(err) });
        }
      };
      const timer = setInterval(() => void renew(), Math.max(250, Math.floor(ttlMs / 3)));
      timer.unref?.();

      return {
        signal: aborted.signal,
        async attachRun(runId) {
          await sql.change(q`UPDATE ${t} SET run_id = ${runId} WHERE ${mine} AND holder_id = ${holder}`);
        },
        async release(transaction) {
          if (released) return;
          // Whatever the UPDATE does, the heartbeat stops: one outliving its run would keep the
          // lease forever (a database outage made exactly that).
          clearInterval(timer);
          await sql.change(
            q`UPDATE ${t} SET holder_id = NULL, run_id = NULL, stop_requested = ${false}, expires_at_ms = NULL WHERE ${mine} AND holder_id = ${holder}`,
            { transaction },
          );
          // Freed only once that transaction commits: should the commit fail, the next release()
          // frees it for real, and should that fail too, the lease expires since nothing renews it.
          if (!transaction) released = true;
          else
            transaction.afterCommit(() => {
              released = true;
            });
        },
      };
    },

    async state() {
      const [row] = await sql.select<Record<string, unknown>>(q`SELECT holder_id, run_id, expires_at_ms, ${sql.nowMs} AS now_ms FROM ${t} WHERE ${mine}`);
      if (!row) return { runId: null, live: false, purpose: 'run' };
      const expires = row.expires_at_ms === null || row.expires_at_ms === undefined ? null : Number(row.expires_at_ms);
      const live = row.holder_id !== null && expires !== null && expires >= Number(row.now_ms);
      const purpose: LeasePurpose = live && String(row.holder_id).startsWith('settings:') ? 'settings' : 'run';
      return { runId: row.run_id === null || row.run_id === undefined ? null : Number(row.run_id), live, purpose };
    },

    async requestStop(runId) {
      const found = await sql.change(
        q`UPDATE ${t} SET stop_requested = ${true} WHERE ${mine} AND run_id = ${runId} AND holder_id IS NOT NULL AND expires_at_ms >= ${sql.nowMs}`,
      );
      return found === 1;
    },
  };
}
