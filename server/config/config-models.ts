import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';
import { DEFAULT_DISTRICT } from '../domain/district';

/** The saved provider configuration (`oneroster_config`, one row per district). */
export interface ConfigRow {
  /** Row number (1 for the configuration of a release before districts). */
  id: number;
  /** Whose configuration. */
  district: string;
  /** Which provider. */
  provider: string;
  /** Non-secret settings as JSON text. */
  settings: string;
  /** The client secret, encrypted for its district (`v2:iv:tag:ciphertext`; `v1` before districts), or null. */
  encryptedSecret: string | null;
  /** Whether OneRoster is the exclusive roster source. */
  enabled: boolean;
  /** The last connection test of the saved settings, as JSON text. */
  lastTest: string | null;
  /** Who saved it last (host user id). */
  updatedById: string | null;
  /** Their display name. */
  updatedByName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Actions the audit log records. */
export type AuditAction =
  | 'config_saved'
  | 'provider_switched'
  | 'oneroster_disabled'
  | 'oneroster_enabled'
  | 'run_approved'
  | 'run_cancelled'
  | 'buildings_matched';

/** One audit event (`oneroster_audit_events`). */
export interface AuditEventRow {
  id: number;
  /** Whose district it happened in. */
  district: string;
  /** What happened. */
  action: AuditAction;
  /** Who did it (host user id). */
  actorId: string | null;
  /** Their display name. */
  actorName: string | null;
  /** JSON text; never secrets. */
  details: string | null;
  createdAt: Date;
}

/** The configuration models. */
export interface ConfigModels {
  /** `oneroster_config`. */
  Config: ModelStatic<Model<ConfigRow, Partial<ConfigRow>>>;
  /** `oneroster_audit_events`. */
  AuditEvent: ModelStatic<Model<AuditEventRow, Partial<AuditEventRow>>>;
}

/**
 * Defines (or returns the already defined) configuration models on the host's Sequelize. Names are
 * prefixed so they never replace a host model.
 */
export function defineConfigModels(sequelize: Sequelize): ConfigModels {
  const existing = sequelize.models.OneRosterConfig;
  if (existing) {
    return {
      Config: existing as ConfigModels['Config'],
      AuditEvent: sequelize.models.OneRosterAuditEvent as ConfigModels['AuditEvent'],
    };
  }
  const Config = sequelize.define<Model<ConfigRow, Partial<ConfigRow>>>(
    'OneRosterConfig',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      district: { type: DataTypes.STRING(64).BINARY, allowNull: false, defaultValue: DEFAULT_DISTRICT },
      provider: { type: DataTypes.STRING(32), allowNull: false },
      settings: { type: DataTypes.TEXT, allowNull: false },
      encryptedSecret: { type: DataTypes.TEXT, allowNull: true },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      lastTest: { type: DataTypes.TEXT, allowNull: true },
      updatedById: { type: DataTypes.STRING(255), allowNull: true },
      updatedByName: { type: DataTypes.STRING(255), allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { tableName: 'oneroster_config', underscored: true, timestamps: true },
  );
  const AuditEvent = sequelize.define<Model<AuditEventRow, Partial<AuditEventRow>>>(
    'OneRosterAuditEvent',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      district: { type: DataTypes.STRING(64).BINARY, allowNull: false, defaultValue: DEFAULT_DISTRICT },
      action: { type: DataTypes.STRING(64), allowNull: false },
      actorId: { type: DataTypes.STRING(255), allowNull: true },
      actorName: { type: DataTypes.STRING(255), allowNull: true },
      details: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
    },
    { tableName: 'oneroster_audit_events', underscored: true, timestamps: true, updatedAt: false },
  );
  return { Config, AuditEvent };
}
