/**
 * The roster store: the only way the sync engine reads and writes buildings, students and staff.
 *
 * The default store (`createSequelizeRosterStore`) writes the module's own `oneroster_buildings`,
 * `oneroster_students` and `oneroster_staff` tables. A host that keeps people in its own tables passes its own implementation as
 * the `rosterStore` option. The contract is small and bulk-oriented so that a sync of a million
 * people costs a bounded number of queries per thousand:
 *
 * - every method takes or returns a batch (the engine never asks for more than ~1000 keys at once);
 * - the engine decides what to write; the store only looks rows up and applies batches;
 * - each `apply*` call must be atomic (one transaction): after a crash a batch is either wholly
 *   applied or not at all, and the next run repairs the rest;
 * - nothing is ever deleted: devices point at these rows. "Deactivate" means `active = false`.
 *
 * Keys: buildings are matched on their "Building SIS" value (`sisId`), people on `sourcedId`.
 * People without a `sourcedId` (CSV imports) are linked through their student or staff `number`.
 * People whose sourcedId changed (a transfer, a provider's new ids) are found by `naturalKey`.
 * Comparisons of `sourcedId`/`sisId` must be case-sensitive.
 */
export interface RosterStore {
  /** A name for logs, e.g. `sequelize`. */
  readonly name: string;

  /** Every building, active or not (a district has hundreds, not millions). */
  listBuildings(): Promise<StoredBuilding[]>;

  /**
   * Applies one batch of building changes in one transaction: inserts `creates` (source
   * `oneroster`, active), rewrites the fields of `updates` and makes them active, and makes
   * `deactivations` inactive (setting their deactivation time). Sets `lastSyncedAt` to `at` on
   * every row it writes.
   */
  applyBuildings(changes: BuildingChanges, at: Date): Promise<void>;

  /**
   * Writes the "Building SIS" value of existing buildings, in one transaction, when the admin
   * matches them to the provider's schools before the first sync (a null `sisId` unlinks one).
   * Only `sis_id` (and the row's update time) changes; the next building sync then finds these
   * buildings by sisId instead of creating duplicates. Clear before set, so two buildings may
   * swap values without tripping a unique index.
   */
  assignBuildingSisIds(assignments: BuildingSisAssignment[], at: Date): Promise<void>;

  /**
   * The people of `kind` whose `sourcedId` is in `sourcedIds` (active or not). At most ~2000 keys
   * per call (a batch's ids and their legacy ids).
   */
  findPeopleBySourcedId(kind: PersonKind, sourcedIds: string[]): Promise<StoredPerson[]>;

  /**
   * The people of `kind` WITHOUT a `sourcedId` whose student/staff number is in `numbers`, all of
   * them (the engine links only when exactly one row has a number). At most ~1000 numbers per call.
   */
  findUnkeyedPeopleByNumber(kind: PersonKind, numbers: string[]): Promise<StoredPerson[]>;

  /**
   * The people of `kind` (active or not) whose natural key is in `keys`, with their names and
   * building, so the engine can recognise a transfer (a new sourcedId for a person it has) and
   * tell two different people sharing a key apart. At most ~1000 keys per call.
   */
  findPeopleByNaturalKey(kind: PersonKind, keys: string[]): Promise<KeyedPerson[]>;

  /** How many people of `kind` are active now (the safeguard's base). */
  countActivePeople(kind: PersonKind): Promise<number>;

  /**
   * Optional: whether any row of `kind` exists, active or not, with a sourcedId or without. A
   * store that says none spares a first sync its lookups of people (by sourcedId, number and
   * natural key, three queries a page) that could find nobody; without it they run as always.
   */
  hasPeople?(kind: PersonKind): Promise<boolean>;

  /**
   * How many active students and staff (together) belong to each of `buildingIds` (at most a few
   * hundred); buildings nobody belongs to may be left out. A building sync that would deactivate
   * a building people still belong to is held for approval.
   */
  countActivePeopleByBuilding(buildingIds: number[]): Promise<Map<number, number>>;

