import { randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../logger';
import type { Clock } from '../options';
import { createSql } from '../store/sql';

const TABLE = 'oneroster_sync_lease';

/** A taken lease: renewed in the background until released. */
export interface HeldLease {
  /** Aborted when the lease was lost (another process took it over after our heartbeat stalled). */
  readonly signal: AbortSignal;
  /** Records which run the lease is for, so others can name it in their 409. */
  attachRun(runId: number): Promise<void>;
  /**
   * Stops the heartbeat and frees the lease (only if still ours). Given a transaction, frees it in
   * that transaction, so a run's final status and the free lease become visible together.
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
 * One sync at a time per installation, across processes and servers: a single row taken by a
 * conditional UPDATE (its affected-row count decides, on MySQL and SQLite alike), kept alive by a
 * heartbeat every third of its lifetime, and taken over by anyone once it has expired.
 */
export interface SyncLease {
  /** Takes the lease (for a run unless told otherwise), or returns null when someone else holds a live one. */
  acquire(purpose?: LeasePurpose): Promise<HeldLease | null>;
  /** Reads the row. */
  state(): Promise<LeaseState>;
}

/** The lease over `oneroster_sync_lease`. */
export function createSyncLease(sequelize: Sequelize, options: { ttlMs: number; clock: Clock; logger: Logger }): SyncLease {
  const sql = createSql(sequelize);
  const t = sql.id(TABLE);
  const v = sql.value;
  const { ttlMs, clock, logger } = options;

  return {
    async acquire(purpose = 'run') {
      // The purpose rides in the holder id, so others can tell a settings change from a run.
      const holder = `${purpose}:${randomUUID()}`;
      const now = clock.now().getTime();
      const taken = await sql.change(
        `UPDATE ${t} SET holder_id = ${v(holder)}, run_id = NULL, expires_at_ms = ${v(now + ttlMs)} ` +
          `WHERE id = 1 AND (holder_id IS NULL OR expires_at_ms IS NULL OR expires_at_ms < ${v(now)})`,
      );
      if (taken !== 1) return null;

      const lost = new AbortController();
      let released = false;
      const renew = async () => {
        try {
          const kept = await sql.change(
            `UPDATE ${t} SET expires_at_ms = ${v(clock.now().getTime() + ttlMs)} WHERE id = 1 AND holder_id = ${v(holder)}`,
          );
          if (kept !== 1 && !released) {
            logger.error('oneroster sync lease lost: another process took it over', {});
            lost.abort(new Error('lease_lost'));
          }
        } catch (err) {
          // A database hiccup: try again at the next beat; the lease outlives two missed beats.
          logger.warn('oneroster sync lease renewal failed', { error: (err as Error).message });
        }
      };
      const timer = setInterval(() => void renew(), Math.max(250, Math.floor(ttlMs / 3)));
      timer.unref?.();

      return {
        signal: lost.signal,
        async attachRun(runId) {
          await sql.change(`UPDATE ${t} SET run_id = ${v(runId)} WHERE id = 1 AND holder_id = ${v(holder)}`);
        },
        async release(transaction) {
          if (released) return;
          await sql.change(
            `UPDATE ${t} SET holder_id = NULL, run_id = NULL, expires_at_ms = NULL WHERE id = 1 AND holder_id = ${v(holder)}`,
            { transaction },
          );
          const done = () => {
            released = true;
            clearInterval(timer);
          };
          // Freed only once that transaction commits: should the commit fail, the lease is still
          // ours (and still renewed), and the next release() frees it for real.
          if (transaction) transaction.afterCommit(done);
          else done();
        },
      };
    },

    async state() {
      const [row] = await sql.select<Record<string, unknown>>(`SELECT holder_id, run_id, expires_at_ms FROM ${t} WHERE id = 1`);
      if (!row) return { runId: null, live: false, purpose: 'run' };
      const expires = row.expires_at_ms === null || row.expires_at_ms === undefined ? null : Number(row.expires_at_ms);
      const live = row.holder_id !== null && expires !== null && expires >= clock.now().getTime();
      const purpose: LeasePurpose = live && String(row.holder_id).startsWith('settings:') ? 'settings' : 'run';
      return { runId: row.run_id === null || row.run_id === undefined ? null : Number(row.run_id), live, purpose };
    },
  };
}
