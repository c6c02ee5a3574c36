import { ROSTER_TABLES } from './roster-table-names';

/**
 * Every table the module's migrations create, in one list: the utf8mb4 conversion (0006) and the
 * charset check `migrate()` runs both read it, so renaming a table is a one-line change here.
 */
export const MODULE_TABLES: readonly string[] = [
  // The default store's roster tables (0001; renamed from buildings/students/staff by 0005).
  ...Object.values(ROSTER_TABLES),
  'oneroster_config',
  'oneroster_audit_events',
  'oneroster_runs',
  'oneroster_run_issues',
  'oneroster_sync_lease',
  'oneroster_staging',
  'oneroster_automation',
  'oneroster_schedule_claims',
];

/** The character set every text column of the module's tables must have: all of Unicode, emoji included. */
export const REQUIRED_CHARSET = 'utf8mb4';
