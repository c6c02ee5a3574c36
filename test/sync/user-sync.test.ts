import { SAMPLES_PER_CODE } from '../../server/sync/issue-log';
import { createRunRecords } from '../../server/sync/run-records';
import { describeEachDatabase } from '../helpers/databases';
import {
  createFakeConnection, createSyncHarness, person, resetTables, rosterRows, school, syncBuildingsNow, syncUsersNow,
  type FakeDistrict, type SyncHarness,
} from './harness';

describeEachDatabase('user sync', (db) => {
  let h: SyncHarness;
  let district: FakeDistrict;
  let people: ReturnType<typeof person>[];

  beforeAll(async () => {
    district = { schools: [], people: [] };
    h = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 7 }));
  });

  beforeEach(async () => {
    await resetTables(h.sequelize);
    h.settings.deactivateMissing = true;
    h.settings.studentImport = true;
    h.settings.staffImport = true;
    people = [];
    for (let i = 1; i <= 30; i++) people.push(person(`s${i}`));
    for (let i = 1; i <= 5; i++) people.push(person(`t${i}`, { roles: ['teacher'], grades: [], orgSourcedIds: ['org-2'] }));
    district.schools = [school('org-1'), school('org-2')];
    district.people = people;
    expect((await syncBuildingsNow(h)).status).toBe('succeeded');
  });

  afterAll(() => h.sync.whenIdle());

  it('creates everyone exactly once, tied to their building, then changes nothing on an identical re-sync', async () => {
    const first = await syncUsersNow(h);
    expect(first.status).toBe('succeeded');
    expect(first.counts.kinds.students).toMatchObject({ created: 30, updated: 0, unchanged: 0, deactivated: 0 });
    expect(first.counts.kinds.staff).toMatchObject({ created: 5 });

    const students = await rosterRows(h.sequelize, 'students');
    const staff = await rosterRows(h.sequelize, 'staff');
    const buildings = await rosterRows(h.sequelize, 'buildings');
    expect(students).toHaveLength(30);
    expect(staff).toHaveLength(5);
    const org1 = buildings.find((b) => b.sis_id === 'org-1')!;
    const org2 = buildings.find((b) => b.sis_id === 'org-2')!;
    expect(students.every((s) => s.building_id === org1.id && s.active)).toBe(true);
    expect(staff.every((s) => s.building_id === org2.id && s.role === 'teacher')).toBe(true);
    expect(students.find((s) => s.sourced_id === 's3')).toMatchObject({ first_name: 'Givens3', last_name: 'Familys3', student_number: 'num-s3', grade: '05', email: 's3@example.org' });

    const second = await syncUsersNow(h);
    expect(second.counts.kinds.students).toMatchObject({ created: 0, updated: 0, unchanged: 30, deactivated: 0 });
    expect(second.counts.kinds.staff).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
    const after = await rosterRows(h.sequelize, 'students');
    expect(after).toEqual(students);
  });

  it('stages nobody on an identical re-sync: unchanged people are counted and seen, not written to staging', async () => {
    await syncUsersNow(h);
    const recorded = recordQueries(h, { inserts: STAGING_INSERT, listings: ACTIVE_LISTING });
    try {
      const again = await syncUsersNow(h);
      expect(again.counts.kinds.students).toMatchObject({ created: 0, updated: 0, unchanged: 30, deactivated: 0 });
      expect(again.counts.kinds.staff).toMatchObject({ unchanged: 5, deactivated: 0 });
      // Staging every unchanged record cost one INSERT a page of 7.
      expect(recorded.seen.inserts).toEqual([]);
      // The missing-people check lists ids alone: at 1M people, reading every name and number found nobody missing.
      expect(recorded.seen.listings.map((sql) => { const [, columns, table] = ACTIVE_LISTING.exec(sql)!; return `${table}: ${columns}`; }))
        .toEqual(['students: id', 'staff: id']);
    } finally {
      recorded.stop();
    }
    // Seen all the same: one person gone from the feed is the only one missing.
    district.people = people.filter((p) => p.sourcedId !== 's7');
    const third = await syncUsersNow(h);
    expect(third.counts.kinds.students).toMatchObject({ unchanged: 29, deactivated: 1 });
    expect((await rosterRows(h.sequelize, 'students')).filter((r) => !r.active).map((r) => r.sourced_id)).toEqual(['s7']);
  });

  it('counts the active people once for the run and once for the chart, and a first sync looks for nobody missing', async () => {
    const recorded = recordQueries(h, { counts: ACTIVE_STUDENT_COUNT, listings: ACTIVE_LISTING });
    try {
      const first = await syncUsersNow(h);
      expect(first.counts.kinds.students).toMatchObject({ created: 30 });
      // Nobody held is nobody missing: at 1M people the check read the whole open first load (1.1 s).
      expect(recorded.seen.listings).toEqual([]);
      // Once for the run's caps and safeguard, once for the Automation Status chart; at 1M people
      // each count cost 0.2–0.35 s on MariaDB (and 1.8 s during a first load).
      expect(recorded.seen.counts).toHaveLength(2);

      recorded.seen.counts.length = 0;
      const again = await syncUsersNow(h);
      expect(again.counts.kinds.students).toMatchObject({ unchanged: 30 });
      expect(recorded.seen.counts).toHaveLength(2);
      // The re-sync does look for missing people: one id listing per kind.
      expect(recorded.seen.listings).toHaveLength(2);
    } finally {
      recorded.stop();
    }
  });

  it('applies edits, tobedeleted, enabledUser false, removals and reappearances', async () => {
    await syncUsersNow(h);
    district.people = people
      .filter((p) => p.sourcedId !== 's4') // removed
      .map((p) => {
        if (p.sourcedId === 's1') return { ...p, familyName: 'Renamed', email: 'new@example.org' };
        if (p.sourcedId === 's2') return { ...p, status: 'tobedeleted' as const };
        if (p.sourcedId === 's3') return { ...p, enabled: false };
        return p;
      });
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students).toMatchObject({ created: 0, updated: 2, deactivated: 2, disabled: 1, unchanged: 26 });
    let students = new Map((await rosterRows(h.sequelize, 'students')).map((s) => [s.sourced_id, s]));
    expect(students.get('s1')).toMatchObject({ last_name: 'Renamed', email: 'new@example.org', active: true });
    expect(students.get('s2')).toMatchObject({ active: false });
    expect(students.get('s2')!.deactivated_at).not.toBeNull();
    expect(students.get('s3')).toMatchObject({ active: true, enabled: false });
    expect(students.get('s4')).toMatchObject({ active: false });
    expect(students.size).toBe(30);

    // s4 comes back, s2 is active again in the feed.
    district.people = people;
    const back = await syncUsersNow(h);
    expect(back.counts.kinds.students).toMatchObject({ reactivated: 2, created: 0 });
    students = new Map((await rosterRows(h.sequelize, 'students')).map((s) => [s.sourced_id, s]));
    expect(students.get('s4')).toMatchObject({ active: true, deactivated_at: null });
    expect(students.get('s2')).toMatchObject({ active: true });
    expect(students.get('s3')).toMatchObject({ enabled: true });
    expect(students.size).toBe(30);
  });

  it('leaves missing people alone when deactivateMissing is off', async () => {
    await syncUsersNow(h);
    h.settings.deactivateMissing = false;
    district.people = people.filter((p) => p.sourcedId !== 's9');
    const run = await syncUsersNow(h);
    expect(run.counts.kinds.students!.deactivated).toBe(0);
    expect((await rosterRows(h.sequelize, 'students')).every((s) => s.active)).toBe(true);
  });

  it('links CSV-imported people by number instead of duplicating them, and reports the link', async () => {
    const [org1] = await rosterRows(h.sequelize, 'buildings');
    const now = new Date();
    await h.sequelize.getQueryInterface().bulkInsert('oneroster_students', [
      { first_name: 'Csv', last_name: 'One', student_number: 'num-s1', building_id: org1!.id, active: true, enabled: true, created_at: now, updated_at: now },
      // Two CSV rows share num-s2: ambiguous, so no link.
      { first_name: 'Csv', last_name: 'Two', student_number: 'num-s2', active: true, enabled: true, created_at: now, updated_at: now },
      { first_name: 'Csv', last_name: 'Two bis', student_number: 'num-s2', active: true, enabled: true, created_at: now, updated_at: now },
    ]);
    const run = await syncUsersNow(h);
    expect(run.counts.kinds.students).toMatchObject({ linked: 1, created: 29 });
    expect(run.issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ sourcedId: 's1', code: 'linked_by_number' }),
      expect.objectContaining({ sourcedId: 's2', code: 'ambiguous_number' }),
    ]));
    const students = await rosterRows(h.sequelize, 'students');
    expect(students).toHaveLength(32);
    const linked = students.filter((s) => s.student_number === 'num-s1');
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({ sourced_id: 's1', first_name: 'Givens1' });

    const again = await syncUsersNow(h);
    expect(again.counts.kinds.students).toMatchObject({ linked: 0, created: 0, unchanged: 30 });
  });

  it('re-keys people whose sourcedId changed (Infinite Campus 1.1 → 1.2) without duplicating anyone', async () => {
    await syncUsersNow(h);
    const before = await rosterRows(h.sequelize, 'students');
    district.people = people.map((p) => ({ ...p, sourcedId: `new-${p.sourcedId}`, legacySourcedIds: [p.sourcedId] }));
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students).toMatchObject({ rekeyed: 30, linked: 0, created: 0, deactivated: 0 });
    expect(run.counts.kinds.staff).toMatchObject({ rekeyed: 5, linked: 0, created: 0, deactivated: 0 });
    const after = await rosterRows(h.sequelize, 'students');
    expect(after).toHaveLength(30);
    expect(after.map((s) => s.id)).toEqual(before.map((s) => s.id));
    expect(after.every((s) => String(s.sourced_id).startsWith('new-') && s.active)).toBe(true);

    const again = await syncUsersNow(h);
    expect(again.counts.kinds.students).toMatchObject({ unchanged: 30, linked: 0, rekeyed: 0, deactivated: 0 });
  });

  it('turns bad records into issues without failing the run', async () => {
    district.people = [
      ...people,
      person('bad-name', { givenName: '' }),
      person('bad-role', { roles: ['ext:coach'] }),
      person('bad-email', { email: 'not-an-email' }),
      person('guardian-1', { roles: ['guardian'] }),
      person('parent-1', { roles: ['parent'] }),
      person('elsewhere', { orgSourcedIds: ['org-unknown'] }),
      person('', {}),
    ];
    const run = await syncUsersNow(h);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students).toMatchObject({ created: 31, skipped: 2 });
    expect(run.counts.ignoredRoles).toEqual({ guardian: 1, parent: 1 });
    expect(run.counts.skippedBySchool).toEqual({ 'org-unknown': 1 });
    const codes = run.issues.map((i) => `${i.sourcedId}:${i.code}`).sort();
    expect(codes).toEqual(['bad-email:invalid_email', 'bad-name:missing_name', 'bad-role:unknown_role', 'null:invalid_sourced_id']);
    expect(run.issueCount).toBe(4);
    const kept = (await rosterRows(h.sequelize, 'students')).find((s) => s.sourced_id === 'bad-email');
    expect(kept).toMatchObject({ email: null, active: true });
    // The issue never carries the record itself.
    expect(JSON.stringify(run.issues)).not.toContain('not-an-email');
  });

  it('bounds the issues kept while counting them all', async () => {
    const bounded = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 50 }), { maxRunIssues: 3 });
    district.people = Array.from({ length: 12 }, (_, i) => person(`x${i}`, { familyName: '' }));
    const run = await syncUsersNow(bounded);
    expect(run.status).toBe('succeeded');
    expect(run.issues).toHaveLength(3);
    expect(run.issueCount).toBe(12);
  });

  it('aggregates issues per code so a flood of one code never hides a rarer one', async () => {
    const bounded = await createSyncHarness(db(), createFakeConnection(district, { pageSize: 200 }), { maxRunIssues: 50 });
    district.people = [
      ...Array.from({ length: 1300 }, (_, i) => person(`e${i}`, { email: `mailto:e${i}@example.org` })),
      person('unnamed', { familyName: '' }),
    ];
    const run = await syncUsersNow(bounded);
    expect(run.status).toBe('succeeded');
    expect(run.issueCount).toBe(1301);
    expect(run.counts.issuesByCode).toEqual({ invalid_email: 1300, missing_name: 1 });
    expect(run.issues.filter((i) => i.code === 'invalid_email')).toHaveLength(SAMPLES_PER_CODE);
    expect(run.issues).toEqual(expect.arrayContaining([expect.objectContaining({ sourcedId: 'unnamed', code: 'missing_name' })]));
  });

  it('keeps run times to the millisecond, so durationMs is not whole seconds', async () => {
    const run = await syncUsersNow(h);
    const records = createRunRecords(h.sequelize);
    await records.update(run.id, { startedAt: new Date('2026-01-01T00:00:00.123Z'), finishedAt: new Date('2026-01-01T00:00:01.456Z') });
    expect((await h.sync.getRun(run.id)).durationMs).toBe(1333);
  });

  it('a pull failing part-way fails the run and changes nothing', async () => {
    await syncUsersNow(h);
    const before = await rosterRows(h.sequelize, 'students');
    const failing = createFakeConnection(
      { schools: district.schools, people: people.slice(0, 10).map((p) => ({ ...p, familyName: 'Changed' })) },
      { pageSize: 3, failUsersAfterPages: 2 },
    );
    h.setConnection(failing);
    try {
      const run = await syncUsersNow(h);
      expect(run.status).toBe('failed');
      expect(run.error).toEqual({ code: 'server_error', message: expect.any(String) });
      expect(await rosterRows(h.sequelize, 'students')).toEqual(before);
      const [staged] = await h.sequelize.query('SELECT COUNT(*) AS n FROM oneroster_staging');
      expect(Number((staged as Array<{ n: number }>)[0]!.n)).toBe(0);
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 7 }));
    }
  });

  it('a dry run plans and counts but changes nothing', async () => {
    await syncUsersNow(h);
    const before = await rosterRows(h.sequelize, 'students');
    district.people = [...people.slice(1).map((p) => ({ ...p, givenName: 'Dry' })), person('s-new')];
    const run = await syncUsersNow(h, { dryRun: true });
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true });
    expect(run.counts.kinds.students).toMatchObject({ created: 1, updated: 29, deactivated: 1 });
    expect(run.plan?.deactivations.students).toMatchObject({ planned: 1, active: 30 });
    expect(run.plan?.samples.students).toEqual([{ sourcedId: 's1', name: 'Givens1 Familys1', number: 'num-s1', building: 'School org-1' }]);
    expect(await rosterRows(h.sequelize, 'students')).toEqual(before);
  });

  it('delta mode changes only what changed and deactivates nobody missing', async () => {
    const pulls: Array<Date | undefined> = [];
    h.setConnection(createFakeConnection(district, { pageSize: 7, onUsersPull: (o) => pulls.push(o.since) }));
    try {
      const first = await syncUsersNow(h);
      const later = new Date(Date.parse(first.startedAt!) + 1000).toISOString();
      district.people = people
        .filter((p) => p.sourcedId !== 's5')
        .map((p) => (p.sourcedId === 's6' ? { ...p, givenName: 'Delta', dateLastModified: later } : p));
      district.people.push(person('s-delta', { dateLastModified: later }));
      const run = await syncUsersNow(h, { mode: 'delta' });
      expect(run).toMatchObject({ status: 'succeeded', mode: 'delta' });
      // Back to the last run's start, less the safety overlap for clock skew.
      expect(pulls[1]).toEqual(new Date(Date.parse(first.startedAt!) - h.ctx.options.deltaOverlapMs));
      expect(h.ctx.options.deltaOverlapMs).toBe(10 * 60_000);
      expect(run.counts.kinds.students).toMatchObject({ created: 1, updated: 1, deactivated: 0, unchanged: 0 });
      const students = new Map((await rosterRows(h.sequelize, 'students')).map((s) => [s.sourced_id, s]));
      expect(students.get('s5')).toMatchObject({ active: true });
      expect(students.get('s6')).toMatchObject({ first_name: 'Delta' });
      expect(await h.sync.lastFullUserSyncAt()).toEqual(new Date(first.startedAt!));
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 7 }));
    }
  });

  it('a delta of changed people only looks up nobody\'s natural key: no record was left unstaged to share one', async () => {
    const first = await syncUsersNow(h);
    const later = new Date(Date.parse(first.startedAt!) + 1000).toISOString();
    district.people = people.map((p) => (p.sourcedId === 's6' || p.sourcedId === 's9' ? { ...p, familyName: 'Changed', dateLastModified: later } : p));
    const recorded = recordQueries(h, { keyLookups: NATURAL_KEY_LOOKUP });
    try {
      const run = await syncUsersNow(h, { mode: 'delta' });
      expect(run).toMatchObject({ status: 'succeeded', mode: 'delta' });
      expect(run.counts.kinds.students).toMatchObject({ updated: 2, created: 0 });
      // At 1M people, 10 such lookups of 1,000 keys cost a 1 % delta 0.8 s on MariaDB.
      expect(recorded.seen.keyLookups).toEqual([]);
    } finally {
      recorded.stop();
    }
    expect((await rosterRows(h.sequelize, 'students')).filter((s) => s.last_name === 'Changed').map((s) => s.sourced_id).sort()).toEqual(['s6', 's9']);
  });

  it('a full re-sync looks up only the natural keys that more than one record of the pull had', async () => {
    await syncUsersNow(h);
    const recorded = recordQueries(h, { keyLookups: NATURAL_KEY_LOOKUP });
    try {
      // Two changed, 28 unchanged and left unstaged: no key is shared, so nothing is looked up.
      district.people = people.map((p) => (p.sourcedId === 's6' || p.sourcedId === 's9' ? { ...p, familyName: 'Changed' } : p));
      const changed = await syncUsersNow(h);
      expect(changed.counts.kinds.students).toMatchObject({ updated: 2, unchanged: 28 });
      expect(recorded.seen.keyLookups).toEqual([]);

      // A new record with s3's number (the natural key) beside s3's unchanged one: only that key is
      // looked up, and s3's unchanged row is staged for it, so the new record merges into s3's row
      // (left unstaged, the row would have looked gone from the feed and been re-keyed to s3-new).
      district.people = [...district.people, person('s3-new', { identifier: 'num-s3', givenName: 'Givens3', familyName: 'Familys3' })];
      const shared = await syncUsersNow(h);
      expect(recorded.seen.keyLookups.length).toBeGreaterThan(0);
      expect(recorded.seen.keyLookups.every((sql) => sql.includes("'num-s3'") && !sql.includes("'num-s6'"))).toBe(true);
      expect(shared.counts.kinds.students).toMatchObject({ created: 0, rekeyed: 0, merged: 1, unchanged: 30 });
    } finally {
      recorded.stop();
    }
    expect((await rosterRows(h.sequelize, 'students')).filter((s) => s.student_number === 'num-s3').map((s) => s.sourced_id)).toEqual(['s3']);
  });

  it('keeps a delta watermark per kind: a students-only run does not move staff\'s', async () => {
    const pulls: Array<Date | undefined> = [];
    h.setConnection(createFakeConnection(district, { pageSize: 7, onUsersPull: (o) => pulls.push(o.since) }));
    try {
      const both = await syncUsersNow(h);
      const studentsOnly = await syncUsersNow(h, { kinds: ['students'] });
      expect(Date.parse(studentsOnly.startedAt!)).toBeGreaterThan(Date.parse(both.startedAt!));
      const overlap = h.ctx.options.deltaOverlapMs;
      await syncUsersNow(h, { mode: 'delta', kinds: ['staff'] });
      expect(pulls[2]).toEqual(new Date(Date.parse(both.startedAt!) - overlap));
      await syncUsersNow(h, { mode: 'delta', kinds: ['students'] });
      expect(pulls[3]).toEqual(new Date(Date.parse(studentsOnly.startedAt!) - overlap));
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 7 }));
    }
  });

  it('moves a transferred person whose old enrolment stays in the feed as tobedeleted: same row, new building, no deactivation', async () => {
    const moving = people[0]!;
    await syncUsersNow(h);
    const before = (await rosterRows(h.sequelize, 'students')).find((s) => s.sourced_id === moving.sourcedId)!;
    district.people = [
      ...people.map((p) => (p === moving ? { ...p, status: 'tobedeleted' as const } : p)),
      person('s-school2', { orgSourcedIds: ['org-2'], identifier: moving.identifier, givenName: moving.givenName, familyName: moving.familyName }),
    ];
    const run = await syncUsersNow(h);
    expect(run.counts.kinds.students).toMatchObject({ created: 0, deactivated: 0, rekeyed: 1 });
    const rows = (await rosterRows(h.sequelize, 'students')).filter((s) => s.student_number === moving.identifier);
    const org2 = (await rosterRows(h.sequelize, 'buildings')).find((b) => b.sis_id === 'org-2')!;
    expect(rows).toEqual([expect.objectContaining({ id: before.id, sourced_id: 's-school2', building_id: org2.id, active: true })]);
  });

  it('falls back to a full pull when the provider refuses deltas, and says so', async () => {
    await syncUsersNow(h);
    h.setConnection(createFakeConnection(district, { pageSize: 7, deltaUnsupported: true }));
    try {
      district.people = people.filter((p) => p.sourcedId !== 's7');
      const run = await syncUsersNow(h, { mode: 'delta' });
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full' });
      expect(run.issues).toEqual([expect.objectContaining({ sourcedId: null, code: 'delta_unsupported' })]);
      expect(run.counts.kinds.students).toMatchObject({ unchanged: 29, deactivated: 1 });
    } finally {
      h.setConnection(createFakeConnection(district, { pageSize: 7 }));
    }
  });

  it('classifies by role, not endpoint, and syncs only the kinds asked for', async () => {
    const run = await syncUsersNow(h, { kinds: ['students'] });
    expect(Object.keys(run.counts.kinds)).toEqual(['students']);
    expect(await rosterRows(h.sequelize, 'staff')).toHaveLength(0);
    const explicit = await syncUsersNow(h, { kinds: ['staff'] });
    expect(explicit.counts.kinds.staff).toMatchObject({ created: 5 });
    await expect(h.sync.startUserSync({ trigger: 'manual', user: null, kinds: [] })).rejects.toMatchObject({ status: 409, code: 'nothing_to_sync' });
  });
});

