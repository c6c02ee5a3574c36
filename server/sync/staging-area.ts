import type { Sequelize } from 'sequelize';
import type { RecordKind } from '../domain/contract';
import type { RecordIdentity } from './classify-person';
import { DEFAULT_DISTRICT } from '../domain/district';
import { chunk, createSql, readBoolean } from '../store/sql';

const TABLE = 'oneroster_staging';
/** Staged rows named in one statement. */
const BATCH = 1000;

/** Kinds a staged row can have: a record kind, or `unknown` for people whose role is unknown. */
export type StagedKind = RecordKind | 'unknown';

/**
 * What the plan does with one staged record:
 * - `create`, `update`, `link` (a CSV row linked by number), `rekey` (matched by a legacy id),
 *   `reactivate`: written with the staged fields;
 * - `loaded`: created already, during the pull, by the store's first load (`FirstLoad`), which
 *   the run commits once the pull is complete; counted as a create, never applied again;
 * - `deactivate` (`tobedeleted`) and `missing` (absent from a complete pull): made inactive;
 * - `unchanged`, `skip`, `ignore` (a deletion of someone we never had), `alias` (the old id of a
 *   re-keyed person, so the missing-people check knows it was seen), `merge` (another record of a
 *   person another record already stands for: a second enrolment, a second role), `gone` (a
 *   `tobedeleted` record already inactive here): nothing is written.
 */
export type StagedAction =
  | 'create' | 'loaded' | 'update' | 'link' | 'rekey' | 'reactivate' | 'deactivate' | 'missing'
  | 'unchanged' | 'skip' | 'ignore' | 'alias' | 'merge' | 'gone';

/** Actions of records that import a person: the ones identity resolution groups by natural key. */
export const IMPORT_ACTIONS: readonly StagedAction[] = ['create', 'loaded', 'update', 'link', 'rekey', 'reactivate', 'unchanged'];

/** Actions that write something when the plan is applied. */
export const APPLIED_ACTIONS: readonly StagedAction[] = ['create', 'update', 'link', 'rekey', 'reactivate', 'deactivate', 'missing'];

/** One staged record. */
export interface StagedRow {
  /** Record kind. */
  kind: StagedKind;
  /** The provider's sourcedId (for `missing` and `alias`: the row's current one). */
  sourcedId: string;
  /** What the plan does with it. */
  action: StagedAction;
  /** The roster row it applies to (null for creates and for records that write nothing). */
  targetId: number | null;
  /** The person ends up flagged disabled where they were not (counted as `disabled`). */
  disabled: boolean;
  /** The fields to write (creates and updates), or `{ name }` for deactivations; null otherwise. */
  payload: unknown;
  /** People imported: what ties the record to its person (see `resolveIdentities`). */
  identity?: RecordIdentity;
}

/** Count of staged rows per kind and action. */
export interface StagedCount {
  kind: StagedKind;
  action: StagedAction;
  count: number;
  disabled: number;
}

/**
 * The staging area: a module table keyed by (run, kind, sourcedId) that a run pulls the whole feed
 * into before it changes anything, and that a held run's approval applies from later.
 */
export interface StagingArea {
  /**
   * Whether reading staged rows may overlap a roster write transaction: true on MySQL/MariaDB (the
   * read takes another pooled connection and InnoDB reads a snapshot), false on SQLite (a reader
   * would hold up the writer's commit).
   */
  readonly readsBesideWrites: boolean;
  /** Adds rows in one multi-row INSERT; a record seen twice in one run keeps its first row. */
  insert(runId: number, rows: StagedRow[]): Promise<void>;
  /** Of these sourcedIds, those the run saw as `kind` (or as a person of unknown role). */
  seen(runId: number, kind: RecordKind, sourcedIds: string[]): Promise<Set<string>>;
  /** What the run staged for each of these sourcedIds of `kind` (absent: not seen). */
  actionsOf(runId: number, kind: RecordKind, sourcedIds: string[]): Promise<Map<string, StagedAction>>;
  /** Rows per kind and action. */
  counts(runId: number): Promise<StagedCount[]>;
  /** Rows of `kind` the plan writes, in key order after `afterSourcedId`, at most `limit`. */
  readApplied(runId: number, kind: RecordKind, afterSourcedId: string | null, limit: number): Promise<StagedRow[]>;
  /** SourcedIds of `kind` staged with `action`, in key order after `afterSourcedId`, at most `limit`. */
  sourcedIdsWith(runId: number, kind: RecordKind, action: StagedAction, afterSourcedId: string | null, limit: number): Promise<string[]>;
  /** Distinct natural keys of rows of `kind` staged with one of `actions`, in order after `afterKey`, at most `limit`. */
  naturalKeysWith(runId: number, kind: RecordKind, actions: readonly StagedAction[], afterKey: string | null, limit: number): Promise<string[]>;
  /** A few of the records of `kind` the plan deactivates, for a held run's samples. */
  deactivationSamples(runId: number, kind: RecordKind, limit: number): Promise<Array<{ sourcedId: string; name: string; number?: string | null; buildingId?: number | null }>>;
  /**
   * Import rows of `kind` whose natural key is shared by several records or (with `withCreates`)
   * belongs to a record planned as a create (so may be a person we have under another sourcedId),
   * for the first `limitKeys` such keys after `afterKey`, ordered by key.
   */
  identityGroups(runId: number, kind: RecordKind, afterKey: string | null, limitKeys: number, withCreates: boolean): Promise<StagedRow[]>;
  /** Rewrites staged rows (same run, kind and sourcedId), or adds them. */
  replace(runId: number, rows: StagedRow[]): Promise<void>;
  /** Drops a run's rows, a slice at a time so no statement holds a lock for long. */
  discard(runId: number): Promise<void>;
  /** Runs that still have staged rows. */
  runsWithRows(): Promise<number[]>;
}

