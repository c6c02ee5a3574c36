import request from 'supertest';
import { routeTable } from '../../server/http/routes';
import type { Route } from '../../server/http/types';
import { AS_ADMIN, AS_TEACHER, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { assertRosterInvariants } from '../helpers/invariants';

/** Who is asking. */
type Role = 'anonymous' | 'anonymous, garbage body' | 'teacher (no permission)' | 'admin';

const ROLES: Role[] = ['anonymous', 'anonymous, garbage body', 'teacher (no permission)', 'admin'];

/** The one route anyone may fetch. */
const PUBLIC_ROUTES = ['GET /widget/oneroster-settings.js'];

/** A route's path with every parameter filled by a dummy id. */
function concretePath(route: Route): string {
  return route.path.replace(/:[A-Za-z_]+/g, '1');
}

function label(route: Route): string {
  return `${route.method.toUpperCase()} ${route.path}`;
}

/** Every route × role, generated from the route table so a new route cannot be missed. */
export const ACCESS_CASES = routeTable.flatMap((route) => ROLES.map((role) => ({ route, role, title: `${label(route)} as ${role}` })));

describeEachDatabase('access: every route × role', (db) => {
  let host: TestHost;

  beforeAll(async () => {
    host = await createTestHost(db());
  });
  afterAll(async () => {
    await host.oneroster.close();
  });

  it('the widget script is the only public route', () => {
    expect(routeTable.filter((route) => route.public).map(label)).toEqual(PUBLIC_ROUTES);
  });

  it('the table is the router\'s own route list: the router serves exactly its routes', () => {
    type Layer = { route?: { path: string; methods: Record<string, boolean> } };
    const served = (host.oneroster.router as unknown as { stack: Layer[] }).stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${layer.route!.path}`));
    expect(served.sort()).toEqual(routeTable.map(label).sort());
  });

  it.each(['/widget/oneroster-settings.js.map', '/widget/index.ts', '/widget/../package.json', '/widget/%2e%2e/package.json', '/package.json', '/dist/widget/oneroster-settings.js'])(
    'no other file is public: GET %s answers 401 or 404 to anyone anonymous',
    async (file) => {
      const res = await request(host.app).get(`${MOUNT}${file}`);
      expect([401, 404]).toContain(res.status);
      expect(res.type).toBe('application/json');
      expect(Object.keys(res.body)).toEqual(['error']);
    },
  );

  it('covers every route of the table', () => {
    expect(ACCESS_CASES).toHaveLength(routeTable.length * ROLES.length);
    expect(routeTable.length).toBeGreaterThanOrEqual(13);
  });

  it.each(ACCESS_CASES)('$title', async ({ route, role }) => {
    let req = request(host.app)[route.method](`${MOUNT}${concretePath(route)}`);
    if (role === 'teacher (no permission)') req = req.set(AS_TEACHER);
    if (role === 'admin') req = req.set(AS_ADMIN);
    const stateChanging = route.method !== 'get';
    // A bad body must not let anyone past the guard, nor tell them anything about the route.
    const res =
      role === 'anonymous, garbage body'
        ? await req.set('Content-Type', 'text/plain').send('{"provider": ')
        : stateChanging
          ? await req.set('Content-Type', 'application/json').send('{}')
          : await req;

    if (route.public) {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
      return;
    }
    if (role === 'admin') {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
      return;
    }
    const status = role === 'teacher (no permission)' ? 403 : 401;
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(status === 401 ? 'unauthenticated' : 'forbidden');
    // Nothing but the refusal: no details of the route's data.
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message']);
  });

  it('left the roster rules intact', async () => {
    await host.oneroster.sync.whenIdle();
    await assertRosterInvariants(db().sequelize);
  });
});
