import { DEFAULT_DISTRICT } from '../domain/district';
import type { Sequelize, Transaction } from 'sequelize';
import type {
  ActivePerson,
  BuildingChanges,
  KeyedPerson,
  BuildingSisAssignment,
  FirstLoad,
  PersonChanges,
  PersonFields,
  PersonKind,
  RosterStore,
  StoredBuilding,
  StoredPerson,
} from './roster-store';
import { ROSTER_TABLES } from '../../migrations/roster-table-names';
import { chunk, createSql, readBoolean, type SqlPiece } from './sql';

/** Rows per statement: well under MySQL's packet limit, and few statements per thousand people. */
const BATCH = 1000;

/** Connections a pool needs for first loads: the load's own, and two for the run beside it. */
const FIRST_LOAD_MIN_POOL = 3;

/** The pool's size as the host configured it (Sequelize's default is 5). */
function poolMax(sequelize: Sequelize): number {
  const pool = (sequelize as unknown as { options: { pool?: { max?: number } } }).options.pool;
  return pool?.max ?? 5;
}

/** Per-kind column names of the default tables. */
const PERSON_TABLES: Record<PersonKind, { table: string; number: string; extra: 'grade' | 'role' }> = {
  students: { table: ROSTER_TABLES.students, number: 'student_number', extra: 'grade' },
  staff: { table: ROSTER_TABLES.staff, number: 'staff_number', extra: 'role' },
};

/**
 * The default roster store over the module's `oneroster_buildings`, `oneroster_students` and
 * `oneroster_staff` tables (created by the migrations). Every method is one or a few set-based statements: multi-row upserts
 * (`ON DUPLICATE KEY UPDATE` on MySQL, `ON CONFLICT` on SQLite), `IN (...)` lookups and `UPDATE ...
 * WHERE id IN (...)`; never a query per person.
 */
