/** The public surface of @manage1to1/oneroster. Only re-exports. */
export { createOneRoster } from './create-oneroster';
export type { OneRoster, DistrictHandle, OneRosterScheduler, OneRosterSync } from './create-oneroster';
export type { RunRequest, UserRunRequest } from './sync/sync-service';
export { DEFAULT_DISTRICT } from './domain/district';
export type { DistrictHealth } from './schedule/district-health';
export { createFleetScheduler } from './schedule/fleet-scheduler';
export type { FleetScheduler, FleetSchedulerOptions, FleetRunEvent, DistrictSource, ScheduledDistrict } from './schedule/fleet-scheduler';
export { databaseRunner } from './schedule/schedule-runner';
export type { ScheduleRunner, RunnerHost, DueRun } from './schedule/schedule-runner';
export { bullmqRunner } from './schedule/bullmq-runner';
export type { BullmqRunnerOptions } from './schedule/bullmq-runner';
export type { DistrictSlots, SlotRunResult } from './schedule/scheduler';
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
  FirstLoad,
} from './store/roster-store';
export { createSequelizeRosterStore } from './store/sequelize-roster-store';
export { defineRosterModels } from './store/roster-models';
export type { RosterModels, BuildingRow, StudentRow, StaffRow } from './store/roster-models';
export { migrations, MIGRATION_TABLE } from '../migrations';
export type * from './domain/contract';
