/** The three roster kinds the module keeps tables for. */
export type RosterTableKind = 'buildings' | 'students' | 'staff';

/** The module's own roster tables (never the host's `buildings`, `students`, `staff`). */
export const ROSTER_TABLES: Record<RosterTableKind, string> = {
  buildings: 'oneroster_buildings',
  students: 'oneroster_students',
  staff: 'oneroster_staff',
};

/** The names releases before migration 0005 gave the same tables. */
export const LEGACY_ROSTER_TABLES: Record<RosterTableKind, string> = {
  buildings: 'buildings',
  students: 'students',
  staff: 'staff',
};

/** One index of a roster table; its name is the table name plus `suffix`. */
export interface RosterIndex {
  /** Indexed columns. */
  columns: string[];
  /** Unique or not. */
  unique: boolean;
  /** Appended to the table name (`_sis_id_unique`). */
  suffix: string;
}

/** The indexes migration 0001 creates (0005 renames the legacy ones to match). */
export const ROSTER_INDEXES: Record<RosterTableKind, RosterIndex[]> = {
  buildings: [{ columns: ['sis_id'], unique: true, suffix: '_sis_id_unique' }],
  students: [
    { columns: ['sourced_id'], unique: true, suffix: '_sourced_id_unique' },
    { columns: ['student_number'], unique: false, suffix: '_student_number' },
    { columns: ['building_id'], unique: false, suffix: '_building_id' },
    { columns: ['active'], unique: false, suffix: '_active' },
  ],
  staff: [
    { columns: ['sourced_id'], unique: true, suffix: '_sourced_id_unique' },
    { columns: ['staff_number'], unique: false, suffix: '_staff_number' },
    { columns: ['building_id'], unique: false, suffix: '_building_id' },
    { columns: ['active'], unique: false, suffix: '_active' },
  ],
};
