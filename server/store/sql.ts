import { QueryTypes, Transaction, type Sequelize } from 'sequelize';

/**
 * Small helpers for the set-based SQL the default store and the staging area write: multi-row
 * inserts, upserts and `IN (...)` lists, in the two dialects the module supports (MySQL/MariaDB
 * and SQLite). Values are escaped by Sequelize and inlined, so SQLite's bound-parameter limit never
 * applies; callers keep batches around 1000 rows so statements stay far below `max_allowed_packet`.
 */
export interface Sql {
  /** True on MySQL and MariaDB (`ON DUPLICATE KEY UPDATE`), false on SQLite (`ON CONFLICT`). */
  readonly isMysql: boolean;
  /** Quotes a table or column name. */
  id(name: string): string;
  /**
   * The database's current time in epoch milliseconds, as an SQL expression. Leases and claims are
   * judged by this one clock, so servers whose clocks disagree never steal each other's lease.
   */
  readonly nowMs: string;
  /** Escapes one value (string, number, boolean, Date or null) as a literal. */
  value(value: unknown): string;
  /** `(v1, v2, ...)` for an `IN` list; never empty (an empty list gives `(NULL)`, which matches nothing). */
  list(values: unknown[]): string;
  /** `(a, b), (c, d)` rows for a multi-row `VALUES`. */
  rows(rows: unknown[][]): string;
  /**
   * The clause that turns an INSERT into an upsert: on a clash on `conflictColumns` (SQLite needs
   * them; MySQL uses any unique key), overwrite `updateColumns` with the new values.
   */
  onConflictUpdate(conflictColumns: string[], updateColumns: string[]): string;
  /** The clause that makes an INSERT skip rows that clash on `conflictColumns`. */
  onConflictIgnore(conflictColumns: string[]): string;
  /** Runs a SELECT and returns its rows. */
  select<T>(sql: string, options?: { transaction?: Transaction }): Promise<T[]>;
  /** Runs a statement that changes rows and returns how many it changed (matched, on MySQL). */
  change(sql: string, options?: { transaction?: Transaction }): Promise<number>;
  /** Runs an INSERT whose result does not matter. */
  run(sql: string, options?: { transaction?: Transaction }): Promise<void>;
  /** Runs `work` in one transaction (IMMEDIATE on SQLite, so two writers never deadlock on a lock upgrade). */
  transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T>;
}

/** Builds the helpers for the host's Sequelize instance. */
export function createSql(sequelize: Sequelize): Sql {
  const dialect = sequelize.getDialect();
  const isMysql = dialect === 'mysql' || dialect === 'mariadb';
  const queryInterface = sequelize.getQueryInterface();
  // Escaping a Date goes through moment (a few µs each), and every row of a batch carries the same
  // sync timestamp: remember the last Date's literal (benchmark: ~5 % of a sync's CPU).
  let lastTime = NaN;
  let lastLiteral = '';
  const value = (v: unknown): string => {
    // SQLite ends a statement's text at a NUL byte, so a literal cannot hold one: splice it in.
    if (!isMysql && typeof v === 'string' && v.includes('\u0000')) {
      return `(${v.split('\u0000').map((part) => sequelize.escape(part)).join(" || char(0) || ")})`;
    }
    if (!(v instanceof Date)) return sequelize.escape(v as string);
    if (v.getTime() !== lastTime) {
      lastLiteral = sequelize.escape(v as unknown as string);
      lastTime = v.getTime();
    }
    return lastLiteral;
  };
  return {
    isMysql,
    nowMs: isMysql
      ? 'CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)'
      : "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)",
    id: (name) => queryInterface.quoteIdentifier(name),
    value,
    list: (values) => (values.length === 0 ? '(NULL)' : `(${values.map(value).join(', ')})`),
    rows: (rows) => rows.map((row) => `(${row.map(value).join(', ')})`).join(', '),
    onConflictUpdate(conflictColumns, updateColumns) {
      const q = (c: string) => queryInterface.quoteIdentifier(c);
      if (isMysql) return `ON DUPLICATE KEY UPDATE ${updateColumns.map((c) => `${q(c)} = VALUES(${q(c)})`).join(', ')}`;
      return `ON CONFLICT (${conflictColumns.map(q).join(', ')}) DO UPDATE SET ${updateColumns
        .map((c) => `${q(c)} = excluded.${q(c)}`)
        .join(', ')}`;
    },
    onConflictIgnore(conflictColumns) {
      const q = (c: string) => queryInterface.quoteIdentifier(c);
      // MySQL's INSERT IGNORE would also swallow truncation and other errors; this does not.
      if (isMysql) return `ON DUPLICATE KEY UPDATE ${q(conflictColumns[0]!)} = ${q(conflictColumns[0]!)}`;
      return `ON CONFLICT (${conflictColumns.map(q).join(', ')}) DO NOTHING`;
    },
    select: <T>(sql: string, options: { transaction?: Transaction } = {}) =>
      sequelize.query(sql, { type: QueryTypes.SELECT, transaction: options.transaction }) as Promise<T[]>,
    change: async (sql, options = {}) => {
      const changed = await sequelize.query(sql, { type: QueryTypes.BULKUPDATE, transaction: options.transaction });
      return Number(changed);
    },
    run: async (sql, options = {}) => {
      // Typed as INSERT: untyped, Sequelize lower-cases the whole statement (~300 KB for 1000 rows)
      // three times to guess what it is (benchmark: ~5 % of a sync's CPU).
      await sequelize.query(sql, { type: QueryTypes.INSERT, transaction: options.transaction });
    },
    transaction: (work) =>
      isMysql
        ? sequelize.transaction(work)
        : sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, work),
  };
}

/** Splits a list into slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return slices;
}

/** Reads a boolean column the way both dialects return it (true/false, 1/0, '1'/'0'). */
export function readBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
