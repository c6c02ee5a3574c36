import { Sandbox, startSandbox } from '../../examples/oneroster-sandbox';
import { bearer12, fetchToken, pullAll, query, request } from './helpers';

let sandbox: Sandbox;
let headers: Record<string, string>;
let headers11: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, schools: 4, students: 300, staff: 40, guardians: 35, maxPageSize: 25 });
  headers = await bearer12(sandbox);
  headers11 = { authorization: `Bearer ${(await fetchToken(sandbox.credentials.oneroster11oauth2)).body.access_token}` };
});
afterAll(() => sandbox.close());

const root12 = (): string => sandbox.credentials.oneroster12.baseUrl;
const root11 = (): string => sandbox.credentials.oneroster11oauth2.baseUrl;
const ids = (rows: Array<{ sourcedId: string }>): string[] => rows.map((row) => row.sourcedId);

describe('paging', () => {
  it('walks every user exactly once, in sourcedId order, matching X-Total-Count and the truth', async () => {
    const { rows, totals } = await pullAll(`${root12()}/users`, () => headers, 7);
    const truth = [...sandbox.district.people()].map((p) => p.sourcedId);
    expect(new Set(totals)).toEqual(new Set([truth.length]));
    expect(ids(rows)).toEqual(truth);
    expect([...ids(rows)].sort()).toEqual(ids(rows));
  });

  it('caps limit at maxPageSize silently, and the walk still covers everything', async () => {
    const first = await request(`${root12()}/users?limit=1000`, headers);
    expect(first.body.users).toHaveLength(25);
    const { rows, pages } = await pullAll(`${root12()}/students`, () => headers, 1000);
    expect(pages).toBe(Math.ceil(300 / 25));
    expect(new Set(ids(rows)).size).toBe(rows.length);
    expect(rows.length).toBe(300);
  });

  it('sends next and last links that keep the other parameters', async () => {
    const filter = "status='active'";
    const page = await request(`${root12()}/users?${query({ limit: 10, offset: 10, filter })}`, headers);
    const link = page.headers.get('link')!;
    expect(link).toMatch(/rel="next"/);
    expect(link).toMatch(/rel="last"/);
    expect(link).toMatch(/rel="prev"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)![1];
    expect(next).toContain('offset=20');
    expect(next).toContain('filter=status%3D%27active%27');
    const followed = await request(next, headers);
    expect(followed.status).toBe(200);
    const last = await request(`${root12()}/schools`, headers);
    expect(last.headers.get('link')).not.toMatch(/rel="next"/);
  });

  it('counts a 1.1 two-role person twice on /users (two sourcedIds) and once in 1.2', async () => {
    const people = [...sandbox.district.people()];
    const records11 = [...sandbox.district.people({ version: '1.1' })];
    expect(records11.length).toBeGreaterThan(people.length);
    const { rows, totals } = await pullAll(`${root11()}/users`, () => headers11, 13);
    expect(totals[0]).toBe(records11.length);
    expect(ids(rows)).toEqual(records11.map((r) => r.sourcedId));
    const dual = rows.filter((row) => /-[a-z]$/.test(row.sourcedId));
    expect(dual.length).toBeGreaterThan(0);
    expect(dual[0].role).toBe('parent');
  });

  it('pages every endpoint the same way through the index as through a full scan', async () => {
    // "status!='x'" matches everything but forces the scanning path: both paths must agree.
    const everything = `&${query({ filter: "status!='x'" })}`;
    const school = sandbox.district.schools()[1].sourcedId;
    sandbox.district.updatePerson([...sandbox.district.people()][5].sourcedId, { role: 'teacher', orgs: [school] });
    sandbox.district.removePerson([...sandbox.district.people()][9].sourcedId);
    sandbox.district.addPerson({ role: 'teacher', orgs: [school] }, { position: 'first' });
    sandbox.district.addPerson({ role: 'student', orgs: [school] });
    for (const [root, auth] of [[root12(), headers], [root11(), headers11]] as const) {
      for (const path of ['/users', '/students', '/teachers', `/schools/${school}/students`, `/schools/${school}/teachers`]) {
        const fast = await pullAll(`${root}${path}`, () => auth, 9);
        const scanned = await pullAll(`${root}${path}`, () => auth, 9, 'users', everything);
        expect(ids(fast.rows)).toEqual(ids(scanned.rows));
        expect(fast.totals[0]).toBe(scanned.totals[0]);
        expect(fast.rows.length).toBe(fast.totals[0]);
      }
    }
  });

  it('sorts descending and by other fields', async () => {
    const ascending = await pullAll(`${root12()}/teachers`, () => headers, 25);
    const descending = await pullAll(`${root12()}/teachers`, () => headers, 25, 'users', '&orderBy=desc');
    expect(ids(descending.rows)).toEqual(ids(ascending.rows).reverse());
    const byName = await request(`${root12()}/schools?sort=name`, headers);
    const names = byName.body.orgs.map((o: { name: string }) => o.name);
    expect(names).toEqual([...names].sort());
  });
});

