import { fn, col, Op, UniqueConstraintError, where, type Sequelize, type WhereOptions } from 'sequelize';
import type { PersonKind } from '../../server';
import { defineHostModels, type HostBuilding, type HostModels, type HostStaff, type HostStudent } from './host-models';
import { HttpError } from './http-error';

/** Students or staff: the two kinds of people the host lists and imports (the module's own). */
export type { PersonKind };

/** A building as the host's API presents it: its row without sync bookkeeping. */
export type BuildingItem = Pick<HostBuilding, 'id' | 'sisId' | 'name' | 'identifier' | 'source' | 'active'>;

/** A student or staff member as the host's API presents it (`grade` for students, `role` for staff). */
export interface PersonItem {
  id: number;
  sourcedId: string | null;
  firstName: string;
  lastName: string;
  /** Student or staff number. */
  number: string | null;
  email: string | null;
  grade?: string | null;
  role?: string | null;
  buildingId: number | null;
  enabled: boolean;
  active: boolean;
}

/** A page of a list, as every list endpoint answers. */
export interface ListPage<T> {
  total: number;
  items: T[];
}

/** What the list pages and endpoints ask for. */
export interface PeopleQuery {
  limit: number;
  offset: number;
  /** Words to find in names, number or email (every word must match somewhere). */
  q?: string;
}

/** The host's reads and writes of its own roster tables. */
export interface RosterQueries {
  /** The models, for the CSV import. */
  models: HostModels;
  /** Buildings by name; all of them unless `limit` says otherwise. */
  listBuildings(page?: { limit?: number; offset?: number }): Promise<ListPage<BuildingItem>>;
  /** How many students and staff point at each building id. */
  countPeopleByBuilding(): Promise<Map<number, number>>;
  createBuilding(input: { name: string; sisId?: string | null; identifier?: string | null }): Promise<BuildingItem>;
  /**
   * Sets or clears the Building SIS field; 404 for an unknown id, 409 when another building has it,
   * 409 `sis_id_read_only` for a building the sync created (its SIS value is the school's key).
   */
  updateBuildingSisId(id: number, sisId: string | null): Promise<BuildingItem>;
  /** Removes a building nobody points at; 404 unknown, 409 when people still belong to it. */
  deleteBuilding(id: number): Promise<void>;
  listPeople(kind: PersonKind, query: PeopleQuery): Promise<ListPage<PersonItem>>;
  /** Students, staff and buildings, for the home page. */
  counts(): Promise<{ buildings: number; students: number; staff: number }>;
}