/**
 * The staging area with records a run counted but never staged (a first load's creates, a
 * re-sync's unchanged people) added to its counts, as `unstaged()` says at the time of asking.
 */
export function countingUnstaged(staging: StagingArea, unstaged: () => StagedCount[]): StagingArea {
  return { ...staging, counts: async (runId) => [...(await staging.counts(runId)), ...unstaged().filter((row) => row.count > 0)] };
}

/**
 * One district's staging area over `oneroster_staging`. Run ids are unique across districts; the
 * district narrows every statement anyway, so one district's sweep never drops another's rows.
 */
export function createStagingArea(sequelize: Sequelize, district: string = DEFAULT_DISTRICT): StagingArea {
  const sql = createSql(sequelize);
  const { q } = sql;
  const t = sql.id(TABLE);
  const mine = q`district = ${district}`;
  const columns = sql.ids(['district', 'run_id', 'kind', 'sourced_id', 'action', 'target_id', 'disabled', 'payload', 'natural_key', 'identity_rank', 'identity_name']);
  const keepFirst = sql.onConflictIgnore(['run_id', 'kind', 'sourced_id']);
  const importActions = sql.list([...IMPORT_ACTIONS]);
  const appliedActions = sql.list([...APPLIED_ACTIONS]);
  const deactivations = sql.list(['deactivate', 'missing']);

  function readRow(row: Record<string, unknown>): StagedRow {
    return {
      kind: row.kind as StagedKind,
      sourcedId: String(row.sourced_id),
      action: row.action as StagedAction,
      targetId: row.target_id === null || row.target_id === undefined ? null : Number(row.target_id),
      disabled: readBoolean(row.disabled),
      payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : null,
      identity: row.natural_key === undefined || row.natural_key === null
        ? undefined
        : { key: String(row.natural_key), rank: String(row.identity_rank ?? ''), name: String(row.identity_name ?? '') },
    };
  }

  async function insert(runId: number, rows: StagedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((r) => [
      district, runId, r.kind, r.sourcedId, r.action, r.targetId, r.disabled, r.payload === null ? null : JSON.stringify(r.payload),
      r.identity?.key ?? null, r.identity?.rank ?? null, r.identity?.name ?? null,
    ]);
    await sql.insert(q`${t} (${columns})`, values, keepFirst);
  }

  return {
    readsBesideWrites: sql.isMysql,

    insert,

    async identityGroups(runId, kind, afterKey, limitKeys, withCreates) {
      const base = q`${mine} AND run_id = ${runId} AND kind = ${kind} AND natural_key IS NOT NULL AND action IN ${importActions}`;
      const after = afterKey === null ? q`` : q` AND natural_key > ${afterKey}`;
      const creates = withCreates ? q` OR SUM(CASE WHEN action = 'create' THEN 1 ELSE 0 END) > 0` : q``;
      const keys = await sql.select<{ natural_key: string }>(q`
        SELECT natural_key FROM ${t} WHERE ${base}${after} GROUP BY natural_key
        HAVING COUNT(*) > 1${creates} ORDER BY natural_key LIMIT ${sql.int(limitKeys)}`);
      if (keys.length === 0) return [];
      const rows = await sql.select<Record<string, unknown>>(q`
        SELECT kind, sourced_id, action, target_id, disabled, payload, natural_key, identity_rank, identity_name FROM ${t}
        WHERE ${base} AND natural_key IN ${sql.list(keys.map((k) => String(k.natural_key)))} ORDER BY natural_key, sourced_id`);
      return rows.map(readRow);
    },

    async replace(runId, rows) {
      if (rows.length === 0) return;
      for (const kind of new Set(rows.map((r) => r.kind))) {
        for (const ids of chunk(rows.filter((r) => r.kind === kind).map((r) => r.sourcedId), BATCH)) {
          await sql.change(q`DELETE FROM ${t} WHERE ${mine} AND run_id = ${runId} AND kind = ${kind} AND sourced_id IN ${sql.list(ids)}`);
        }
      }
      await insert(runId, rows);
    },

    async seen(runId, kind, sourcedIds) {
      if (sourcedIds.length === 0) return new Set();
      const rows = await sql.select<{ sourced_id: string }>(q`
        SELECT sourced_id FROM ${t} WHERE ${mine} AND run_id = ${runId} AND kind IN ${sql.list([kind, 'unknown'])}
        AND sourced_id IN ${sql.list(sourcedIds)}`);
      return new Set(rows.map((row) => String(row.sourced_id)));
    },

    async actionsOf(runId, kind, sourcedIds) {
      if (sourcedIds.length === 0) return new Map();
      const rows = await sql.select<{ sourced_id: string; action: string }>(
        q`SELECT sourced_id, action FROM ${t} WHERE ${mine} AND run_id = ${runId} AND kind = ${kind} AND sourced_id IN ${sql.list(sourcedIds)}`,
      );
      return new Map(rows.map((row) => [String(row.sourced_id), row.action as StagedAction]));
    },

    async counts(runId) {
      const rows = await sql.select<Record<string, unknown>>(
        q`SELECT kind, action, COUNT(*) AS n, SUM(disabled) AS d FROM ${t} WHERE ${mine} AND run_id = ${runId} GROUP BY kind, action`,
      );
      return rows.map((row) => ({
        kind: row.kind as StagedKind,
        action: row.action as StagedAction,
        count: Number(row.n),
        disabled: Number(row.d ?? 0),
      }));
    },

    async readApplied(runId, kind, afterSourcedId, limit) {
      const after = afterSourcedId === null ? q`` : q`AND sourced_id > ${afterSourcedId} `;
      const rows = await sql.select<Record<string, unknown>>(q`
        SELECT kind, sourced_id, action, target_id, disabled, payload FROM ${t} WHERE ${mine} AND run_id = ${runId} AND kind = ${kind}
        ${after}AND action IN ${appliedActions} ORDER BY sourced_id LIMIT ${sql.int(limit)}`);
      return rows.map(readRow);
    },

    async sourcedIdsWith(runId, kind, action, afterSourcedId, limit) {
      const after = afterSourcedId === null ? q`` : q`AND sourced_id > ${afterSourcedId} `;
      const rows = await sql.select<{ sourced_id: string }>(q`
        SELECT sourced_id FROM ${t} WHERE ${mine} AND run_id = ${runId} AND kind = ${kind} AND action = ${action}
        ${after}ORDER BY sourced_id LIMIT ${sql.int(limit)}`);
      return rows.map((row) => String(row.sourced_id));
    },

    async naturalKeysWith(runId, kind, actions, afterKey, limit) {
      const after = afterKey === null ? q`` : q`AND natural_key > ${afterKey} `;
      const rows = await sql.select<{ natural_key: string }>(q`
        SELECT DISTINCT natural_key FROM ${t} WHERE ${mine} AND run_id = ${runId} AND kind = ${kind} AND action IN ${sql.list([...actions])}
        AND natural_key IS NOT NULL ${after}ORDER BY natural_key LIMIT ${sql.int(limit)}`);
      return rows.map((row) => String(row.natural_key));
    },

    async deactivationSamples(runId, kind, limit) {
      const rows = await sql.select<Record<string, unknown>>(q`
        SELECT kind, sourced_id, action, target_id, payload FROM ${t} WHERE ${mine} AND run_id = ${runId} AND kind = ${kind}
        AND action IN ${deactivations} ORDER BY sourced_id LIMIT ${sql.int(limit)}`);
      return rows.map(readRow).map((row) => {
        const payload = row.payload as { name?: string; number?: string | null; buildingId?: number | null } | null;
        const sample: { sourcedId: string; name: string; number?: string | null; buildingId?: number | null } = {
          sourcedId: row.sourcedId, name: String(payload?.name ?? ''),
        };
        if (payload?.number) sample.number = payload.number;
        if (typeof payload?.buildingId === 'number') sample.buildingId = payload.buildingId;
        return sample;
      });
    },

    async discard(runId) {
      const slice = 5000;
      for (;;) {
        const deleted = sql.isMysql
          ? await sql.change(q`DELETE FROM ${t} WHERE ${mine} AND run_id = ${runId} LIMIT ${sql.int(slice)}`)
          : await sql.change(q`DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE ${mine} AND run_id = ${runId} LIMIT ${sql.int(slice)})`);
        if (deleted < slice) return;
      }
    },

    async runsWithRows() {
      // From the district's runs, each an index lookup of the staging key: a scan of staging for its
      // district column would read every district's rows.
      const rows = await sql.select<{ run_id: number }>(q`
        SELECT r.id AS run_id FROM ${sql.id('oneroster_runs')} r WHERE r.district = ${district}
        AND EXISTS (SELECT 1 FROM ${t} s WHERE s.run_id = r.id)`);
      return rows.map((row) => Number(row.run_id));
    },
  };
}