  /**
   * Active people of `kind` that have a `sourcedId`, in ascending `id` order, starting after
   * `afterId` (null: from the start), at most `limit`. The engine pages through these to find who
   * is missing from a complete pull; it keeps no more than one page in memory.
   */
  listActivePeople(kind: PersonKind, afterId: number | null, limit: number): Promise<ActivePerson[]>;

  /**
   * Optional: the ids alone of the people `listActivePeople` lists with the same arguments (the same
   * rows, in the same order). The engine pages through these first and reads a page of people only
   * where rows the pull did not show unchanged may be (the page that holds one, and the pages after
   * it until one holds none), so a re-sync in which nobody went missing reads no names at all;
   * without it every page is read whole, as always.
   */
  listActivePersonIds?(kind: PersonKind, afterId: number | null, limit: number): Promise<number[]>;

  /**
   * Applies one batch of person changes in one transaction. `creates` are inserted active;
   * `updates` rewrite every synced field of the row with that `id` (including `sourcedId`, which is
   * how a CSV row is linked and a changed sourcedId re-keyed), make it active again and clear its
   * deactivation time; `deactivations` become inactive (only rows still active change). Sets
   * `lastSyncedAt` to `at` on every row it writes.
   */
  applyPeople(kind: PersonKind, changes: PersonChanges, at: Date): Promise<void>;

  /**
   * Optional: a first load of a kind that has nobody yet (`hasPeople` said so), written while the
   * pull is still arriving instead of staged and written again once it has. Everything it creates
   * stays invisible until `commit()` (one database transaction), so a pull that dies, is cancelled
   * or is stopped by a crash still changes nothing. Only worth having where one long transaction
   * does not stop other writers: the default store offers it on MySQL/MariaDB (InnoDB locks rows,
   * not the table) and not on SQLite (one writer at a time, and one connection for the run's own
   * bookkeeping). Without it a first sync is staged and applied like any other.
   */
  startFirstLoad?(kind: PersonKind): Promise<FirstLoad>;

  /**
   * The store of one district (many districts in one monolith): the module calls it once per
   * district key it serves and uses only the store it returns for that district, so two districts'
   * buildings and people never mix. Optional: a store without it serves the default district
   * (`DEFAULT_DISTRICT`) only, as every store did before districts, and the module refuses to
   * sync any other district with it.
   */
  forDistrict?(district: string): RosterStore;
}

/** Every method a `RosterStore` must have (typed, so a new method cannot be left out here). */
export const ROSTER_STORE_METHODS = Object.keys({
  listBuildings: true,
  applyBuildings: true,
  assignBuildingSisIds: true,
  findPeopleBySourcedId: true,
  findUnkeyedPeopleByNumber: true,
  findPeopleByNaturalKey: true,
  countActivePeople: true,
  countActivePeopleByBuilding: true,
  listActivePeople: true,
  applyPeople: true,
} satisfies Record<RequiredStoreMethod, true>) as RequiredStoreMethod[];

type RequiredStoreMethod = Exclude<keyof RosterStore, 'name' | 'forDistrict' | 'hasPeople' | 'startFirstLoad' | 'listActivePersonIds'>;

/**
 * One open first load (`RosterStore.startFirstLoad`): people created in one transaction that the
 * engine commits once the whole pull has arrived and been resolved, or rolls back.
 */
export interface FirstLoad {
  /** Inserts these people, active, with `lastSyncedAt` = `at` (as `applyPeople` creates them). */
  create(people: PersonFields[], at: Date): Promise<void>;
  /** People this load created with these natural keys (as `findPeopleByNaturalKey`, inside the load). */
  findByNaturalKey(keys: string[]): Promise<KeyedPerson[]>;
  /** Takes back people this load created, by sourcedId (records identity resolution merged into another). */
  remove(sourcedIds: string[]): Promise<void>;
  /** Makes everything created visible at once. */
  commit(): Promise<void>;
  /** Drops everything created; harmless after `commit` or a first `rollback`. */
  rollback(): Promise<void>;
}

/** The two kinds of person the engine imports. */
export type PersonKind = 'students' | 'staff';