/** Builds the queries over one Sequelize instance (the host's roster tables). */
export function createRosterQueries(sequelize: Sequelize): RosterQueries {
  const models = defineHostModels(sequelize);
  const { Building, Student, Staff } = models;

  const findBuilding = async (id: number) => {
    const building = Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? await Building.findByPk(id) : null;
    if (!building) throw new HttpError(404, 'not_found', 'That building does not exist.');
    return building;
  };
  const refuseTakenSisId = async (sisId: string, exceptId?: number) => {
    const taken = await Building.findOne({ where: { sisId } });
    if (taken && taken.get('id') !== exceptId) throw duplicateSisId(sisId);
  };

  return {
    models,

    async listBuildings(page = {}) {
      const { count, rows } = await Building.findAndCountAll({ order: [['name', 'ASC'], ['id', 'ASC']], limit: page.limit, offset: page.offset });
      return { total: count, items: rows.map((row) => presentBuilding(row.get({ plain: true }))) };
    },

    async countPeopleByBuilding() {
      const counts = new Map<number, number>();
      for (const model of [Student, Staff] as const) {
        const rows = (await (model as typeof Student).findAll({
          attributes: ['buildingId', [fn('COUNT', col('id')), 'people']],
          where: { buildingId: { [Op.ne]: null } },
          group: [col('building_id')],
          raw: true,
        })) as unknown as Array<{ buildingId: number; people: number | string }>;
        for (const row of rows) counts.set(row.buildingId, (counts.get(row.buildingId) ?? 0) + Number(row.people));
      }
      return counts;
    },

    async createBuilding(input) {
      if (input.sisId) await refuseTakenSisId(input.sisId);
      const sameName = await Building.count({ where: where(fn('lower', col('building_name')), input.name.toLowerCase()) });
      if (sameName > 0) throw new HttpError(409, 'duplicate_building_name', 'A building with that name already exists.');
      try {
        const row = await Building.create({ name: input.name, sisId: input.sisId ?? null, identifier: input.identifier ?? null, source: 'manual' });
        return presentBuilding(row.get({ plain: true }));
      } catch (err) {
        // Two requests racing past the check above still meet the unique index.
        if (err instanceof UniqueConstraintError) throw duplicateSisId(input.sisId ?? '');
        throw err;
      }
    },

    async updateBuildingSisId(id, sisId) {
      const building = await findBuilding(id);
      if (building.get('source') === 'oneroster') {
        throw new HttpError(409, 'sis_id_read_only', 'This building came from OneRoster: its Building SIS ID is the school\'s key and cannot be changed.');
      }
      if (sisId) await refuseTakenSisId(sisId, id);
      try {
        await building.update({ sisId });
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw duplicateSisId(sisId ?? '');
        throw err;
      }
      return presentBuilding(building.get({ plain: true }));
    },

    async deleteBuilding(id) {
      const building = await findBuilding(id);
      const people = (await Student.count({ where: { buildingId: id } })) + (await Staff.count({ where: { buildingId: id } }));
      if (people > 0) {
        throw new HttpError(409, 'building_in_use', `${people} student(s) or staff belong to this building; move them first.`, { people });
      }
      await building.destroy();
    },

    async listPeople(kind, query) {
      const model = (kind === 'students' ? Student : Staff) as typeof Student;
      const numberColumn = kind === 'students' ? 'student_no' : 'employee_no';
      const filter = searchFilter(query.q, ['first_name', 'last_name', 'nickname', numberColumn, 'email_address']);
      const { count, rows } = await model.findAndCountAll({
        where: filter,
        order: [['lastName', 'ASC'], ['firstName', 'ASC'], ['id', 'ASC']],
        limit: query.limit,
        offset: query.offset,
      });
      return { total: count, items: rows.map((row) => presentPerson(kind, row.get({ plain: true }))) };
    },

    async counts() {
      const [buildings, students, staff] = await Promise.all([Building.count(), Student.count(), Staff.count()]);
      return { buildings, students, staff };
    },
  };
}

/**
 * Every word of `q` must appear (case-insensitively) in one of the columns. `instr` instead of
 * LIKE, so `%` and `_` typed by a user are plain characters on SQLite and MySQL alike.
 */
function searchFilter(q: string | undefined, columns: string[]): WhereOptions {
  const words = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5);
  if (words.length === 0) return {};
  return {
    [Op.and]: words.map((word) => ({
      [Op.or]: columns.map((column) => where(fn('instr', fn('lower', fn('coalesce', col(column), '')), word), Op.gt, 0)),
    })),
  };
}

function duplicateSisId(sisId: string): HttpError {
  return new HttpError(409, 'duplicate_sis_id', `Another building already has the Building SIS ID "${sisId}".`);
}

/** The fields of a building row the API shows. */
export function presentBuilding(row: HostBuilding): BuildingItem {
  return { id: row.id, sisId: row.sisId, name: row.name, identifier: row.identifier, source: row.source, active: Boolean(row.active) };
}

/** The fields of a person row the API shows. */
export function presentPerson(kind: PersonKind, row: HostStudent | HostStaff): PersonItem {
  const common = {
    id: row.id,
    sourcedId: row.sourcedId,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    buildingId: row.buildingId,
    enabled: Boolean(row.enabled),
    active: Boolean(row.active),
  };
  if (kind === 'students') {
    const student = row as HostStudent;
    return { ...common, number: student.studentNumber, grade: student.grade };
  }
  const staff = row as HostStaff;
  return { ...common, number: staff.staffNumber, role: staff.role };
}
