import type { QueryInterface, Sequelize } from 'sequelize';

/** What each migration's `up` and `down` receive. */
export interface MigrationContext {
  /** Sequelize's schema tools. */
  queryInterface: QueryInterface;
  /** The host's database. */
  sequelize: Sequelize;
}

/** One migration: a name that sorts in order, and its two directions. */
export interface Migration {
  /** Unique, ordered name, e.g. `0001-roster-tables`. */
  name: string;
  /** Applies the change. */
  up(context: MigrationContext): Promise<void>;
  /** Reverts it exactly. */
  down(context: MigrationContext): Promise<void>;
}
