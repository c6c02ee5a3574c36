import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { edfiUserId } from '../../examples/oneroster-sandbox/edfi';
import { fetchToken, request } from './helpers';

/** The Ed-Fi dialect: shapes Ed-Fi's OneRoster 1.2 API was seen sending to a real district. */
describe('sandbox Ed-Fi dialect', () => {
  let sandbox: Sandbox;
  let headers: Record<string, string>;
  let root: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ students: 1200, schools: 3, seed: 5 });
    const token = await fetchToken(sandbox.credentials.edfi);
    headers = { authorization: `Bearer ${token.body.access_token}` };
    root = sandbox.credentials.edfi.baseUrl;
  });
  afterAll(() => sandbox.close());

  it('serves one record per school enrolment, sharing the natural key', async () => {
    const student = [...sandbox.district.people()].find((p) => p.role === 'student' && p.status === 'active')!;
    sandbox.district.updatePerson(student.sourcedId, {
      roles: [...student.roles, { roleType: 'secondary', role: 'student', org: 'org-00002', beginDate: '2025-09-01' }],
    });
    const first = await request(`${root}/users/${edfiUserId(student.sourcedId, student.orgs[0]!)}`, headers);
    const second = await request(`${root}/users/${edfiUserId(student.sourcedId, 'org-00002')}`, headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.user.sourcedId).not.toBe(second.body.user.sourcedId);
    for (const { body } of [first, second]) {
      expect(body.user.identifier).toBe(student.identifier);
      expect(body.user.userIds).toEqual([{ type: 'studentUniqueId', identifier: student.identifier }]);
      expect(body.user.metadata.edfi.naturalKey).toEqual({ studentUniqueId: student.identifier });
    }
    expect(second.body.user.primaryOrg.sourcedId).toBe('org-00002');
    expect(second.body.user.roles).toEqual([expect.objectContaining({ roleType: 'secondary', role: 'student', beginDate: '2025-09-01' })]);
  });

  it('sends grade descriptors, null roles and district-office staff', async () => {
    const rows: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let offset = 0; ; ) {
      const page = await request(`${root}/users?limit=500&offset=${offset}`, headers);
      if (page.body.users.length === 0) break;
      rows.push(...page.body.users);
      offset += page.body.users.length;
    }
    const grades = new Set(rows.flatMap((r) => r.grades as string[]));
    expect([...grades]).toEqual(expect.arrayContaining(['Kindergarten', 'First grade', 'Preschool/Prekindergarten']));
    expect([...grades].some((g) => /^\d\d$/.test(g))).toBe(false);
    expect(rows.some((r) => r.roles.some((role: { role: unknown }) => role.role === null))).toBe(true);
    expect(rows.some((r) => r.roles[0]?.role === 'districtAdministrator' && r.primaryOrg.sourcedId === 'org-00000')).toBe(true);
    // sourcedId order is hash order, so one person's records land on different pages.
    expect(rows.map((r) => r.sourcedId)).toEqual([...rows.map((r) => r.sourcedId)].sort());
  });

  it('caps limit at 500 without a word and sends no X-Total-Count or Link', async () => {
    const page = await request(`${root}/users?limit=1000`, headers);
    expect(page.status).toBe(200);
    expect(page.body.users).toHaveLength(500);
    expect(page.headers.get('x-total-count')).toBeNull();
    expect(page.headers.get('link')).toBeNull();
    const orgs = await request(`${root}/orgs`, headers);
    expect(orgs.headers.get('x-total-count')).toBeNull();
  });

  it('opens only with its own client', async () => {
    const other = await fetchToken(sandbox.credentials.oneroster12);
    const refused = await request(`${root}/users`, { authorization: `Bearer ${other.body.access_token}` });
    expect(refused.status).toBe(401);
  });
});
