import { routeTable } from '../../server/http/routes';
import { ONEROSTER_MOUNT, type HostApp } from '../../examples/host-app/create-host-app';
import { describeEachDatabase } from '../helpers/databases';
import { createTestHostApp, signIn, type SignedIn } from '../host-app/helpers';

/** Every state-changing route of the module, `:id` filled in. */
const WRITES = routeTable.filter((route) => route.method !== 'get').map((route) => ({ method: route.method, path: route.path.replace(':id', '1') }));

describeEachDatabase('CSRF: the example host checks its token in front of the module router', (db) => {
  let host: HostApp;
  let admin: SignedIn;

  beforeAll(async () => {
    host = await createTestHostApp(db());
    await host.oneroster.migrate();
    admin = await signIn(host.app, 'admin');
  });
  afterAll(() => host.close());

  const call = (method: string, path: string) =>
    (admin.agent as unknown as Record<string, (url: string) => ReturnType<SignedIn['agent']['post']>>)[method]!(`${ONEROSTER_MOUNT}${path}`).set('Content-Type', 'application/json');

  it.each(WRITES.map((route) => [route.method.toUpperCase(), route.path]))('%s %s without the session token: 403 csrf_failed, and nothing changes', async (method, path) => {
    const before = await host.oneroster.status();
    const res = await call(method.toLowerCase(), path).send('{}');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_failed');
    const wrong = await call(method.toLowerCase(), path).set('X-CSRF-Token', 'not-the-token').send('{}');
    expect(wrong.status).toBe(403);
    expect(await host.oneroster.status()).toEqual(before);
  });

  it.each(WRITES.map((route) => [route.method.toUpperCase(), route.path]))('%s %s with the token reaches the module (never csrf_failed)', async (method, path) => {
    const res = await call(method.toLowerCase(), path).set('X-CSRF-Token', admin.csrf).send('{}');
    expect(res.body.error?.code).not.toBe('csrf_failed');
    expect(res.status).toBeLessThan(500);
  });
});
