import { Sandbox, startSandbox } from '../../examples/oneroster-sandbox';
import { bearer12, query, request } from './helpers';

// Smoke only: timings are measured by examples/oneroster-sandbox/measure.ts, not asserted here.
describe('a 1,000,000-user district', () => {
  let sandbox: Sandbox;
  let headers: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox({ students: 900_000, staff: 40_000, guardians: 60_000, schools: 300 });
    headers = await bearer12(sandbox);
  });
  afterAll(() => sandbox.close());
  const root = (): string => sandbox.credentials.oneroster12.baseUrl;

  it('serves a page near the end with the right ids and total', async () => {
    const page = await request(`${root()}/users?limit=1000&offset=999000`, headers);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-total-count')).toBe('1000000');
    expect(page.body.users).toHaveLength(1000);
    expect(page.body.users[0].sourcedId).toBe('usr-00999000');
    expect(page.body.users[999].sourcedId).toBe('usr-00999999');
  });

  it('serves a school-scoped page and a delta after changing 1% of people', async () => {
    const school = sandbox.district.schools()[299].sourcedId;
    const teachers = await request(`${root()}/schools/${school}/teachers?limit=5`, headers);
    expect(teachers.status).toBe(200);
    expect(teachers.body.users.length).toBeGreaterThan(0);

    sandbox.district.setNow('2026-01-02T03:00:00.000Z');
    const changed = sandbox.district.changeRandomPeople(0.01, 9);
    expect(changed).toHaveLength(10_000);
    const delta = await request(`${root()}/users?${query({ limit: 1000, offset: 9000, filter: "dateLastModified>'2026-01-01T00:00:00Z'" })}`, headers);
    expect(delta.headers.get('x-total-count')).toBe('10000');
    expect(delta.body.users.map((u: { sourcedId: string }) => u.sourcedId)).toEqual(changed.slice(9000));
  });
});