/** A roster lookup by natural key (`RosterStore.findPeopleByNaturalKey`). */
const NATURAL_KEY_LOOKUP = /^\s*SELECT .* FROM [`"]oneroster_(students|staff)[`"].* natural_key IN/s;
/** The missing-people check's listing of active people (ids or whole), with its columns and table. */
const ACTIVE_LISTING = /^\s*SELECT (.*?) FROM [`"]oneroster_(students|staff)[`"].*sourced_id IS NOT NULL ORDER BY id/s;
/** A row written to staging. */
const STAGING_INSERT = /^\s*INSERT INTO [`"]oneroster_staging[`"]/;
/** A count of active students (`RosterStore.countActivePeople`). */
const ACTIVE_STUDENT_COUNT = /^\s*SELECT COUNT\(\*\) AS n FROM [`"]oneroster_students[`"].*active/;

/** Records, by name, the statements matching each pattern that the harness's Sequelize sends, until `stop()`. */
function recordQueries<Name extends string>(h: SyncHarness, patterns: Record<Name, RegExp>): { seen: Record<Name, string[]>; stop(): void } {
  const names = Object.keys(patterns) as Name[];
  const seen = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<Name, string[]>;
  const query = h.sequelize.query.bind(h.sequelize);
  h.sequelize.query = ((sql: string, options?: object) => {
    for (const name of names) if (patterns[name].test(String(sql))) seen[name].push(String(sql));
    return query(sql, options);
  }) as typeof h.sequelize.query;
  return { seen, stop: () => void delete (h.sequelize as { query?: unknown }).query };
}
