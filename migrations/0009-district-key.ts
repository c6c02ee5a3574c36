import { DataTypes, type QueryInterface, type Sequelize } from 'sequelize';
import type { Migration, MigrationContext } from './types';
import { ROSTER_INDEXES, ROSTER_TABLES } from './roster-table-names';

/** The key earlier releases' rows are filed under (`DEFAULT_DISTRICT` of the server; repeated so migrations import nothing from it). */
const DEFAULT_KEY = 'default';

/** One index, by name. */
interface IndexSpec {
  name: string;
  columns: string[];
  unique?: boolean;
}

/** What 0009 does to one table. */
interface DistrictTable {
  table: string;
  /** Indexes 0009 adds; one with the name of an older index replaces it (the name stays, so tools that name it still find it). */
  added: IndexSpec[];
  /** The indexes the table had before 0009, restored by `down` (SQLite's column removal rebuilds a table and drops them). */
  before: IndexSpec[];
  /** A one-row-per-installation table whose `id` must now number one row per district. */
  rowPerDistrict?: boolean;
}

const rosterIndexes = (kind: keyof typeof ROSTER_INDEXES): IndexSpec[] =>
  ROSTER_INDEXES[kind].map((index) => ({ name: `${ROSTER_TABLES[kind]}${index.suffix}`, columns: index.columns, unique: index.unique }));

/** A roster table's unique key becomes unique per district, under its old name. */
const perDistrictUnique = (kind: keyof typeof ROSTER_INDEXES, column: string): IndexSpec => ({
  name: `${ROSTER_TABLES[kind]}_${column}_unique`,
  columns: ['district', column],
  unique: true,
});

const naturalKeyIndex = (table: string): IndexSpec => ({ name: `${table}_natural_key`, columns: ['natural_key'] });

/** Every module table but the claims, whose primary key changes (see `claimsTable`). */
const TABLES: DistrictTable[] = [
  { table: ROSTER_TABLES.buildings, added: [perDistrictUnique('buildings', 'sis_id')], before: rosterIndexes('buildings') },
  {
    table: ROSTER_TABLES.students,
    added: [perDistrictUnique('students', 'sourced_id')],
    before: [...rosterIndexes('students'), naturalKeyIndex(ROSTER_TABLES.students)],
  },
  {
    table: ROSTER_TABLES.staff,
    added: [perDistrictUnique('staff', 'sourced_id')],
    before: [...rosterIndexes('staff'), naturalKeyIndex(ROSTER_TABLES.staff)],
  },
  { table: 'oneroster_config', added: [{ name: 'oneroster_config_district_unique', columns: ['district'], unique: true }], before: [], rowPerDistrict: true },
  {
    table: 'oneroster_audit_events',
    added: [{ name: 'oneroster_audit_events_district_created_at', columns: ['district', 'created_at'] }],
    before: [{ name: 'oneroster_audit_events_created_at', columns: ['created_at'] }],
  },
  {
    table: 'oneroster_runs',
    added: [{ name: 'oneroster_runs_district_kind_status', columns: ['district', 'kind', 'status'] }],
    before: [
      { name: 'oneroster_runs_kind_status', columns: ['kind', 'status'] },
      { name: 'oneroster_runs_status', columns: ['status'] },
    ],
  },
  { table: 'oneroster_run_issues', added: [], before: [{ name: 'oneroster_run_issues_run', columns: ['run_id', 'id'] }] },
  { table: 'oneroster_sync_lease', added: [{ name: 'oneroster_sync_lease_district_unique', columns: ['district'], unique: true }], before: [], rowPerDistrict: true },
  { table: 'oneroster_staging', added: [], before: [{ name: 'oneroster_staging_natural_key', columns: ['run_id', 'kind', 'natural_key'] }] },
];

const AUTOMATION: DistrictTable = {
  table: 'oneroster_automation',
  added: [{ name: 'oneroster_automation_district_unique', columns: ['district'], unique: true }],
  before: [],
  rowPerDistrict: true,
};

