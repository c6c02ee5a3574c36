import { HTML_NAME, Sandbox, SandboxDistrict, startSandbox } from '../../examples/oneroster-sandbox';
import { resolveSandboxOptions } from '../../examples/oneroster-sandbox/options';
import { bearer12, pullAll, query, request } from './helpers';

const district = (options: Parameters<typeof resolveSandboxOptions>[0]): SandboxDistrict => new SandboxDistrict(resolveSandboxOptions(options));

describe('the synthetic district', () => {
  it('is the same for the same seed and different for another seed', () => {
    const a = [...district({ seed: 7 }).people()];
    const b = [...district({ seed: 7 }).people()];
    const c = [...district({ seed: 8 }).people()];
    expect(a).toEqual(b);
    expect(a.length).toBe(c.length);
    expect(a.map((p) => `${p.givenName} ${p.familyName}`)).not.toEqual(c.map((p) => `${p.givenName} ${p.familyName}`));
    expect(district({ seed: 7 }).schools()).toEqual(district({ seed: 7 }).schools());
  });

  it('can send 36-character UUID sourcedIds that still sort in generation order and are found again', () => {
    const d = district({ idStyle: 'uuid', students: 50 });
    const ids = [...d.people()].map((p) => p.sourcedId);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(d.person(ids[7]!)?.sourcedId).toBe(ids[7]);
    d.addPerson({ role: 'student' }, { position: 'first' });
    const first = [...d.people()][0]!.sourcedId;
    expect(first < ids[0]!).toBe(true);
    d.switchToNewIds();
    expect(d.person(ids[7]!)).toBeUndefined();
    expect([...d.people()].some((p) => p.sourcedId === ids[7])).toBe(false);
  });

  it('holds the quirks real feeds have', () => {
    const d = district({});
    const people = [...d.people()];
    const schoolIds = new Set(d.schools().map((s) => s.sourcedId));
    const emails = people.map((p) => p.email).filter(Boolean);
    const ids = people.map((p) => p.identifier).filter(Boolean);
    const roles = new Set(people.flatMap((p) => p.roles.map((r) => r.role)));
    expect(people.length).toBe(200 + 13 + 20);
    expect(people.some((p) => p.givenName === 'Zoë')).toBe(true);
    expect(people.some((p) => p.givenName === 'José')).toBe(true);
    expect(people.some((p) => p.familyName === '王')).toBe(true);
    expect(people.some((p) => p.givenName === HTML_NAME)).toBe(true);
    expect(people.some((p) => p.givenName === undefined)).toBe(true);
    expect(people.some((p) => p.email === undefined)).toBe(true);
    expect(people.some((p) => p.email !== undefined && !p.email.includes('@'))).toBe(true);
    expect(new Set(emails).size).toBeLessThan(emails.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(people.some((p) => p.status === 'tobedeleted')).toBe(true);
    expect(people.some((p) => !p.enabled)).toBe(true);
    expect(people.some((p) => p.roles.length === 2 && p.roles[1].roleType === 'secondary')).toBe(true);
    expect(people.some((p) => p.role === 'student' && !schoolIds.has(p.orgs[0]))).toBe(true);
    expect(people.some((p) => p.role === 'volunteer')).toBe(true);
    for (const role of ['student', 'teacher', 'principal', 'districtAdministrator', 'parent', 'guardian']) expect(roles).toContain(role);
    expect(people.filter((p) => p.role === 'student').every((p) => p.grades.length === 1)).toBe(true);
    expect(d.orgs().map((o) => o.type)).toEqual(expect.arrayContaining(['district', 'school', 'department', 'ext:program']));
    expect(d.counts()).toMatchObject({ people: 233, schools: 5, byRole: expect.objectContaining({ student: 200 }) });
  });

  it('has every staff role once the district is big enough', () => {
    const roles = new Set([...district({ students: 1500 }).people()].map((p) => p.role));
    for (const role of ['aide', 'counselor', 'principal', 'teacher', 'relative']) expect(roles).toContain(role);
  });
});

describe('changing the district while it runs', () => {
  let sandbox: Sandbox;
  let headers: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox({ students: 50 });
    headers = await bearer12(sandbox);
  });
  afterAll(() => sandbox.close());
  const root = (): string => sandbox.credentials.oneroster12.baseUrl;
  const delta = (since: string, path = '/users', envelope: 'users' | 'orgs' = 'users') =>
    pullAll(`${root()}${path}`, () => headers, 100, envelope, `&${query({ filter: `dateLastModified>'${since}'` })}`);

  it('shows added, changed, tobedeleted and removed people with fresh dates and through a delta filter', async () => {
    const d = sandbox.district;
    d.setNow('2026-03-01T10:00:00.000Z');
    const [first, second, third] = [...d.people()];
    const added = d.addPerson({ givenName: 'Ngozi', role: 'teacher', orgs: [d.schools()[0].sourcedId] });
    const changed = d.updatePerson(first.sourcedId, { familyName: 'Renamed', email: undefined });
    d.markToBeDeleted(second.sourcedId);
    d.removePerson(third.sourcedId);
    expect(changed.dateLastModified).toBe('2026-03-01T10:00:00.000Z');
    expect(changed.email).toBeUndefined();

    const single = await request(`${root()}/users/${first.sourcedId}`, headers);
    expect(single.body.user).toMatchObject({ familyName: 'Renamed', dateLastModified: '2026-03-01T10:00:00.000Z' });
    expect(single.body.user.email).toBeUndefined();
    expect((await request(`${root()}/users/${third.sourcedId}`, headers)).status).toBe(404);
    expect((await request(`${root()}/teachers/${added.sourcedId}`, headers)).status).toBe(200);

    const { rows } = await delta('2026-02-01T00:00:00Z');
    expect(rows.map((r) => r.sourcedId).sort()).toEqual([first.sourcedId, second.sourcedId, added.sourcedId].sort());
    expect(rows.find((r) => r.sourcedId === second.sourcedId).status).toBe('tobedeleted');
    expect((await delta('2026-03-01T10:00:00Z')).rows).toHaveLength(0);
    expect((await delta('2024-01-01')).rows.length).toBe([...d.people()].length);
  });

  it('changes schools the same way', async () => {
    const d = sandbox.district;
    d.setNow('2026-04-01T00:00:00.000Z');
    const added = d.addSchool({ name: 'Escuela Zoë' });
    const renamed = d.updateSchool(d.schools()[0].sourcedId, { name: 'Renamed School' });
    d.markSchoolToBeDeleted(d.schools()[1].sourcedId);
    d.removeSchool(d.schools()[2].sourcedId);
    const { rows } = await delta('2026-03-15T00:00:00Z', '/schools', 'orgs');
    expect(rows.map((r) => r.sourcedId).sort()).toEqual([added.sourcedId, renamed.sourcedId, d.schools()[1].sourcedId].sort());
    expect(d.counts().schoolsByStatus).toEqual({ active: 4, tobedeleted: 1 });
  });

  it('changes a random fraction of people for a delta benchmark', () => {
    const d = sandbox.district;
    d.setNow('2026-05-01T00:00:00.000Z');
    const changed = d.changeRandomPeople(0.1, 42);
    const total = [...d.people()].length;
    expect(changed.length).toBe(Math.round(total * 0.1));
    expect(new Set(changed).size).toBe(changed.length);
    expect(changed.every((id) => d.person(id)!.dateLastModified === '2026-05-01T00:00:00.000Z')).toBe(true);
  });

  it('switches every user to a new id and keeps the old one in metadata.ic.legacysourceId', async () => {
    const d = sandbox.district;
    const before = [...d.people()];
    d.switchToNewIds();
    const after = [...d.people()];
    expect(after.map((p) => p.legacySourcedId)).toEqual(before.map((p) => p.sourcedId));
    expect(after.every((p, i) => p.sourcedId !== before[i].sourcedId)).toBe(true);
    const { rows } = await pullAll(`${root()}/users`, () => headers, 100);
    expect(rows.map((r) => r.sourcedId)).toEqual(after.map((p) => p.sourcedId));
    expect(rows.map((r) => r.metadata.ic.legacysourceId)).toEqual(before.map((p) => p.sourcedId));
    expect((await request(`${root()}/users/${before[0].sourcedId}`, headers)).status).toBe(404);
    const newcomer = d.addPerson({});
    expect(newcomer.legacySourcedId).toBeUndefined();
  });
});
