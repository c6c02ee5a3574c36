import type { Sequelize } from 'sequelize';
import type { ResolvedOptions, Clock } from './options';
import type { Logger } from './logger';
import type { RosterStore } from './store/roster-store';

/** What every service of one module instance shares. Built by `createOneRoster`; never global. */
export interface ModuleContext {
  /** Options with defaults filled in. */
  options: ResolvedOptions;
  /** The host's database. */
  sequelize: Sequelize;
  /** Where roster records are read and written. */
  store: RosterStore;
  /** The logger (never given secrets or roster records). */
  logger: Logger;
  /** The time source. */
  clock: Clock;
  /** The district every query of this context reads and writes (`DEFAULT_DISTRICT` for a single-district host). */
  district: string;
}
