import { DataTypes, QueryTypes, Transaction, type Sequelize } from 'sequelize';

/**
 * A statement, or a piece of one, with its values kept apart from its text. The text comes only
 * from the module's own source (the `q` tag's template strings), quoted identifiers and other
 * pieces; every value is handed to the driver beside it (see `Sql`), never written in by our code.
 */
export class SqlPiece {
  /** Built by `Sql.q` and the helpers beside it; `texts` has one entry more than `values`. */
  constructor(readonly texts: readonly string[], readonly values: readonly unknown[]) {}
}

/** Rows of a multi-row statement: the values of each row, in column order. */
export type SqlRows = readonly (readonly unknown[])[];

/**
 * `(a, b), (c, d)`: the rows of a multi-row VALUES, written straight from the rows by `render`
 * (no piece per value). Its own texts and values say only that it holds values, for `expression`.
 */
class RowsPiece extends SqlPiece {
  constructor(readonly rows: SqlRows) {
    super(['', ''], [rows]);
  }
}

/** Writes the rows of a `RowsPiece`, each value through `write`. */
function writeRows(rows: SqlRows, write: (value: unknown) => void, parts: string[]): void {
  for (let r = 0; r < rows.length; r += 1) {
    parts.push(r === 0 ? '(' : '), (');
    const row = rows[r]!;
    for (let i = 0; i < row.length; i += 1) {
      if (i > 0) parts.push(', ');
      write(row[i]);
    }
  }
  parts.push(')');
}

/**
 * Small helpers for the set-based SQL the default store, the staging area and the lease write:
 * multi-row inserts, upserts and `IN (...)` lists, in the two dialects the module supports
 * (MySQL/MariaDB and SQLite). Statements are built with the `q` tag, whose interpolated values
 * travel apart from the text (`SqlPiece`s are spliced instead), so no caller ever writes a value
 * into SQL: NUL bytes, quotes and backslashes reach the database as they are.
 *
 * How the values travel (measured in bench/README.md, "Values apart from the text"): Sequelize's
 * escaper for the dialect writes them into the text here, and nowhere else (a string holding
 * nothing it would change is written as the escaper would write it, without the call), except strings
 * holding a NUL byte or a `$` on SQLite, which are bound parameters: SQLite ends a statement's
 * text at a NUL, and Sequelize would read `$1` in a literal as a placeholder. Binding everything
 * measured far slower: on MySQL, bound parameters are server-side prepared statements (mysql2
 * `execute`), which cost a 100k-user sync 2.7 s more CPU (+45 %: Sequelize's `$n` rewriting,
 * mysql2's binary row decoding) and keep every distinct text prepared per connection against the
 * server's `max_prepared_stmt_count`; on SQLite, Sequelize binds by name, 50 µs a row against
 * 4 µs for a literal (node-sqlite3 looks every name up among all of the statement's).
 */