const CLAIMS = 'oneroster_schedule_claims';
const CLAIMS_INDEX: IndexSpec = { name: 'oneroster_schedule_claims_claimed_at', columns: ['claimed_at'] };

/** Binary: keys compare exactly on MySQL too, as sourcedIds do. */
const districtColumn = () => ({ type: DataTypes.STRING(64).BINARY, allowNull: false, defaultValue: DEFAULT_KEY });

function isMysql(sequelize: Sequelize): boolean {
  return sequelize.getDialect() === 'mysql' || sequelize.getDialect() === 'mariadb';
}

async function indexNames(queryInterface: QueryInterface, table: string): Promise<Set<string>> {
  const indexes = (await queryInterface.showIndex(table)) as Array<{ name: string }>;
  return new Set(indexes.map((index) => index.name));
}

/**
 * Adds the `district` column, every existing row filled with the default: an earlier release's
 * data belongs to the default district. On MySQL in SQL of its own: Sequelize leaves the DEFAULT
 * out for a BINARY column there, and rows would get '' instead.
 */
async function addDistrictColumn(context: MigrationContext, table: string): Promise<void> {
  const { queryInterface, sequelize } = context;
  if (!isMysql(sequelize)) {
    await queryInterface.addColumn(table, 'district', districtColumn());
    return;
  }
  await sequelize.query(
    `ALTER TABLE \`${table}\` ADD COLUMN \`district\` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '${DEFAULT_KEY}'`,
  );
}

async function addDistrict(context: MigrationContext, spec: DistrictTable): Promise<void> {
  const { queryInterface, sequelize } = context;
  await addDistrictColumn(context, spec.table);
  const existing = await indexNames(queryInterface, spec.table);
  for (const index of spec.added) {
    if (existing.has(index.name)) await queryInterface.removeIndex(spec.table, index.name);
    await queryInterface.addIndex(spec.table, index.columns, { name: index.name, unique: index.unique ?? false });
  }
  // One row per district now: MySQL must number new rows (SQLite's INTEGER PRIMARY KEY does already).
  if (spec.rowPerDistrict && isMysql(sequelize)) await sequelize.query(`ALTER TABLE \`${spec.table}\` MODIFY \`id\` INT NOT NULL AUTO_INCREMENT`);
}

async function removeDistrict(context: MigrationContext, spec: DistrictTable): Promise<void> {
  const { queryInterface, sequelize } = context;
  // Only the default district's rows fit a schema without the key (others would break its unique keys).
  await sequelize.query(`DELETE FROM ${queryInterface.quoteIdentifier(spec.table)} WHERE district <> '${DEFAULT_KEY}'`);
  const existing = await indexNames(queryInterface, spec.table);
  for (const index of spec.added) if (existing.has(index.name)) await queryInterface.removeIndex(spec.table, index.name);
  if (spec.rowPerDistrict && isMysql(sequelize)) await sequelize.query(`ALTER TABLE \`${spec.table}\` MODIFY \`id\` INT NOT NULL`);
  // Plain DROP COLUMN (SQLite 3.35+ has it): Sequelize's SQLite removeColumn rebuilds the table,
  // which a table that people's foreign keys point at cannot survive.
  await sequelize.query(`ALTER TABLE ${queryInterface.quoteIdentifier(spec.table)} DROP COLUMN ${queryInterface.quoteIdentifier('district')}`);
  const left = await indexNames(queryInterface, spec.table);
  for (const index of spec.before) {
    if (!left.has(index.name)) await queryInterface.addIndex(spec.table, index.columns, { name: index.name, unique: index.unique ?? false });
  }
}

