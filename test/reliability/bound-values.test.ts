import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { createMigrator } from '../../migrations';
import type { PersonFields } from '../../server/store/roster-store';
import { createSequelizeRosterStore } from '../../server/store/sequelize-roster-store';
import { createSql } from '../../server/store/sql';
import { createStagingArea } from '../../server/sync/staging-area';
import { createMemoryLogger } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';

/**
 * Values that break hand-built literals: NUL (SQLite ends a statement's text there), quotes and
 * backslashes (escaping), an injection attempt, a bind placeholder's look, emoji (4-byte UTF-8),
 * line and paragraph separators, and a lone surrogate (which UTF-8 cannot hold: the drivers send
 * U+FFFD, and the engine drops them before anything is written, with an issue).
 */
const AWKWARD = [
  "a\u0000b'c\\d\u0000",
  "Robert'); DROP TABLE oneroster_staging; --",
  '\\\'\\"\\\\',
  '$1 $$ ? :name',
  'Zoë 👩🏽‍🏫 王小明',
  'line\u2028para\u2029end',
  'lone \uD800 surrogate',
];

/** What a database can hold of a string: lone surrogates become U+FFFD. */
function storable(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function person(sourcedId: string, name: string, buildingId: number): PersonFields {
  return {
    sourcedId, firstName: name, middleName: name, lastName: name, preferredFirstName: name, email: name, username: name,
    number: name, grade: null, role: null, buildingId, enabled: true, naturalKey: name, hash: 'h',
  };
}

describeEachDatabase('values travel apart from the SQL text (bound on SQLite, escaped by the driver on MySQL)', (db) => {
  const at = new Date('2026-02-03T04:05:06.789Z');
  let buildingId: number;

  beforeAll(async () => {
    await createMigrator(db().sequelize, createMemoryLogger()).up();
  });

  it('every awkward value round-trips through a bound SELECT', async () => {
    const sql = createSql(db().sequelize);
    for (const value of AWKWARD) {
      const [row] = await sql.select<{ v: string }>(sql.q`SELECT ${value} AS v`);
      expect(row!.v).toBe(storable(value));
    }
  });

  it('buildings: creates, updates and Building SIS assignments keep every value exactly', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    await store.applyBuildings({ creates: AWKWARD.map((name, i) => ({ sisId: `${name}#${i}`, name, identifier: name, hash: 'b' })), updates: [], deactivations: [] }, at);
    const created = await store.listBuildings();
    expect(created.map((b) => b.name)).toEqual(AWKWARD.map(storable));
    expect(created.map((b) => b.sisId)).toEqual(AWKWARD.map((name, i) => storable(`${name}#${i}`)));
    await store.applyBuildings({ creates: [], updates: created.map((b) => ({ id: b.id, fields: { sisId: b.sisId!, name: `${b.name}!`, identifier: b.identifier, hash: 'c' } })), deactivations: [] }, at);
    expect((await store.listBuildings()).map((b) => b.name)).toEqual(AWKWARD.map((name) => `${storable(name)}!`));
    await store.assignBuildingSisIds(created.map((b, i) => ({ id: b.id, sisId: `${AWKWARD[i]}@` })), at);
    expect((await store.listBuildings()).map((b) => b.sisId)).toEqual(AWKWARD.map((name) => `${storable(name)}@`));
    buildingId = created[0]!.id;
  });

  it('people: creates and updates keep every value, and lookups by sourcedId, number and natural key find them', async () => {
    const store = createSequelizeRosterStore(db().sequelize);
    const creates = AWKWARD.map((name, i) => person(`${name}#${i}`, name, buildingId));
    await store.applyPeople('students', { creates, updates: [], deactivations: [] }, at);
    const stored = await store.findPeopleBySourcedId('students', creates.map((p) => storable(p.sourcedId)));
    expect(stored.map((p) => p.sourcedId).sort()).toEqual(creates.map((p) => storable(p.sourcedId)).sort());
    const byKey = await store.findPeopleByNaturalKey('students', AWKWARD.map(storable));
    expect(byKey.map((p) => [p.naturalKey, p.firstName, p.lastName]).sort()).toEqual(AWKWARD.map((name) => [storable(name), storable(name), storable(name)]).sort());

    const updates = stored.map((p) => ({ id: p.id, fields: { ...person(p.sourcedId!, `${p.number}?`, buildingId), sourcedId: p.sourcedId! } }));
    await store.applyPeople('students', { creates: [], updates, deactivations: [] }, at);
    const rows = await db().sequelize.query<Record<string, string>>(
      'SELECT first_name, middle_name, last_name, preferred_first_name, email, username, student_number FROM oneroster_students ORDER BY id',
      { type: QueryTypes.SELECT },
    );
    for (const [i, row] of rows.entries()) {
      const expected = `${storable(AWKWARD[i]!)}?`;
      expect(Object.values(row)).toEqual(Array(7).fill(expected));
    }

    // CSV rows without a sourcedId are found by their number.
    await db().sequelize.query('UPDATE oneroster_students SET sourced_id = NULL');
    const unkeyed = await store.findUnkeyedPeopleByNumber('students', AWKWARD.map((name) => `${storable(name)}?`));
    expect(unkeyed).toHaveLength(AWKWARD.length);
  });

  it('staging: inserts, identity groups and replaced rows keep every value, payloads included', async () => {
    const staging = createStagingArea(db().sequelize);
    const runId = 4242;
    const rows = AWKWARD.map((name, i) => ({
      kind: 'students' as const, sourcedId: `${name}#${i}`, action: 'create' as const, targetId: null, disabled: false,
      payload: { name, list: [name] }, identity: { key: name, rank: '1|', name },
    }));
    await staging.insert(runId, rows);
    const applied = await staging.readApplied(runId, 'students', null, 100);
    expect(applied.map((r) => [r.sourcedId, r.payload])).toEqual(
      // JSON text writes a lone surrogate as a \u escape, so payloads keep even those.
      [...rows].sort((a, b) => (storable(a.sourcedId) < storable(b.sourcedId) ? -1 : 1)).map((r) => [storable(r.sourcedId), r.payload]),
    );
    const groups = await staging.identityGroups(runId, 'students', null, 100, true);
    expect(groups.map((r) => r.identity!).sort((a, b) => (a.key! < b.key! ? -1 : 1))).toEqual(
      AWKWARD.map((name) => ({ key: storable(name), rank: '1|', name: storable(name) })).sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    await staging.replace(runId, applied.map((r) => ({ ...r, action: 'merge' as const, payload: null })));
    expect(await staging.readApplied(runId, 'students', null, 100)).toEqual([]);
    const seen = await staging.seen(runId, 'students', applied.map((r) => r.sourcedId));
    expect(seen.size).toBe(AWKWARD.length);
    await staging.discard(runId);
    expect(await staging.runsWithRows()).not.toContain(runId);
  });

  it('a statement cannot be a string: values have no way around the parameters', async () => {
    const sql = createSql(db().sequelize);
    expect('value' in sql).toBe(false);
    await expect(sql.select('SELECT 1' as never)).rejects.toThrow(TypeError);
  });
});

/** Every TypeScript file under a folder of the project. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

describe('no code path builds an SQL literal by hand', () => {
  const root = path.resolve(__dirname, '../..');
  const files = [...sources(path.join(root, 'server')), ...sources(path.join(root, 'migrations'))];

  it.each([
    ['an escaper call outside server/store/sql.ts (where MySQL values are escaped, see there)', /\bescape\s*\(/],
    ['a template string given to the statement runners', /sql\.(select|change|insert)(<[^>]*>)?\(\s*`/],
    ['a Sequelize literal of anything but a value-free expression', /\bliteral\((?!sql\.expression\(|\))/],
    ['a NUL spliced in as char(0)', /char\(0\)/i],
    ['a raw query outside server/store/sql.ts and the migrations', /\.query\s*[<(]/],
  ])('no %s in the module', (_what, pattern) => {
    const offenders = files
      .filter((file) => !(/query|escape/.test(pattern.source) && file.endsWith(path.join('server', 'store', 'sql.ts'))))
      .filter((file) => !(pattern.source.includes('query') && file.includes(`${path.sep}migrations${path.sep}`)))
      .filter((file) => pattern.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });
});
