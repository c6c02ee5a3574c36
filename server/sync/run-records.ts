import { DataTypes, Model, Op, type ModelStatic, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { DEFAULT_DISTRICT } from '../domain/district';
import type { HeldPlan, RunCounts, RunIssue, RunKind, RunMode, RunPhase, RunStatus, RunTrigger } from '../domain/contract';

/** A run as stored in `oneroster_runs`. */
export interface RunRecord {
  id: number;
  /** Whose run. */
  district?: string;
  kind: RunKind;
  runTrigger: RunTrigger;
  requestedById: string | null;
  requestedByName: string | null;
  mode: RunMode;
  dryRun: boolean;
  status: RunStatus;
  phase: RunPhase;
  processed: number;
  total: number | null;
  /** JSON of `RunCounts`. */
  counts: string | null;
  /** JSON of `HeldPlan`. */
  plan: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  issueCount: number;
  baselineRunId: number | null;
  /** How a held run was resolved: `approved` or `cancelled` (null otherwise). */
  decision: 'approved' | 'cancelled' | null;
  decidedById: string | null;
  decidedByName: string | null;
  decidedAt: Date | null;
  /** How long the run waited held for a decision, in ms (left out of its duration). */
  heldMs: number;
  /** The newer run that superseded this held one. */
  supersededByRunId: number | null;
  /** JSON `{ students, staff }`: active people after a user run applied. */
  activeAfter: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** Statuses of a run that has ended. */
export const ENDED: readonly RunStatus[] = ['succeeded', 'failed', 'held', 'cancelled', 'superseded'];

/** Fields a run may be updated with (JSON columns as objects). */
export type RunPatch = Partial<Omit<RunRecord, 'id' | 'counts' | 'plan'>> & { counts?: RunCounts; plan?: HeldPlan | null };

/** Reads and writes `oneroster_runs` and `oneroster_run_issues`. */
export interface RunRecords {
  /** Inserts a queued run. */
  create(fields: Pick<RunRecord, 'kind' | 'runTrigger' | 'requestedById' | 'requestedByName' | 'mode' | 'dryRun'>, at: Date): Promise<RunRecord>;
  /** One run, or null. */
  find(id: number): Promise<RunRecord | null>;
  /** Updates a run; when `onlyIf` is given, only while its status is one of those. Says whether it changed. */
  update(id: number, patch: RunPatch, onlyIf?: readonly RunStatus[], transaction?: Transaction): Promise<boolean>;
  /** History, newest first. */
  list(filter: RunListFilter): Promise<{ total: number; rows: RunRecord[] }>;
  /** The newest run matching a filter (`status` may list several). */
  latest(filter: { kind?: RunKind; status?: RunStatus | readonly RunStatus[]; dryRun?: boolean; mode?: RunMode; runTrigger?: RunTrigger }): Promise<RunRecord | null>;
  /** Marks the held runs of `kind` other than `byRunId` superseded by it; returns their ids. */
  supersedeHeld(kind: RunKind, byRunId: number, at: Date): Promise<number[]>;
  /** Runs created since `since`, oldest first, at most `limit` (Automation Status). */
  since(since: Date, filter: { kind?: RunKind; runTrigger?: RunTrigger }, limit: number): Promise<RunRecord[]>;
  /** Id of the newest run that changed the roster (succeeded, not a dry run), or null. */
  latestAppliedId(): Promise<number | null>;
  /** Marks every queued or running run failed with `interrupted` (called by whoever took the lease over); returns their ids. */
  failInterrupted(at: Date, exceptId: number | null): Promise<number[]>;
  /** Ids of runs in these statuses among `ids`. */
  withStatus(ids: number[], statuses: readonly RunStatus[]): Promise<number[]>;
  /** Stores issues of a run. */
  addIssues(runId: number, issues: RunIssue[]): Promise<void>;
  /** A run's stored issues, oldest first. */
  issues(runId: number, limit: number): Promise<RunIssue[]>;
}

/** Filters of the history. */
export interface RunListFilter {
  limit: number;
  offset: number;
  kind?: RunKind;
  status?: RunStatus;
  trigger?: RunTrigger;
}

type RunModel = Model<RunRecord, Partial<RunRecord>>;
type IssueRow = {
  id: number; district: string; runId: number; sourcedId: string | null; code: string; message: string;
  recordName: string | null; recordNumber: string | null; recordSchool: string | null;
};
type IssueModel = Model<IssueRow, Partial<IssueRow>>;

function defineModels(sequelize: Sequelize): { Run: ModelStatic<RunModel>; Issue: ModelStatic<IssueModel> } {
  if (sequelize.models.OneRosterRun) {
    return { Run: sequelize.models.OneRosterRun as ModelStatic<RunModel>, Issue: sequelize.models.OneRosterRunIssue as ModelStatic<IssueModel> };
  }
  const Run = sequelize.define<RunModel>(
    'OneRosterRun',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      district: { type: DataTypes.STRING(64).BINARY, allowNull: false, defaultValue: DEFAULT_DISTRICT },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      runTrigger: { type: DataTypes.STRING(16), allowNull: false },
      requestedById: { type: DataTypes.STRING(64), allowNull: true },
      requestedByName: { type: DataTypes.STRING(255), allowNull: true },
      mode: { type: DataTypes.STRING(8), allowNull: false },
      dryRun: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      phase: { type: DataTypes.STRING(16), allowNull: false },
      processed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      total: { type: DataTypes.INTEGER, allowNull: true },
      counts: { type: DataTypes.TEXT, allowNull: true },
      plan: { type: DataTypes.TEXT, allowNull: true },
      errorCode: { type: DataTypes.STRING(64), allowNull: true },
      errorMessage: { type: DataTypes.TEXT, allowNull: true },
      issueCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      baselineRunId: { type: DataTypes.INTEGER, allowNull: true },
      decision: { type: DataTypes.STRING(16), allowNull: true },
      decidedById: { type: DataTypes.STRING(64), allowNull: true },
      decidedByName: { type: DataTypes.STRING(255), allowNull: true },
      decidedAt: { type: DataTypes.DATE(3), allowNull: true },
      // BIGINT: a plan may wait longer than the 24.8 days an INT of milliseconds holds.
      heldMs: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      supersededByRunId: { type: DataTypes.INTEGER, allowNull: true },
      activeAfter: { type: DataTypes.STRING(255), allowNull: true },
      // Milliseconds (migration 0007c): Sequelize writes whole seconds to MySQL for a plain DATE.
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
      startedAt: { type: DataTypes.DATE(3), allowNull: true },
      finishedAt: { type: DataTypes.DATE(3), allowNull: true },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    // Timestamps come from the module's clock, not Sequelize's.
    { tableName: 'oneroster_runs', underscored: true, timestamps: false },
  );
  const Issue = sequelize.define<IssueModel>(
    'OneRosterRunIssue',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      district: { type: DataTypes.STRING(64).BINARY, allowNull: false, defaultValue: DEFAULT_DISTRICT },
      runId: { type: DataTypes.INTEGER, allowNull: false },
      sourcedId: { type: DataTypes.STRING(255), allowNull: true },
      code: { type: DataTypes.STRING(64), allowNull: false },
      message: { type: DataTypes.STRING(1000), allowNull: false },
      recordName: { type: DataTypes.STRING(255), allowNull: true },
      recordNumber: { type: DataTypes.STRING(255), allowNull: true },
      recordSchool: { type: DataTypes.STRING(255), allowNull: true },
    },
    { tableName: 'oneroster_run_issues', underscored: true, timestamps: false },
  );
  return { Run, Issue };
}

/** One district's run records over the module's tables: every read and write is of that district's rows. */
export function createRunRecords(sequelize: Sequelize, district: string = DEFAULT_DISTRICT): RunRecords {
  const { Run, Issue } = defineModels(sequelize);
  /** A where clause narrowed to this district's rows. */
  const mine = (where: WhereOptions<RunRecord> = {}): WhereOptions<RunRecord> => ({ ...(where as object), district }) as WhereOptions<RunRecord>;
  const plain = (row: RunModel | null): RunRecord | null => (row ? normalize(row.get({ plain: true }) as RunRecord) : null);

  function toColumns(patch: RunPatch): Partial<RunRecord> {
    const { counts, plan, ...rest } = patch;
    const columns: Partial<RunRecord> = { ...rest };
    if (counts !== undefined) columns.counts = JSON.stringify(counts);
    if (plan !== undefined) columns.plan = plan === null ? null : JSON.stringify(plan);
    return columns;
  }

  return {
    async create(fields, at) {
      const row = await Run.create({ ...fields, district, status: 'queued', phase: 'queued', processed: 0, issueCount: 0, createdAt: at, updatedAt: at });
      return plain(row)!;
    },
    async find(id) {
      return plain(await Run.findOne({ where: mine({ id }) }));
    },
    async update(id, patch, onlyIf, transaction) {
      const where: WhereOptions<RunRecord> = onlyIf ? { id, status: { [Op.in]: [...onlyIf] } } : { id };
      const [changed] = await Run.update(toColumns(patch), { where: mine(where), transaction });
      return changed > 0;
    },
    async list({ limit, offset, kind, status, trigger }) {
      const where: WhereOptions<RunRecord> = {};
      if (kind) Object.assign(where, { kind });
      if (status) Object.assign(where, { status });
      if (trigger) Object.assign(where, { runTrigger: trigger });
      const { count, rows } = await Run.findAndCountAll({ where: mine(where), order: [['id', 'DESC']], limit, offset });
      return { total: count, rows: rows.map((row) => plain(row)!) };
    },
    async latest(filter) {
      const where: WhereOptions<RunRecord> = {};
      for (const [key, value] of Object.entries(filter)) {
        if (value !== undefined) Object.assign(where, { [key]: Array.isArray(value) ? { [Op.in]: [...value] } : value });
      }
      return plain(await Run.findOne({ where: mine(where), order: [['id', 'DESC']] }));
    },
    async supersedeHeld(kind, byRunId, at) {
      const rows = await Run.findAll({ where: mine({ kind, status: 'held', id: { [Op.ne]: byRunId } }), attributes: ['id'] });
      const ids = rows.map((row) => Number(row.get('id')));
      if (ids.length > 0) {
        await Run.update(
          { status: 'superseded', supersededByRunId: byRunId, updatedAt: at },
          { where: mine({ id: { [Op.in]: ids }, status: 'held' }) },
        );
      }
      return ids;
    },
    async since(since, filter, limit) {
      const where: WhereOptions<RunRecord> = { createdAt: { [Op.gte]: since } };
      for (const [key, value] of Object.entries(filter)) if (value !== undefined) Object.assign(where, { [key]: value });
      const rows = await Run.findAll({ where: mine(where), order: [['id', 'ASC']], limit });
      return rows.map((row) => plain(row)!);
    },
    async latestAppliedId() {
      const row = await Run.findOne({ where: mine({ status: 'succeeded', dryRun: false }), order: [['id', 'DESC']], attributes: ['id'] });
      return row ? Number(row.get('id')) : null;
    },
    async failInterrupted(at, exceptId) {
      const where: WhereOptions<RunRecord> = { status: { [Op.in]: ['queued', 'running'] } };
      if (exceptId !== null) Object.assign(where, { id: { [Op.ne]: exceptId } });
      const stale = await Run.findAll({ where: mine(where), attributes: ['id'] });
      const ids = stale.map((row) => Number(row.get('id')));
      if (ids.length > 0) {
        await Run.update(
          {
            status: 'failed', phase: 'done', errorCode: 'interrupted', finishedAt: at, updatedAt: at,
            errorMessage: 'The process running this sync stopped before it finished. Nothing it had not fully applied was changed; the next sync repairs the rest.',
          },
          { where: mine({ id: { [Op.in]: ids }, status: { [Op.in]: ['queued', 'running'] } }) },
        );
      }
      return ids;
    },
    async withStatus(ids, statuses) {
      if (ids.length === 0) return [];
      const rows = await Run.findAll({ where: mine({ id: { [Op.in]: ids }, status: { [Op.in]: [...statuses] } }), attributes: ['id'] });
      return rows.map((row) => Number(row.get('id')));
    },
    async addIssues(runId, issues) {
      if (issues.length === 0) return;
      await Issue.bulkCreate(
        issues.map((issue) => ({
          district, runId, sourcedId: issue.sourcedId, code: issue.code.slice(0, 64), message: issue.message.slice(0, 1000),
          recordName: issue.name?.slice(0, 255) ?? null, recordNumber: issue.number?.slice(0, 255) ?? null, recordSchool: issue.school?.slice(0, 255) ?? null,
        })),
      );
    },
    async issues(runId, limit) {
      const rows = await Issue.findAll({ where: { runId, district }, order: [['id', 'ASC']], limit });
      return rows.map((row) => {
        const issue = row.get({ plain: true }) as IssueRow;
        const found: RunIssue = { sourcedId: issue.sourcedId ?? null, code: issue.code, message: issue.message };
        if (issue.recordName) found.name = issue.recordName;
        if (issue.recordNumber) found.number = issue.recordNumber;
        if (issue.recordSchool) found.school = issue.recordSchool;
        return found;
      });
    },
  };
}

/** Normalizes what the dialects return (SQLite booleans as 0/1, strings for dates) into the record's types. */
function normalize(row: RunRecord): RunRecord {
  const date = (value: unknown) => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value)));
  return {
    ...row,
    dryRun: Boolean(row.dryRun),
    total: row.total === null || row.total === undefined ? null : Number(row.total),
    processed: Number(row.processed ?? 0),
    issueCount: Number(row.issueCount ?? 0),
    heldMs: Number(row.heldMs ?? 0),
    decidedAt: date(row.decidedAt),
    createdAt: date(row.createdAt)!,
    startedAt: date(row.startedAt),
    finishedAt: date(row.finishedAt),
    updatedAt: date(row.updatedAt)!,
  };
}
