import { Op, type Sequelize } from 'sequelize';
import { DEFAULT_DISTRICT, type PersonChanges, type PersonFields, type PersonKind, type RosterStore, type StoredPerson } from '../../server';
import type { HostModels, HostPersonBase, HostStaff, HostStudent } from './host-models';

/**
 * The host's `rosterStore`: how the OneRoster sync reads and writes the host's own `buildings`,
 * `students` and `staff` tables. This is the whole integration with a host's roster; a monolith
 * copies this file and changes the models and the field mapping.
 *
 * Each `apply*` runs in one transaction; lookups take batches of keys (`IN (...)`), and writes are
 * one multi-row statement per batch, never a query per person.
 */
export function createHostRosterStore(sequelize: Sequelize, models: HostModels): RosterStore {
  const { Building } = models;
  // One model type for both kinds: they share every attribute the sync touches but two.
  const people = (kind: PersonKind) => (kind === 'students' ? models.Student : models.Staff) as unknown as HostModels['Student'];
  const numberOf = (kind: PersonKind) => (kind === 'students' ? 'studentNumber' : 'staffNumber') as 'studentNumber';

  /** A row as the engine sees it for matching. */
  const stored = (kind: PersonKind, row: HostStudent | HostStaff): StoredPerson => ({
    id: row.id,
    sourcedId: row.sourcedId,
    number: (kind === 'students' ? (row as HostStudent).studentNumber : (row as HostStaff).staffNumber) ?? null,
    active: Boolean(row.active),
    enabled: Boolean(row.enabled),
    hash: row.syncHash,
  });

  /** The engine's fields in the host's attributes, active again and stamped. */
  const toRow = (kind: PersonKind, fields: PersonFields, at: Date): Partial<HostPersonBase> & Record<string, unknown> => ({
    sourcedId: fields.sourcedId,
    firstName: fields.firstName,
    middleName: fields.middleName,
    lastName: fields.lastName,
    preferredFirstName: fields.preferredFirstName,
    email: fields.email,
    username: fields.username,
    buildingId: fields.buildingId,
    enabled: fields.enabled,
    ...(kind === 'students' ? { studentNumber: fields.number, grade: fields.grade } : { staffNumber: fields.number, role: fields.role }),
    syncHash: fields.hash,
    active: true,
    deactivatedAt: null,
    lastSyncedAt: at,
  });
  const synced = (kind: PersonKind) => [
    'sourcedId', 'firstName', 'middleName', 'lastName', 'preferredFirstName', 'email', 'username', 'buildingId', 'enabled',
    numberOf(kind), kind === 'students' ? 'grade' : 'role', 'syncHash', 'active', 'deactivatedAt', 'lastSyncedAt', 'updatedAt',
  ] as Array<keyof HostStudent>;

  const store: RosterStore = {
    name: 'host-app',

    // This host is one district: its tables have no district column, so it serves the default
    // district and refuses any other. A multi-district monolith returns a store whose queries are
    // narrowed to that district's rows here (e.g. `where: { districtId }` on every model call).
    forDistrict(district) {
      if (district !== DEFAULT_DISTRICT) throw new TypeError(`the example host serves one district, not "${district}"`);
      return store;
    },

    async listBuildings() {
      const rows = await Building.findAll({ order: [['id', 'ASC']] });
      return rows.map((row) => row.get({ plain: true })).map((b) => ({ id: b.id, sisId: b.sisId, name: b.name, identifier: b.identifier, source: b.source, active: Boolean(b.active), hash: b.syncHash }));
    },

    async applyBuildings(changes, at) {
      const fields = (b: { sisId: string; name: string; identifier: string | null; hash: string }) => ({
        sisId: b.sisId, name: b.name, identifier: b.identifier, syncHash: b.hash, active: true, deactivatedAt: null, lastSyncedAt: at,
      });
      await sequelize.transaction(async (transaction) => {
        await Building.bulkCreate(changes.creates.map((b) => ({ ...fields(b), source: 'oneroster' as const })), { transaction });
        await Building.bulkCreate(changes.updates.map(({ id, fields: b }) => ({ id, ...fields(b) })), {
          transaction,
          updateOnDuplicate: ['sisId', 'name', 'identifier', 'syncHash', 'active', 'deactivatedAt', 'lastSyncedAt', 'updatedAt'],
          conflictAttributes: ['id'],
        });
        await Building.update(
          { active: false, deactivatedAt: at, lastSyncedAt: at },
          { where: { id: changes.deactivations, active: true }, transaction },
        );
      });
    },

    async assignBuildingSisIds(assignments, at) {
      if (assignments.length === 0) return;
      await sequelize.transaction(async (transaction) => {
        // Cleared first, so two buildings may swap values under the unique index.
        await Building.update({ sisId: null, updatedAt: at }, { where: { id: assignments.map((a) => a.id) }, transaction, silent: true });
        for (const { id, sisId } of assignments) {
          if (sisId !== null) await Building.update({ sisId, updatedAt: at }, { where: { id }, transaction, silent: true });
        }
      });
    },

    async findPeopleBySourcedId(kind, sourcedIds) {
      const rows = await people(kind).findAll({ where: { sourcedId: sourcedIds } });
      return rows.map((row) => stored(kind, row.get({ plain: true })));
    },

    async findUnkeyedPeopleByNumber(kind, numbers) {
      const rows = await people(kind).findAll({ where: { sourcedId: null, [numberOf(kind)]: numbers } });
      return rows.map((row) => stored(kind, row.get({ plain: true })));
    },

    // The host's tables keep no natural key column: its student/staff number stands in, which is
    // what the default natural key rule falls back to (Ed-Fi's identifier is its unique id too).
    async findPeopleByNaturalKey(kind, keys) {
      const rows = await people(kind).findAll({ where: { sourcedId: { [Op.ne]: null }, [numberOf(kind)]: keys } });
      return rows
        .map((row) => row.get({ plain: true }))
        .map((row) => ({ ...stored(kind, row), naturalKey: stored(kind, row).number ?? '', firstName: row.firstName, lastName: row.lastName }));
    },

    countActivePeople: (kind) => people(kind).count({ where: { active: true } }),

    async countActivePeopleByBuilding(buildingIds) {
      const counts = new Map<number, number>();
      for (const kind of ['students', 'staff'] as const) {
        const rows = (await people(kind).count({ where: { active: true, buildingId: buildingIds }, group: ['buildingId'] })) as Array<{ buildingId: number; count: number }>;
        for (const row of rows) counts.set(Number(row.buildingId), (counts.get(Number(row.buildingId)) ?? 0) + Number(row.count));
      }
      return counts;
    },

    async listActivePeople(kind, afterId, limit) {
      const rows = await people(kind).findAll({ where: activeWithSourcedId(afterId), order: [['id', 'ASC']], limit });
      return rows.map((row) => row.get({ plain: true })).map((row) => ({
        id: row.id,
        sourcedId: row.sourcedId!,
        name: `${row.firstName} ${row.lastName}`.trim(),
        number: stored(kind, row).number,
        buildingId: row.buildingId,
      }));
    },

    // Optional: a re-sync in which nobody went missing then reads ids alone.
    async listActivePersonIds(kind, afterId, limit) {
      const rows = await people(kind).findAll({ attributes: ['id'], where: activeWithSourcedId(afterId), order: [['id', 'ASC']], limit, raw: true });
      return rows.map((row) => Number((row as unknown as { id: number }).id));
    },

    async applyPeople(kind, changes: PersonChanges, at) {
      const model = people(kind);
      await sequelize.transaction(async (transaction) => {
        await model.update({ active: false, deactivatedAt: at, lastSyncedAt: at }, { where: { id: changes.deactivations, active: true }, transaction });
        await model.bulkCreate(changes.updates.map(({ id, fields }) => ({ id, ...toRow(kind, fields, at) })), {
          transaction,
          updateOnDuplicate: synced(kind),
          conflictAttributes: ['id'],
        });
        // A create meeting an existing sourcedId (a batch applied again after a crash) updates it.
        await model.bulkCreate(changes.creates.map((fields) => toRow(kind, fields, at)), {
          transaction,
          updateOnDuplicate: synced(kind),
          conflictAttributes: ['sourcedId'],
        });
      });
    },
  };
  return store;
}

/** The active people with a sourcedId after `afterId` (the listing's filter, shared by its two forms). */
function activeWithSourcedId(afterId: number | null) {
  return { id: { [Op.gt]: afterId ?? 0 }, active: true, sourcedId: { [Op.ne]: null } };
}
