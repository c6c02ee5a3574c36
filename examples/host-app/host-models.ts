import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';

/**
 * The host's own roster tables: `buildings`, `students` and `staff`, in the host's naming
 * (`building_sis`, `student_no`, `is_active`, `created`/`modified`…), as a monolith has them
 * long before OneRoster. The module never creates, alters or drops these: the host creates them,
 * and the sync reaches them only through the `rosterStore` adapter in `roster-store.ts`.
 *
 * The host added what a sync needs to keep: the OneRoster sourcedId of a person, a hash of what
 * the last sync wrote, and when. Everything else was there already.
 */

/** A building row as the host app reads it. */
export interface HostBuilding {
  id: number;
  name: string;
  /** The "Building SIS" field: a school's OneRoster sourcedId. */
  sisId: string | null;
  /** School number. */
  identifier: string | null;
  /** Who made it: an admin by hand, or the OneRoster sync. */
  source: 'manual' | 'oneroster';
  active: boolean;
  deactivatedAt: Date | null;
  lastSyncedAt: Date | null;
  syncHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields students and staff share. */
export interface HostPersonBase {
  id: number;
  sourcedId: string | null;
  firstName: string;
  middleName: string | null;
  lastName: string;
  preferredFirstName: string | null;
  email: string | null;
  username: string | null;
  buildingId: number | null;
  enabled: boolean;
  active: boolean;
  deactivatedAt: Date | null;
  lastSyncedAt: Date | null;
  syncHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A student row. */
export interface HostStudent extends HostPersonBase {
  studentNumber: string | null;
  grade: string | null;
}

/** A staff row. */
export interface HostStaff extends HostPersonBase {
  staffNumber: string | null;
  role: string | null;
}

/** The host's roster models. */
export interface HostModels {
  Building: ModelStatic<Model<HostBuilding, Partial<HostBuilding>>>;
  Student: ModelStatic<Model<HostStudent, Partial<HostStudent>>>;
  Staff: ModelStatic<Model<HostStaff, Partial<HostStaff>>>;
}

/** Sequelize keeps `createdAt`/`updatedAt`, stored in the host's `created`/`modified` columns. */
const timestamps = { timestamps: true } as const;

function personAttributes() {
  return {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // Binary: sourcedIds are case-sensitive keys, and MySQL's default collation is not.
    sourcedId: { type: DataTypes.STRING(255).BINARY, allowNull: true, unique: true, field: 'oneroster_id' },
    firstName: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '', field: 'first_name' },
    middleName: { type: DataTypes.STRING(255), allowNull: true, field: 'middle_name' },
    lastName: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '', field: 'last_name' },
    preferredFirstName: { type: DataTypes.STRING(255), allowNull: true, field: 'nickname' },
    email: { type: DataTypes.STRING(320), allowNull: true, field: 'email_address' },
    username: { type: DataTypes.STRING(255), allowNull: true, field: 'login' },
    buildingId: { type: DataTypes.INTEGER, allowNull: true, field: 'building_id', references: { model: 'buildings', key: 'id' } },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true, field: 'is_enabled' },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true, field: 'is_active' },
    deactivatedAt: { type: DataTypes.DATE, allowNull: true, field: 'inactive_since' },
    lastSyncedAt: { type: DataTypes.DATE, allowNull: true, field: 'oneroster_synced' },
    syncHash: { type: DataTypes.STRING(32), allowNull: true, field: 'oneroster_hash' },
    createdAt: { type: DataTypes.DATE, allowNull: false, field: 'created' },
    updatedAt: { type: DataTypes.DATE, allowNull: false, field: 'modified' },
  };
}

/** Defines (once per Sequelize instance) the host's roster models. */
export function defineHostModels(sequelize: Sequelize): HostModels {
  if (sequelize.models.HostBuilding) {
    const { HostBuilding: Building, HostStudent: Student, HostStaff: Staff } = sequelize.models;
    return { Building, Student, Staff } as unknown as HostModels;
  }
  const Building = sequelize.define<Model<HostBuilding, Partial<HostBuilding>>>(
    'HostBuilding',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: { type: DataTypes.STRING(255), allowNull: false, field: 'building_name' },
      sisId: { type: DataTypes.STRING(255).BINARY, allowNull: true, unique: true, field: 'building_sis' },
      identifier: { type: DataTypes.STRING(255), allowNull: true, field: 'building_code' },
      source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'manual', field: 'origin' },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true, field: 'is_active' },
      deactivatedAt: { type: DataTypes.DATE, allowNull: true, field: 'inactive_since' },
      lastSyncedAt: { type: DataTypes.DATE, allowNull: true, field: 'oneroster_synced' },
      syncHash: { type: DataTypes.STRING(32), allowNull: true, field: 'oneroster_hash' },
      createdAt: { type: DataTypes.DATE, allowNull: false, field: 'created' },
      updatedAt: { type: DataTypes.DATE, allowNull: false, field: 'modified' },
    },
    { tableName: 'buildings', ...timestamps },
  );
  const Student = sequelize.define<Model<HostStudent, Partial<HostStudent>>>(
    'HostStudent',
    {
      ...personAttributes(),
      studentNumber: { type: DataTypes.STRING(255), allowNull: true, field: 'student_no' },
      grade: { type: DataTypes.STRING(16), allowNull: true, field: 'grade_level' },
    },
    { tableName: 'students', ...timestamps, indexes: [{ fields: ['student_no'] }, { fields: ['building_id'] }] },
  );
  const Staff = sequelize.define<Model<HostStaff, Partial<HostStaff>>>(
    'HostStaff',
    {
      ...personAttributes(),
      staffNumber: { type: DataTypes.STRING(255), allowNull: true, field: 'employee_no' },
      role: { type: DataTypes.STRING(64), allowNull: true, field: 'job_title' },
    },
    { tableName: 'staff', ...timestamps, indexes: [{ fields: ['employee_no'] }, { fields: ['building_id'] }] },
  );
  return { Building, Student, Staff };
}

/** Creates the host's tables when missing (the monolith has its own migrations for this). */
export async function createHostTables(models: HostModels): Promise<void> {
  await models.Building.sync();
  await models.Student.sync();
  await models.Staff.sync();
}
