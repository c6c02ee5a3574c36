import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';
import { ROSTER_TABLES } from '../../migrations/roster-table-names';
import { DEFAULT_DISTRICT } from '../domain/district';

/** A building row (`oneroster_buildings`). `sisId` is the "Building SIS" field: a school's OneRoster sourcedId. */
export interface BuildingRow {
  id: number;
  /** Whose building (migration 0009). */
  district: string;
  sisId: string | null;
  name: string;
  identifier: string | null;
  source: 'manual' | 'oneroster';
  active: boolean;
  deactivatedAt: Date | null;
  lastSyncedAt: Date | null;
  /** Hash of the fields the last sync wrote (change detection); null for rows never synced. */
  syncHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields students and staff share. */
export interface PersonRowBase {
  id: number;
  /** Whose person (migration 0009). */
  district: string;
  sourcedId: string | null;
  firstName: string;
  middleName: string | null;
  lastName: string;
  preferredFirstName: string | null;
  email: string | null;
  username: string | null;
  buildingId: number | null;
  enabled: boolean;
  /** The provider's id of the human (see the `naturalKey` option); null before the first sync that knew it. */
  naturalKey: string | null;
  active: boolean;
  deactivatedAt: Date | null;
  lastSyncedAt: Date | null;
  /** Hash of the fields the last sync wrote (change detection); null for rows never synced. */
  syncHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A student row (`oneroster_students`). */
export interface StudentRow extends PersonRowBase {
  studentNumber: string | null;
  grade: string | null;
}

/** A staff row (`oneroster_staff`). */
export interface StaffRow extends PersonRowBase {
  staffNumber: string | null;
  role: string | null;
}

/** Sequelize models over the roster tables, for the default store and for hosts that read them. */
export interface RosterModels {
  /** `oneroster_buildings`. */
  Building: ModelStatic<Model<BuildingRow, Partial<BuildingRow>>>;
  /** `oneroster_students`. */
  Student: ModelStatic<Model<StudentRow, Partial<StudentRow>>>;
  /** `oneroster_staff`. */
  Staff: ModelStatic<Model<StaffRow, Partial<StaffRow>>>;
}

/** Declared so the row types can carry them; Sequelize fills them (timestamps: true). */
const timestampAttributes = {
  createdAt: { type: DataTypes.DATE, allowNull: false },
  updatedAt: { type: DataTypes.DATE, allowNull: false },
};

/** Binary, as migration 0009 made it; rows a host adds by hand belong to the default district. */
const districtAttribute = () => ({ type: DataTypes.STRING(64).BINARY, allowNull: false, defaultValue: DEFAULT_DISTRICT });

const personAttributes = {
  id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
  district: districtAttribute(),
  // Binary, as migration 0001 made it: sourcedIds are case-sensitive keys.
  sourcedId: { type: DataTypes.STRING(255).BINARY, allowNull: true },
  firstName: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
  middleName: { type: DataTypes.STRING(255), allowNull: true },
  lastName: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
  preferredFirstName: { type: DataTypes.STRING(255), allowNull: true },
  email: { type: DataTypes.STRING(320), allowNull: true },
  username: { type: DataTypes.STRING(255), allowNull: true },
  buildingId: { type: DataTypes.INTEGER, allowNull: true },
  enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  naturalKey: { type: DataTypes.STRING(255).BINARY, allowNull: true },
  active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  deactivatedAt: { type: DataTypes.DATE, allowNull: true },
  lastSyncedAt: { type: DataTypes.DATE, allowNull: true },
  syncHash: { type: DataTypes.STRING(32), allowNull: true },
  ...timestampAttributes,
};

/**
 * Defines (or returns the already defined) roster models on a Sequelize instance. Model names are
 * prefixed so they never replace a host model called `Building` or `Student`.
 */
export function defineRosterModels(sequelize: Sequelize): RosterModels {
  const existing = sequelize.models.OneRosterBuilding;
  if (existing) {
    return {
      Building: existing as RosterModels['Building'],
      Student: sequelize.models.OneRosterStudent as RosterModels['Student'],
      Staff: sequelize.models.OneRosterStaff as RosterModels['Staff'],
    };
  }
  const common = { underscored: true, timestamps: true } as const;
  const Building = sequelize.define<Model<BuildingRow, Partial<BuildingRow>>>(
    'OneRosterBuilding',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      district: districtAttribute(),
      sisId: { type: DataTypes.STRING(255).BINARY, allowNull: true },
      name: { type: DataTypes.STRING(255), allowNull: false },
      identifier: { type: DataTypes.STRING(255), allowNull: true },
      source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'manual' },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      deactivatedAt: { type: DataTypes.DATE, allowNull: true },
      lastSyncedAt: { type: DataTypes.DATE, allowNull: true },
      syncHash: { type: DataTypes.STRING(32), allowNull: true },
      ...timestampAttributes,
    },
    { ...common, tableName: ROSTER_TABLES.buildings },
  );
  const Student = sequelize.define<Model<StudentRow, Partial<StudentRow>>>(
    'OneRosterStudent',
    {
      ...personAttributes,
      studentNumber: { type: DataTypes.STRING(255), allowNull: true },
      grade: { type: DataTypes.STRING(16), allowNull: true },
    },
    { ...common, tableName: ROSTER_TABLES.students },
  );
  const Staff = sequelize.define<Model<StaffRow, Partial<StaffRow>>>(
    'OneRosterStaff',
    {
      ...personAttributes,
      staffNumber: { type: DataTypes.STRING(255), allowNull: true },
      role: { type: DataTypes.STRING(64), allowNull: true },
    },
    { ...common, tableName: ROSTER_TABLES.staff },
  );
  return { Building, Student, Staff };
}
