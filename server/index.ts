/** The public surface of @manage1to1/oneroster. Only re-exports. */
export { createOneRoster } from './create-oneroster';
export type { OneRoster, DistrictHandle } from './create-oneroster';
export { DEFAULT_DISTRICT } from './district';
export type { DistrictHealth } from './schedule/district-health';
export { createFleetScheduler } from './schedule/fleet-scheduler';
export type { FleetScheduler, FleetSchedulerOptions, FleetRunEvent } from './schedule/fleet-scheduler';
export { databaseRunner } from './schedule/schedule-runner';
export type { ScheduleRunner, RunnerHost, DueRun } from './schedule/schedule-runner';
export { bullmqRunner } from './schedule/bullmq-runner';
export type { BullmqRunnerOptions } from './schedule/bullmq-runner';
export type { DistrictSlots, Scheduler, SlotRunResult } from './schedule/scheduler';
export type { OneRosterOptions, OneRosterUser, Clock } from './options';
export { DEFAULT_NATURAL_KEY, DEFAULT_STAFF_ROLES } from './options';
export type { Logger } from './logger';
export { OneRosterError } from './errors';
export type { ErrorBody } from './errors';
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
export { routeTable } from './http/routes';
export type { Route } from './http/types';
export { migrations, MIGRATION_TABLE } from '../migrations';
export type * from './http/contract';
