import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';
import { DEFAULT_DISTRICT } from '../domain/district';
import type { ScheduledRunOutcome } from '../domain/contract';

/** The settings row (`oneroster_automation`, one per district). */
export interface AutomationRow {
  id?: number;
  /** Whose settings. */
  district: string;
  studentImport: boolean;
  staffImport: boolean;
  dailyTime: string;
  timezone: string;
  fullSyncEvery: number;
  paused: boolean;
  deactivateMissing: boolean;
  /** JSON of the Grade Level Matrix (migration 0007b). */
  gradeMatrix: string | null;
  districtOffices: boolean;
  /** JSON of the org → building mapping. */
  orgBuildings: string | null;
  updatedBy: string | null;
  updatedByName: string | null;
  createdAt?: Date;
  updatedAt?: Date;
}

/** One claimed daily slot (`oneroster_schedule_claims`). */
export interface ScheduleClaimRow {
  /** Whose daily slot (always set on rows read back). */
  district?: string;
  slotKey: string;
  scheduledFor: Date;
  claimedBy: string;
  claimedAt: Date;
  outcome: ScheduledRunOutcome;
  errorCode: string | null;
  errorMessage: string | null;
  buildingRunId: number | null;
  userRunId: number | null;
  finishedAt: Date | null;
  /** While `running`: when the claim expires unless its server renews it (epoch ms, database clock). */
  expiresAtMs?: number | null;
}

/** Sequelize models over the automation tables of migration 0004. */
export interface AutomationModels {
  /** `oneroster_automation`. */
  Automation: ModelStatic<Model<AutomationRow, Partial<AutomationRow>>>;
  /** `oneroster_schedule_claims`. */
  ScheduleClaim: ModelStatic<Model<ScheduleClaimRow, Partial<ScheduleClaimRow>>>;
}

/** Defines the models on the host's Sequelize (names prefixed so they cannot clash with the host's). */
export function defineAutomationModels(sequelize: Sequelize): AutomationModels {
  if (sequelize.models.OneRosterAutomation) {
    return {
      Automation: sequelize.models.OneRosterAutomation as AutomationModels['Automation'],
      ScheduleClaim: sequelize.models.OneRosterScheduleClaim as AutomationModels['ScheduleClaim'],
    };
  }
  const Automation = sequelize.define<Model<AutomationRow, Partial<AutomationRow>>>(
    'OneRosterAutomation',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      district: { type: DataTypes.STRING(64).BINARY, allowNull: false, defaultValue: DEFAULT_DISTRICT },
      studentImport: { type: DataTypes.BOOLEAN, allowNull: false },
      staffImport: { type: DataTypes.BOOLEAN, allowNull: false },
      dailyTime: { type: DataTypes.STRING(5), allowNull: false },
      timezone: { type: DataTypes.STRING(64), allowNull: false },
      fullSyncEvery: { type: DataTypes.INTEGER, allowNull: false },
      paused: { type: DataTypes.BOOLEAN, allowNull: false },
      deactivateMissing: { type: DataTypes.BOOLEAN, allowNull: false },
      gradeMatrix: { type: DataTypes.TEXT, allowNull: true },
      districtOffices: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      orgBuildings: { type: DataTypes.TEXT, allowNull: true },
      updatedBy: { type: DataTypes.STRING(255), allowNull: true },
      updatedByName: { type: DataTypes.STRING(255), allowNull: true },
    },
    { tableName: 'oneroster_automation', underscored: true, timestamps: true },
  );
  const ScheduleClaim = sequelize.define<Model<ScheduleClaimRow, Partial<ScheduleClaimRow>>>(
    'OneRosterScheduleClaim',
    {
      district: { type: DataTypes.STRING(64).BINARY, primaryKey: true, defaultValue: DEFAULT_DISTRICT },
      slotKey: { type: DataTypes.STRING(128), primaryKey: true },
      scheduledFor: { type: DataTypes.DATE, allowNull: false },
      claimedBy: { type: DataTypes.STRING(255), allowNull: false },
      claimedAt: { type: DataTypes.DATE, allowNull: false },
      outcome: { type: DataTypes.STRING(32), allowNull: false },
      errorCode: { type: DataTypes.STRING(64), allowNull: true },
      errorMessage: { type: DataTypes.STRING(1000), allowNull: true },
      buildingRunId: { type: DataTypes.INTEGER, allowNull: true },
      userRunId: { type: DataTypes.INTEGER, allowNull: true },
      finishedAt: { type: DataTypes.DATE, allowNull: true },
      expiresAtMs: { type: DataTypes.BIGINT, allowNull: true },
    },
    { tableName: 'oneroster_schedule_claims', underscored: true, timestamps: false },
  );
  return { Automation, ScheduleClaim };
}
