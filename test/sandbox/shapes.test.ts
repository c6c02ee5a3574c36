import { Sandbox, startSandbox } from '../../examples/oneroster-sandbox';
import { bearer12, fetchToken, oauth1Header, pullAll, request } from './helpers';

let sandbox: Sandbox;
let headers12: Record<string, string>;
let headersIc: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 120, staff: 20, guardians: 15 });
  headers12 = await bearer12(sandbox);
  headersIc = { authorization: `Bearer ${(await fetchToken(sandbox.credentials.infinitecampus)).body.access_token}` };
});
afterAll(() => sandbox.close());

const get11 = (path: string) => {
  const url = `${sandbox.credentials.oneroster11.baseUrl}${path}`;
  const { clientId, clientSecret } = sandbox.credentials.oneroster11;
  return request(url, { authorization: oauth1Header(url, clientId, clientSecret) });
};
const get12 = (path: string) => request(`${sandbox.credentials.oneroster12.baseUrl}${path}`, headers12);

describe('record shapes', () => {
  it('1.1 users carry role, orgs refs and enabledUser as a string', async () => {
    const { body } = await get11('/students?limit=3');
    const user = body.users[0];
    expect(user.role).toBe('student');
    expect(user.roles).toBeUndefined();
    expect(user.orgs[0]).toEqual({ href: expect.stringContaining('/ims/oneroster/v1p1/orgs/'), sourcedId: expect.any(String), type: 'org' });
    expect(['true', 'false']).toContain(user.enabledUser);
    expect(user.grades).toHaveLength(1);
  });

  it('1.2 users carry roles, primaryOrg, userIds and enabledUser as a boolean', async () => {
    const { body } = await get12('/students?limit=3');
    const user = body.users[0];
    expect(user.role).toBeUndefined();
    expect(user.roles[0]).toMatchObject({ roleType: 'primary', role: 'student', org: { sourcedId: expect.any(String), type: 'org' } });
    expect(user.primaryOrg.sourcedId).toBe(user.roles[0].org.sourcedId);
    expect(user.userIds[0]).toEqual({ type: 'studentNumber', identifier: user.identifier });
    expect(typeof user.enabledUser).toBe('boolean');
  });

  it('a two-role person: 1.2 primary + secondary roles, 1.1 two records', async () => {
    const dual = [...sandbox.district.people()].find((p) => p.roles.length === 2)!;
    const one = await get12(`/users/${dual.sourcedId}`);
    expect(one.body.user.roles.map((r: { roleType: string; role: string }) => `${r.roleType}:${r.role}`)).toEqual(['primary:teacher', 'secondary:parent']);
    expect((await get11(`/users/${dual.sourcedId}`)).body.user.role).toBe('teacher');
    expect((await get11(`/users/${dual.sourcedId}-p`)).body.user.role).toBe('parent');
    expect((await get12(`/users/${dual.sourcedId}-p`)).status).toBe(404);
  });

  it('envelopes name the resource type, singles included', async () => {
    expect(Object.keys((await get12('/schools')).body)).toEqual(['orgs']);
    expect(Object.keys((await get12('/teachers?limit=1')).body)).toEqual(['users']);
    const school = sandbox.district.schools()[0].sourcedId;
    expect(Object.keys((await get12(`/schools/${school}/students?limit=1`)).body)).toEqual(['users']);
    expect(Object.keys((await get12(`/schools/${school}`)).body)).toEqual(['org']);
    const student = [...sandbox.district.people()][0].sourcedId;
    expect(Object.keys((await get12(`/students/${student}`)).body)).toEqual(['user']);
    expect((await get12(`/teachers/${student}`)).status).toBe(404);
  });

  it('unknown records are 404 with the version error body', async () => {
    const missing12 = await get12('/users/nobody');
    expect(missing12.status).toBe(404);
    expect(missing12.body).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error' });
    expect(missing12.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unknownobject');
    const missing11 = await get11('/orgs/nowhere');
    expect(missing11.status).toBe(404);
    expect(missing11.body.statusInfoSet[0].imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unknown object');
    expect((await get12('/schools/nowhere/students')).status).toBe(404);
  });

  it('orgs include a non-school org and an ext: type; schools hide them; students of a closed school point nowhere', async () => {
    const orgs = (await get12('/orgs')).body.orgs;
    expect(orgs.map((o: { type: string }) => o.type)).toEqual(expect.arrayContaining(['district', 'department', 'ext:program']));
    const schools = (await get12('/schools')).body.orgs;
    expect(schools.every((o: { type: string }) => o.type === 'school')).toBe(true);
    const ids = new Set(orgs.map((o: { sourcedId: string }) => o.sourcedId));
    const students = (await pullAll(`${sandbox.credentials.oneroster12.baseUrl}/students`, () => headers12, 100)).rows;
    expect(students.some((s) => !ids.has(s.primaryOrg.sourcedId))).toBe(true);
  });

  it('Infinite Campus calls everything active and leaves tobedeleted people out', async () => {
    const truth = [...sandbox.district.people()];
    const { rows, totals } = await pullAll(`${sandbox.credentials.infinitecampus.baseUrl}/users`, () => headersIc, 17);
    expect(totals[0]).toBe(truth.filter((p) => p.status === 'active').length);
    expect(rows.every((r) => r.status === 'active')).toBe(true);
    expect(rows.map((r) => r.sourcedId)).toEqual(truth.filter((p) => p.status === 'active').map((p) => p.sourcedId));
  });

  it('ClassLink lists teacher-parents among students', async () => {
    const tenant = sandbox.credentials.classlink.tenants[0];
    const root = `${sandbox.url}/${tenant.onerosterApplicationId}/ims/oneroster/v1p1`;
    const { rows } = await pullAll(`${root}/students`, () => ({ authorization: `Bearer ${tenant.bearer}` }), 50);
    expect(rows.some((r) => r.role === 'teacher')).toBe(true);
    expect(rows.filter((r) => r.role === 'student')).toHaveLength(120);
  });
});