describe('filters and fields', () => {
  it('filters with each operator and with AND / OR', async () => {
    const get = async (filter: string, path = '/users'): Promise<any[]> => // eslint-disable-line @typescript-eslint/no-explicit-any
      (await pullAll(`${root12()}${path}`, () => headers, 25, path.includes('orgs') || path.includes('schools') ? 'orgs' : 'users', `&${query({ filter })}`)).rows;
    const people = [...sandbox.district.people()];
    expect((await get("status='tobedeleted'")).length).toBe(people.filter((p) => p.status === 'tobedeleted').length);
    expect((await get("status!='tobedeleted'")).length).toBe(people.filter((p) => p.status !== 'tobedeleted').length);
    expect((await get("role='teacher'")).length).toBe(people.filter((p) => p.roles.some((r) => r.role === 'teacher')).length);
    expect((await get("role='student' AND status='active'")).length).toBe(people.filter((p) => p.role === 'student' && p.status === 'active').length);
    expect((await get("role='guardian' OR role='parent'")).length).toBe(people.filter((p) => p.roles.some((r) => ['guardian', 'parent'].includes(r.role))).length);
    const pivot = people[100].sourcedId;
    expect((await get(`sourcedId<'${pivot}'`)).length).toBe(people.filter((p) => p.sourcedId < pivot).length);
    expect((await get(`sourcedId>='${pivot}'`)).length).toBe(people.filter((p) => p.sourcedId >= pivot).length);
    expect((await get("familyName~'son'")).every((u) => u.familyName.toLowerCase().includes('son'))).toBe(true);
    expect((await get("type='school'", '/orgs')).length).toBe(sandbox.district.schools().length);
    expect((await get("dateLastModified<='2025-08-01'", '/orgs')).length).toBe(sandbox.district.orgs().length);
  });

  it('answers a bad filter with 400 and an error body in the version style', async () => {
    const bad12 = await request(`${root12()}/users?${query({ filter: "nosuchfield='x'" })}`, headers);
    expect(bad12.status).toBe(400);
    expect(bad12.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('invalid_filter_field');
    const bad11 = await request(`${root11()}/users?${query({ filter: 'status=active' })}`, headers11);
    expect(bad11.status).toBe(400);
    expect(bad11.body.statusInfoSet[0].imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('invalid data');
    const three = await request(`${root12()}/users?${query({ filter: "status='active' AND role='x' AND role='y'" })}`, headers);
    expect(three.status).toBe(400);
    expect((await request(`${root12()}/users?limit=abc`, headers)).status).toBe(400);
  });

  it('trims records to the requested fields', async () => {
    const page = await request(`${root12()}/users?${query({ fields: 'sourcedId,givenName,nosuch', limit: 3 })}`, headers);
    expect(page.status).toBe(200);
    for (const user of page.body.users) expect(Object.keys(user).every((k) => ['sourcedId', 'givenName'].includes(k))).toBe(true);
  });
});
