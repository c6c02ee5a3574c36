import { DataTypes, Model, Op, type ModelStatic, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { HeldPlan, RunCounts, RunIssue, RunKind, RunMode, RunPhase, RunStatus, RunTrigger } from '../http/contract';

/** A run as stored in `oneroster_runs`. */
export interface RunRecord {
  id: number;
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
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** Statuses of a run that has ended. */
export const ENDED: readonly RunStatus[] = ['succeeded', 'failed', 'held', 'cancelled'];

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
  list(filter: { limit: number; offset: number; kind?: RunKind; status?: RunStatus }): Promise<{ total: number; rows: RunRecord[] }>;
  /** The newest run matching a filter. */
  latest(filter: { kind?: RunKind; status?: RunStatus; dryRun?: boolean; mode?: RunMode }): Promise<RunRecord | null>;
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

type RunModel = Model<RunRecord, Partial<RunRecord>>;
type IssueRow = { id: number; runId: number; sourcedId: string | null; code: string; message: string };
type IssueModel = Model<IssueRow, Partial<IssueRow>>;

function defineModels(sequelize: Sequelize): { Run: ModelStatic<RunModel>; Issue: ModelStatic<IssueModel> } {
  if (sequelize.models.OneRosterRun) {
    return { Run: sequelize.models.OneRosterRun as ModelStatic<RunModel>, Issue: sequelize.models.OneRosterRunIssue as ModelStatic<IssueModel> };
  }
  const Run = sequelize.define<RunModel>(
    'OneRosterRun',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
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
      runId: { type: DataTypes.INTEGER, allowNull: false },
      sourcedId: { type: DataTypes.STRING(255), allowNull: true },
      code: { type: DataTypes.STRING(64), allowNull: false },
      message: { type: DataTypes.STRING(1000), allowNull: false },
    },
    { tableName: 'oneroster_run_issues', underscored: true, timestamps: false },
  );
  return { Run, Issue };
}

/** The run records over the module's tables. */
export function createRunRecords(sequelize: Sequelize): RunRecords {
  const { Run, Issue } = defineModels(sequelize);
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
      const row = await Run.create({ ...fields, status: 'queued', phase: 'queued', processed: 0, issueCount: 0, createdAt: at, updatedAt: at });
      return plain(row)!;
    },
    async find(id) {
      return plain(await Run.findByPk(id));
    },
    async update(id, patch, onlyIf, transaction) {
      const where: WhereOptions<RunRecord> = onlyIf ? { id, status: { [Op.in]: [...onlyIf] } } : { id };
      const [changed] = await Run.update(toColumns(patch), { where, transaction });
      return changed > 0;
    },
    async list({ limit, offset, kind, status }) {
      const where: WhereOptions<RunRecord> = {};
      if (kind) Object.assign(where, { kind });
      if (status) Object.assign(where, { status });
      const { count, rows } = await Run.findAndCountAll({ where, order: [['id', 'DESC']], limit, offset });
      return { total: count, rows: rows.map((row) => plain(row)!) };
    },
    async latest(filter) {
      const where: WhereOptions<RunRecord> = {};
      for (const [key, value] of Object.entries(filter)) if (value !== undefined) Object.assign(where, { [key]: value });
      return plain(await Run.findOne({ where, order: [['id', 'DESC']] }));
    },
    async latestAppliedId() {
      const row = await Run.findOne({ where: { status: 'succeeded', dryRun: false }, order: [['id', 'DESC']], attributes: ['id'] });
      return row ? Number(row.get('id')) : null;
    },
    async failInterrupted(at, exceptId) {
      const where: WhereOptions<RunRecord> = { status: { [Op.in]: ['queued', 'running'] } };
      if (exceptId !== null) Object.assign(where, { id: { [Op.ne]: exceptId } });
      const stale = await Run.findAll({ where, attributes: ['id'] });
      const ids = stale.map((row) => Number(row.get('id')));
      if (ids.length > 0) {
        await Run.update(
          {
            status: 'failed', phase: 'done', errorCode: 'interrupted', finishedAt: at, updatedAt: at,
            errorMessage: 'The process running this sync stopped before it finished. Nothing it had not fully applied was changed; the next sync repairs the rest.',
          },
          { where: { id: { [Op.in]: ids }, status: { [Op.in]: ['queued', 'running'] } } },
        );
      }
      return ids;
    },
    async withStatus(ids, statuses) {
      if (ids.length === 0) return [];
      const rows = await Run.findAll({ where: { id: { [Op.in]: ids }, status: { [Op.in]: [...statuses] } }, attributes: ['id'] });
      return rows.map((row) => Number(row.get('id')));
    },
    async addIssues(runId, issues) {
      if (issues.length === 0) return;
      await Issue.bulkCreate(
        issues.map((issue) => ({ runId, sourcedId: issue.sourcedId, code: issue.code.slice(0, 64), message: issue.message.slice(0, 1000) })),
      );
    },
    async issues(runId, limit) {
      const rows = await Issue.findAll({ where: { runId }, order: [['id', 'ASC']], limit });
      return rows.map((row) => {
        const issue = row.get({ plain: true }) as IssueRow;
        return { sourcedId: issue.sourcedId ?? null, code: issue.code, message: issue.message };
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
    createdAt: date(row.createdAt)!,
    startedAt: date(row.startedAt),
    finishedAt: date(row.finishedAt),
    updatedAt: date(row.updatedAt)!,
  };
}