export function createSequelizeRosterStore(sequelize: Sequelize, district: string = DEFAULT_DISTRICT): RosterStore {
  const sql = createSql(sequelize);
  const { q } = sql;
  // Every statement reads and writes this district's rows only; the unique keys are per district.
  const mine = q`district = ${district}`;
  const buildings = sql.id(ROSTER_TABLES.buildings);

  function personColumns(kind: PersonKind): string[] {
    const { number, extra } = PERSON_TABLES[kind];
    return [
      'district', 'sourced_id', 'first_name', 'middle_name', 'last_name', 'preferred_first_name', 'email', 'username',
      number, extra, 'building_id', 'enabled', 'natural_key', 'sync_hash', 'active', 'deactivated_at', 'last_synced_at', 'updated_at',
    ];
  }

  /** A create's row: every synced column, then `created_at`. */
  const createRow = (kind: PersonKind, fields: PersonFields, at: Date) => [...personValues(kind, fields, at), at];

  /** The upsert clause every create carries: a create meeting an existing sourcedId (a repeated apply) updates it instead. */
  const createClash = (kind: PersonKind) => sql.onConflictUpdate(['district', 'sourced_id'], personColumns(kind));

  async function findPeopleByNaturalKey(kind: PersonKind, keys: string[], transaction?: Transaction): Promise<KeyedPerson[]> {
    const { table, number } = PERSON_TABLES[kind];
    const found: KeyedPerson[] = [];
    for (const slice of chunk(keys, BATCH)) {
      const rows = await sql.select<Record<string, unknown>>(q`
        SELECT id, sourced_id, ${sql.id(number)} AS number, active, enabled, sync_hash, natural_key, first_name, last_name
        FROM ${sql.id(table)} WHERE ${mine} AND natural_key IN ${sql.list(slice)}`, { transaction });
      for (const row of rows) {
        found.push({ ...readPerson(row), naturalKey: String(row.natural_key), firstName: String(row.first_name ?? ''), lastName: String(row.last_name ?? '') });
      }
    }
    return found;
  }

  /** One keyset page of a kind's active people with a sourcedId, ascending id: the listing's one query, whatever columns it reads. */
  function activePeoplePage(kind: PersonKind, columns: SqlPiece, afterId: number | null, limit: number): SqlPiece {
    // Keyset paging must walk the primary key. Left alone, MariaDB read the `active` index from
    // its start on every page (ref on active = 1, id only filtered), so listing a million people
    // cost O(n²): ~40 ms a page half way through 1M rows instead of ~4 ms (bench/README.md;
    // measured with that index on `active` alone, before migration 0010 put the district first).
    const hint = sql.isMysql ? q` FORCE INDEX (PRIMARY)` : q``;
    return q`SELECT ${columns} FROM ${sql.id(PERSON_TABLES[kind].table)}${hint}
      WHERE id > ${afterId ?? 0} AND ${mine} AND active = ${true} AND sourced_id IS NOT NULL ORDER BY id LIMIT ${sql.int(limit)}`;
  }

  async function startFirstLoad(kind: PersonKind): Promise<FirstLoad> {
    const { table } = PERSON_TABLES[kind];
    const into = sql.id(table);
    const columns = sql.ids([...personColumns(kind), 'created_at']);
    const transaction = await sql.begin();
    let open = true;
    return {
      async create(people, at) {
        await sql.insert(q`${into} (${columns})`, people.map((fields) => createRow(kind, fields, at)), createClash(kind), { transaction });
      },
      findByNaturalKey: (keys) => findPeopleByNaturalKey(kind, keys, transaction),
      async remove(sourcedIds) {
        for (const slice of chunk(sourcedIds, BATCH)) {
          await sql.change(q`DELETE FROM ${into} WHERE ${mine} AND sourced_id IN ${sql.list(slice)}`, { transaction });
        }
      },
      async commit() {
        open = false;
        await transaction.commit();
      },
      async rollback() {
        if (!open) return;
        open = false;
        await transaction.rollback();
      },
    };
  }

  function personValues(kind: PersonKind, fields: PersonFields, at: Date): unknown[] {
    const extra = PERSON_TABLES[kind].extra === 'grade' ? fields.grade : fields.role;
    return [
      district, fields.sourcedId, fields.firstName, fields.middleName, fields.lastName, fields.preferredFirstName, fields.email,
      fields.username, fields.number, extra, fields.buildingId, fields.enabled, fields.naturalKey, fields.hash, true, null, at, at,
    ];
  }

  return {
    name: 'sequelize',

    forDistrict: (key) => createSequelizeRosterStore(sequelize, key),

    async listBuildings() {
      const rows = await sql.select<Record<string, unknown>>(q`SELECT id, sis_id, name, identifier, source, active, sync_hash FROM ${buildings} WHERE ${mine} ORDER BY id`);
      return rows.map(
        (row): StoredBuilding => ({
          id: Number(row.id),
          sisId: (row.sis_id as string | null) ?? null,
          name: String(row.name ?? ''),
          identifier: (row.identifier as string | null) ?? null,
          source: row.source === 'oneroster' ? 'oneroster' : 'manual',
          active: readBoolean(row.active),
          hash: (row.sync_hash as string | null) ?? null,
        }),
      );
    },

    async assignBuildingSisIds(assignments: BuildingSisAssignment[], at: Date) {
      if (assignments.length === 0) return;
      await sql.transaction(async (transaction) => {
        for (const slice of chunk(assignments.map((a) => a.id), BATCH)) {
          await sql.change(q`UPDATE ${buildings} SET sis_id = NULL, updated_at = ${at} WHERE ${mine} AND id IN ${sql.list(slice)}`, { transaction });
        }
        for (const { id, sisId } of assignments) {
          if (sisId === null) continue;
          await sql.change(q`UPDATE ${buildings} SET sis_id = ${sisId}, updated_at = ${at} WHERE ${mine} AND id = ${id}`, { transaction });
        }
      });
    },

    async applyBuildings(changes: BuildingChanges, at: Date) {
      await sql.transaction(async (transaction) => {
        const columns = ['district', 'sis_id', 'name', 'identifier', 'sync_hash', 'active', 'deactivated_at', 'last_synced_at', 'updated_at'];
        const creates = changes.creates.map((b) => [district, b.sisId, b.name, b.identifier, b.hash, true, null, at, at, 'oneroster', at]);
        await sql.insert(q`${buildings} (${sql.ids([...columns, 'source', 'created_at'])})`, creates, sql.onConflictUpdate(['district', 'sis_id'], columns), { transaction });
        const updates = changes.updates.map(({ id, fields: b }) => [id, district, b.sisId, b.name, b.identifier, b.hash, true, null, at, at, at]);
        await sql.insert(q`${buildings} (${sql.ids(['id', ...columns, 'created_at'])})`, updates, sql.onConflictUpdate(['id'], columns), { transaction });
        for (const slice of chunk(changes.deactivations, BATCH)) {
          await sql.change(
            q`UPDATE ${buildings} SET active = ${false}, deactivated_at = ${at}, last_synced_at = ${at}, updated_at = ${at} WHERE ${mine} AND active = ${true} AND id IN ${sql.list(slice)}`,
            { transaction },
          );
        }
      });
    },

    async findPeopleBySourcedId(kind, sourcedIds) {
      const { table, number } = PERSON_TABLES[kind];
      const found: StoredPerson[] = [];
      for (const slice of chunk(sourcedIds, BATCH * 2)) {
        const rows = await sql.select<Record<string, unknown>>(
          q`SELECT id, sourced_id, ${sql.id(number)} AS number, active, enabled, sync_hash FROM ${sql.id(table)} WHERE ${mine} AND sourced_id IN ${sql.list(slice)}`,
        );
        for (const row of rows) found.push(readPerson(row));
      }
      return found;
    },

    async findUnkeyedPeopleByNumber(kind, numbers) {
      const { table, number } = PERSON_TABLES[kind];
      const found: StoredPerson[] = [];
      for (const slice of chunk(numbers, BATCH)) {
        const rows = await sql.select<Record<string, unknown>>(q`
          SELECT id, sourced_id, ${sql.id(number)} AS number, active, enabled, sync_hash FROM ${sql.id(table)}
          WHERE ${mine} AND sourced_id IS NULL AND ${sql.id(number)} IN ${sql.list(slice)}`);
        for (const row of rows) found.push(readPerson(row));
      }
      return found;
    },

    findPeopleByNaturalKey: (kind, keys) => findPeopleByNaturalKey(kind, keys),

    async countActivePeople(kind) {
      const [row] = await sql.select<{ n: number | string }>(q`SELECT COUNT(*) AS n FROM ${sql.id(PERSON_TABLES[kind].table)} WHERE ${mine} AND active = ${true}`);
      return Number(row?.n ?? 0);
    },

    async hasPeople(kind) {
      const rows = await sql.select(q`SELECT 1 AS found FROM ${sql.id(PERSON_TABLES[kind].table)} WHERE ${mine} LIMIT 1`);
      return rows.length > 0;
    },

    async countActivePeopleByBuilding(buildingIds) {
      const counts = new Map<number, number>();
      for (const slice of chunk(buildingIds, BATCH)) {
        for (const { table } of Object.values(PERSON_TABLES)) {
          const rows = await sql.select<{ building_id: number | string; n: number | string }>(
            q`SELECT building_id, COUNT(*) AS n FROM ${sql.id(table)} WHERE ${mine} AND active = ${true} AND building_id IN ${sql.list(slice)} GROUP BY building_id`,
          );
          for (const row of rows) counts.set(Number(row.building_id), (counts.get(Number(row.building_id)) ?? 0) + Number(row.n));
        }
      }
      return counts;
    },

    async listActivePeople(kind, afterId, limit): Promise<ActivePerson[]> {
      const rows = await sql.select<Record<string, unknown>>(
        activePeoplePage(kind, q`id, sourced_id, first_name, last_name, ${sql.id(PERSON_TABLES[kind].number)} AS number, building_id`, afterId, limit),
      );
      return rows.map((row) => ({
        id: Number(row.id),
        sourcedId: String(row.sourced_id),
        name: `${String(row.first_name ?? '')} ${String(row.last_name ?? '')}`.trim(),
        number: row.number === null || row.number === undefined ? null : String(row.number),
        buildingId: row.building_id === null || row.building_id === undefined ? null : Number(row.building_id),
      }));
    },

    async listActivePersonIds(kind, afterId, limit): Promise<number[]> {
      const rows = await sql.select<{ id: number | string }>(activePeoplePage(kind, q`id`, afterId, limit));
      return rows.map((row) => Number(row.id));
    },

    async applyPeople(kind: PersonKind, changes: PersonChanges, at: Date) {
      const { table } = PERSON_TABLES[kind];
      const columns = personColumns(kind);
      // Everything but the key is overwritten, so a repeated apply ends in the same state.
      const updatable = columns;
      const into = sql.id(table);
      await sql.transaction(async (transaction) => {
        for (const slice of chunk(changes.deactivations, BATCH)) {
          await sql.change(
            q`UPDATE ${into} SET active = ${false}, deactivated_at = ${at}, last_synced_at = ${at}, updated_at = ${at} WHERE ${mine} AND active = ${true} AND id IN ${sql.list(slice)}`,
            { transaction },
          );
        }
        const updates = changes.updates.map(({ id, fields }) => [id, ...personValues(kind, fields, at), at]);
        await sql.insert(q`${into} (${sql.ids(['id', ...columns, 'created_at'])})`, updates, sql.onConflictUpdate(['id'], updatable), { transaction });
        const creates = changes.creates.map((fields) => createRow(kind, fields, at));
        await sql.insert(q`${into} (${sql.ids([...columns, 'created_at'])})`, creates, createClash(kind), { transaction });
      });
    },

    // One long transaction holds row locks only on MySQL/MariaDB; on SQLite it would hold the one
    // writer's lock. It also holds a pooled connection for the whole pull: with fewer than
    // FIRST_LOAD_MIN_POOL, the run's own statements (staging, progress, lease) would queue behind it.
    ...(sql.isMysql && poolMax(sequelize) >= FIRST_LOAD_MIN_POOL ? { startFirstLoad } : {}),
  };
}

function readPerson(row: Record<string, unknown>): StoredPerson {
  return {
    id: Number(row.id),
    sourcedId: (row.sourced_id as string | null) ?? null,
    number: row.number === null || row.number === undefined ? null : String(row.number),
    active: readBoolean(row.active),
    enabled: readBoolean(row.enabled),
    hash: (row.sync_hash as string | null) ?? null,
  };
}