export interface Sql {
  /** True on MySQL and MariaDB (`ON DUPLICATE KEY UPDATE`), false on SQLite (`ON CONFLICT`). */
  readonly isMysql: boolean;
  /** The statement tag: in `q\`SELECT … WHERE id = ${id}\`` the value `id` travels apart from the text; a `SqlPiece` is spliced. */
  q(texts: TemplateStringsArray, ...values: unknown[]): SqlPiece;
  /** A quoted table or column name. */
  id(name: string): SqlPiece;
  /** Quoted column names separated by commas. */
  ids(names: readonly string[]): SqlPiece;
  /** A safe integer of the module's own (a `LIMIT`, a lifetime option) as SQL text; throws for anything else. */
  int(value: number): SqlPiece;
  /**
   * The text of a piece that binds no value (an expression of the database's own, such as
   * `nowMs`), for Sequelize's `literal()` in model calls; throws if the piece holds a value.
   */
  expression(piece: SqlPiece): string;
  /**
   * The database's current time in epoch milliseconds, as an SQL expression. Leases and claims are
   * judged by this one clock, so servers whose clocks disagree never steal each other's lease.
   */
  readonly nowMs: SqlPiece;
  /** `(?, ?, ...)` for an `IN` list; never empty (an empty list gives `(NULL)`, which matches nothing). */
  list(values: readonly unknown[]): SqlPiece;
  /**
   * Runs `INSERT INTO <into> VALUES <rows> <tail>` for any number of rows, a slice of rows per
   * statement (the statements share `transaction` when given one).
   */
  insert(into: SqlPiece, rows: SqlRows, tail: SqlPiece, options?: { transaction?: Transaction }): Promise<void>;
  /**
   * The clause that turns an INSERT into an upsert: on a clash on `conflictColumns` (SQLite needs
   * them; MySQL uses any unique key), overwrite `updateColumns` with the new values.
   */
  onConflictUpdate(conflictColumns: string[], updateColumns: string[]): SqlPiece;
  /** The clause that makes an INSERT skip rows that clash on `conflictColumns`. */
  onConflictIgnore(conflictColumns: string[]): SqlPiece;
  /** Runs a SELECT and returns its rows. */
  select<T>(statement: SqlPiece, options?: { transaction?: Transaction }): Promise<T[]>;
  /** Runs a statement that changes rows and returns how many it changed (matched, on MySQL). */
  change(statement: SqlPiece, options?: { transaction?: Transaction }): Promise<number>;
  /** Runs `work` in one transaction (IMMEDIATE on SQLite, so two writers never deadlock on a lock upgrade). */
  transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T>;
  /** Opens a transaction the caller commits or rolls back itself (a first load that spans a whole pull). */
  begin(): Promise<Transaction>;
}

/** Rows per multi-row statement: well under MySQL's `max_allowed_packet`, few statements per thousand people. */
const MAX_ROWS = 1000;

