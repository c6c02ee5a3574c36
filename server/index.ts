/** The public surface of @manage1to1/oneroster. Only re-exports. */
export { createOneRoster } from './create-oneroster';
export type { OneRoster, OneRosterScheduler, OneRosterSync } from './create-oneroster';
export type { RunRequest, UserRunRequest } from './sync/sync-service';
export type { OneRosterOptions, OneRosterUser, Clock } from './options';
export { DEFAULT_NATURAL_KEY, DEFAULT_STAFF_ROLES } from './options';
export type { Logger } from './logger';
export { OneRosterError } from './domain/errors';
export type {
  RosterStore,
  PersonKind,
  StoredBuilding,
  BuildingFields,
  BuildingChanges,
  BuildingSisAssignment,
  StoredPerson,
  KeyedPerson,
  ActivePerson,
  PersonFields,
  PersonChanges,
} from './store/roster-store';
export { createSequelizeRosterStore } from './store/sequelize-roster-store';
export { defineRosterModels } from './store/roster-models';
export type { RosterModels, BuildingRow, StudentRow, StaffRow } from './store/roster-models';
export { migrations, MIGRATION_TABLE } from '../migrations';
export type * from './domain/contract';