/** The claims table's columns after 0004 and 0006b, for SQLite's rebuild. */
function claimColumns(withDistrict: boolean) {
  return {
    ...(withDistrict ? { district: { ...districtColumn(), primaryKey: true } } : {}),
    slot_key: { type: DataTypes.STRING(128), primaryKey: true },
    scheduled_for: { type: DataTypes.DATE, allowNull: false },
    claimed_by: { type: DataTypes.STRING(255), allowNull: false },
    claimed_at: { type: DataTypes.DATE, allowNull: false },
    outcome: { type: DataTypes.STRING(32), allowNull: false },
    error_code: { type: DataTypes.STRING(64), allowNull: true },
    error_message: { type: DataTypes.STRING(1000), allowNull: true },
    building_run_id: { type: DataTypes.INTEGER, allowNull: true },
    user_run_id: { type: DataTypes.INTEGER, allowNull: true },
    finished_at: { type: DataTypes.DATE, allowNull: true },
    expires_at_ms: { type: DataTypes.BIGINT, allowNull: true },
  };
}

/** SQLite cannot change a primary key: build the table anew, copy the rows, swap the names. */
async function rebuildClaims(context: MigrationContext, withDistrict: boolean): Promise<void> {
  const { queryInterface, sequelize } = context;
  const next = `${CLAIMS}_0009`;
  const shared = Object.keys(claimColumns(false)).map((c) => queryInterface.quoteIdentifier(c)).join(', ');
  await queryInterface.createTable(next, claimColumns(withDistrict));
  await sequelize.query(
    withDistrict
      ? `INSERT INTO ${next} (${shared}, district) SELECT ${shared}, '${DEFAULT_KEY}' FROM ${CLAIMS}`
      : `INSERT INTO ${next} (${shared}) SELECT ${shared} FROM ${CLAIMS} WHERE district = '${DEFAULT_KEY}'`,
  );
  await queryInterface.dropTable(CLAIMS);
  await queryInterface.renameTable(next, CLAIMS);
  await queryInterface.addIndex(CLAIMS, CLAIMS_INDEX.columns, { name: CLAIMS_INDEX.name });
}

/** The claims' primary key becomes (district, slot): two districts' 02:00 slots are two claims. */
async function claimsUp(context: MigrationContext): Promise<void> {
  if (!isMysql(context.sequelize)) return rebuildClaims(context, true);
  await addDistrictColumn(context, CLAIMS);
  await context.sequelize.query(`ALTER TABLE \`${CLAIMS}\` DROP PRIMARY KEY, ADD PRIMARY KEY (\`district\`, \`slot_key\`)`);
}

async function claimsDown(context: MigrationContext): Promise<void> {
  if (!isMysql(context.sequelize)) return rebuildClaims(context, false);
  await context.sequelize.query(`DELETE FROM \`${CLAIMS}\` WHERE district <> '${DEFAULT_KEY}'`);
  await context.sequelize.query(`ALTER TABLE \`${CLAIMS}\` DROP PRIMARY KEY, ADD PRIMARY KEY (\`slot_key\`), DROP COLUMN \`district\``);
}

/** The automation half of this migration (the scheduler's tests build only the automation tables). */
export async function addDistrictToAutomationTables(context: MigrationContext): Promise<void> {
  await addDistrict(context, AUTOMATION);
  await claimsUp(context);
}

/**
 * Many districts in one database: every module table gains a `district` key (VARCHAR(64), binary,
 * NOT NULL, default `'default'`, so an earlier release's rows become the default district's), and
 * what was unique per installation becomes unique per district: a building's SIS id, a person's
 * sourcedId, the configuration, automation and lease rows (one per district, numbered by the
 * database), a daily claim's slot. Runs, issues and staging rows keep their global ids. `down`
 * keeps the default district's rows only.
 */
export const districtKey: Migration = {
  name: '0009-district-key',
  async up(context) {
    for (const spec of TABLES) await addDistrict(context, spec);
    await addDistrictToAutomationTables(context);
  },
  async down(context) {
    await claimsDown(context);
    await removeDistrict(context, AUTOMATION);
    for (const spec of [...TABLES].reverse()) await removeDistrict(context, spec);
  },
};