/** Builds the helpers for the host's Sequelize instance. */
export function createSql(sequelize: Sequelize): Sql {
  const dialect = sequelize.getDialect();
  const isMysql = dialect === 'mysql' || dialect === 'mariadb';
  const queryInterface = sequelize.getQueryInterface();
  const q = (texts: TemplateStringsArray, ...values: unknown[]) => new SqlPiece(texts, values);
  const text = (value: string) => new SqlPiece([value], []);
  const quote = (name: string) => queryInterface.quoteIdentifier(name);

  // Dates are written as Sequelize writes a DATE for the dialect (the host's timezone option;
  // whole seconds on MySQL, as the module's DATETIME columns hold). Every row of a batch carries
  // the same sync timestamp, and formatting goes through moment (µs each): remember the last one.
  const host = sequelize as unknown as {
    options: { timezone?: string };
    normalizeDataType(type: unknown): { stringify(value: Date, options: object): string };
  };
  const dateType = host.normalizeDataType(DataTypes.DATE);
  let lastTime = NaN;
  let lastText = '';
  const param = (value: unknown): unknown => {
    if (value instanceof Date) {
      if (value.getTime() !== lastTime) {
        lastText = dateType.stringify(value, { timezone: host.options.timezone });
        lastTime = value.getTime();
      }
      return lastText;
    }
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === undefined) return null;
    return value;
  };

  /**
   * Characters Sequelize's escaper rewrites in a string for this dialect (`SqlString.escape`: MySQL
   * backslash-escapes these, SQLite doubles quotes). A string holding none comes out of the
   * escaper as itself between single quotes, so it is written that way without calling it: the
   * escaper's global `replace` and concatenations allocated ~150 bytes a value, 15 values a row,
   * 2.7 KB a person of a first sync's garbage (bench/README.md). `test/store/sql-literals.test.ts`
   * holds the two to the same text.
   */
  const escapable = isMysql ? /[\0\n\r\b\t\\'"\x1a]/ : /'/;

  /** Appends a value as SQL text: numbers and NULL as they are, strings quoted by Sequelize's escaper (or as it would). */
  const writeValue = (parts: string[], value: unknown): void => {
    const v = param(value);
    if (v === null) parts.push('NULL');
    else if (typeof v === 'number') parts.push(String(v));
    else if (typeof v === 'string' && !escapable.test(v)) parts.push("'", v, "'");
    else parts.push(sequelize.escape(v as string));
  };

  /**
   * The statement's text (values escaped, or `$1, $2 …` for the few bound) and the values to bind.
   * Built as a list of parts joined once: one flat string, rather than a tree of concatenations
   * (two small strings a value) that the driver then copies flat anyway.
   */
  function render(statement: SqlPiece): { text: string; bind: unknown[] } {
    if (!(statement instanceof SqlPiece)) throw new TypeError('A statement must be built with the q tag, never from a string');
    const bind: unknown[] = [];
    const parts: string[] = [];
    const write = (value: unknown) => {
      if (isMysql || !(typeof value === 'string' && (value.includes('\u0000') || value.includes('$')))) writeValue(parts, value);
      else parts.push(`$${bind.push(value)}`);
    };
    const walk = (piece: SqlPiece) => {
      if (piece instanceof RowsPiece) return writeRows(piece.rows, write, parts);
      const { texts, values } = piece;
      for (let i = 0; i < values.length; i += 1) {
        parts.push(texts[i]!);
        const value = values[i];
        if (value instanceof SqlPiece) walk(value);
        else write(value);
      }
      parts.push(texts[values.length]!);
    };
    walk(statement);
    return { text: parts.join(''), bind };
  }

  async function query(statement: SqlPiece, type: string, options: { transaction?: Transaction }): Promise<unknown> {
    const { text: sql, bind } = render(statement);
    return sequelize.query(sql, { type, transaction: options.transaction, bind: bind.length > 0 ? bind : undefined });
  }

  const ids = (names: readonly string[]) => text(names.map(quote).join(', '));

  return {
    isMysql,
    q,
    id: (name) => text(quote(name)),
    ids,
    int(value) {
      if (!Number.isSafeInteger(value)) throw new TypeError(`Not a safe integer: ${String(value)}`);
      return text(String(value));
    },
    expression(piece) {
      const holdsValues = (p: SqlPiece): boolean => p.values.some((value) => !(value instanceof SqlPiece) || holdsValues(value));
      if (holdsValues(piece)) throw new TypeError('An expression for literal() cannot hold values');
      return render(piece).text;
    },
    nowMs: text(
      isMysql
        ? 'CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)'
        : "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)",
    ),
    list(values) {
      if (values.length === 0) return text('(NULL)');
      return new SqlPiece(['(', ...values.slice(1).map(() => ', '), ')'], values);
    },
    async insert(into, rows, tail, options = {}) {
      if (rows.length === 0) return;
      for (const slice of chunk(rows, MAX_ROWS)) {
        // Typed as INSERT: untyped, Sequelize lower-cases the whole statement to guess what it is.
        await query(q`INSERT INTO ${into} VALUES ${new RowsPiece(slice)} ${tail}`, QueryTypes.INSERT, options);
      }
    },
    onConflictUpdate(conflictColumns, updateColumns) {
      if (isMysql) return text(`ON DUPLICATE KEY UPDATE ${updateColumns.map((c) => `${quote(c)} = VALUES(${quote(c)})`).join(', ')}`);
      return text(`ON CONFLICT (${conflictColumns.map(quote).join(', ')}) DO UPDATE SET ${updateColumns
        .map((c) => `${quote(c)} = excluded.${quote(c)}`)
        .join(', ')}`);
    },
    onConflictIgnore(conflictColumns) {
      // MySQL's INSERT IGNORE would also swallow truncation and other errors; this does not.
      if (isMysql) return text(`ON DUPLICATE KEY UPDATE ${quote(conflictColumns[0]!)} = ${quote(conflictColumns[0]!)}`);
      return text(`ON CONFLICT (${conflictColumns.map(quote).join(', ')}) DO NOTHING`);
    },
    select: <T>(statement: SqlPiece, options: { transaction?: Transaction } = {}) =>
      query(statement, QueryTypes.SELECT, options) as Promise<T[]>,
    change: async (statement, options = {}) => Number(await query(statement, QueryTypes.BULKUPDATE, options)),
    transaction: (work) =>
      isMysql
        ? sequelize.transaction(work)
        : sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, work),
    begin: () => (isMysql ? sequelize.transaction() : sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE })),
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