/** A building as the store reports it. */
export interface StoredBuilding {
  /** Row id (people point at it). */
  id: number;
  /** "Building SIS": the school's sourcedId, null for manual buildings never matched. */
  sisId: string | null;
  /** Name. */
  name: string;
  /** Human identifier (school number). */
  identifier: string | null;
  /** `oneroster` when the sync created it; `manual` when an admin did (the sync never deactivates those for being missing). */
  source: 'manual' | 'oneroster';
  /** Whether it is active. */
  active: boolean;
  /** The hash the last sync stored (see `BuildingFields.hash`), or null. */
  hash: string | null;
}

/** The fields the sync writes on a building. */
export interface BuildingFields {
  /** The school's sourcedId. */
  sisId: string;
  /** Name. */
  name: string;
  /** Human identifier. */
  identifier: string | null;
  /** A hash of the other fields; store it and hand it back in `StoredBuilding.hash`. */
  hash: string;
}

/** One building's new "Building SIS" value (see `RosterStore.assignBuildingSisIds`). */
export interface BuildingSisAssignment {
  /** Row id of the building. */
  id: number;
  /** The school's sourcedId, or null to unlink the building. */
  sisId: string | null;
}

/** One batch of building writes. */
export interface BuildingChanges {
  /** New buildings. */
  creates: BuildingFields[];
  /** Existing buildings (by row id) to rewrite and make active. */
  updates: Array<{ id: number; fields: BuildingFields }>;
  /** Row ids to make inactive. */
  deactivations: number[];
}

/** A person as the store reports it for matching. */
export interface StoredPerson {
  /** Row id. */
  id: number;
  /** The provider's sourcedId, null for CSV imports not linked yet. */
  sourcedId: string | null;
  /** Student or staff number. */
  number: string | null;
  /** Whether the row is active. */
  active: boolean;
  /** Whether the person is enabled (`enabledUser`). */
  enabled: boolean;
  /** The hash the last sync stored (see `PersonFields.hash`), or null. */
  hash: string | null;
}

/** A person found by natural key. */
export interface KeyedPerson extends StoredPerson {
  /** The natural key the last sync stored (see `PersonFields.naturalKey`). */
  naturalKey: string;
  /** Given name. */
  firstName: string;
  /** Family name. */
  lastName: string;
}

/** An active person, as listed for the missing-people check. */
export interface ActivePerson {
  /** Row id. */
  id: number;
  /** The provider's sourcedId. */
  sourcedId: string;
  /** Display name, shown in a held run's samples. */
  name: string;
  /** Student or staff number, shown in a held run's samples. Optional for stores that do not keep one. */
  number?: string | null;
  /** Row id of the person's building, shown (by name) in a held run's samples. Optional. */
  buildingId?: number | null;
}

/** The fields the sync writes on a student or staff member. */
export interface PersonFields {
  /** The provider's sourcedId. */
  sourcedId: string;
  /** Given name (preferred name is kept apart). */
  firstName: string;
  /** Middle name. */
  middleName: string | null;
  /** Family name. */
  lastName: string;
  /** Preferred first name. */
  preferredFirstName: string | null;
  /** A well-formed email, or null. */
  email: string | null;
  /** Username. */
  username: string | null;
  /** Student number (students) or staff number (staff): OneRoster `identifier`. */
  number: string | null;
  /** Students: the first CEDS grade. Null for staff. */
  grade: string | null;
  /** Staff: the primary OneRoster role. Null for students. */
  role: string | null;
  /** The building row id the person belongs to. */
  buildingId: number;
  /** `enabledUser`: false flags the person disabled (they stay active). */
  enabled: boolean;
  /**
   * The provider's id of the human behind the record (see the `naturalKey` option), or null.
   * Store it and find people by it (`findPeopleByNaturalKey`).
   */
  naturalKey: string | null;
  /** A hash of the fields above; store it and hand it back in `StoredPerson.hash`. */
  hash: string;
}

/** One batch of person writes. */
export interface PersonChanges {
  /** New people. */
  creates: PersonFields[];
  /** Existing people (by row id) to rewrite and make active. */
  updates: Array<{ id: number; fields: PersonFields }>;
  /** Row ids to make inactive. */
  deactivations: number[];
}
