import type { HostApp } from '../../examples/host-app/create-host-app';
import { describeEachDatabase } from '../helpers/databases';
import { createTestHostApp, signIn, type SignedIn } from './helpers';

const MOUNT = '/settings/automation/oneroster';
const STUDENT_CSV = 'student_number,first_name,last_name,email,grade,building_sis_id\nL-1,Lock,Test,,5,\n';

describeEachDatabase('the host locks manual roster changes while OneRoster is on', (db) => {
  let host: HostApp;
  let admin: SignedIn;
  let manualId: number;

  beforeAll(async () => {
    host = await createTestHostApp(db(), { sandbox: { port: 0, students: 30 } });
    admin = await signIn(host.app, 'admin');
    const created = await admin.agent.post('/api/buildings').set('X-CSRF-Token', admin.csrf).send({ name: 'Manual Annex' });
    manualId = created.body.building.id;
    const { oneroster12 } = host.sandbox!.credentials;
    const saved = await admin.agent
      .put(`${MOUNT}/config`)
      .set('X-CSRF-Token', admin.csrf)
      .send({ provider: 'oneroster', version: '1.2', auth: 'oauth2', ...oneroster12 });
    if (saved.status !== 200) throw new Error(`saving the sandbox configuration failed: ${saved.status} ${saved.text}`);
  });
  afterAll(() => host.close());

  const withToken = (req: ReturnType<SignedIn['agent']['post']>) => req.set('X-CSRF-Token', admin.csrf);

  it('answers 409 roster_managed_by_oneroster to add, remove and both imports', async () => {
    const responses = [
      await withToken(admin.agent.post('/api/buildings')).send({ name: 'Blocked' }),
      await withToken(admin.agent.delete(`/api/buildings/${manualId}`)),
      await withToken(admin.agent.post('/api/import/students')).set('Content-Type', 'text/csv').send(STUDENT_CSV),
      await withToken(admin.agent.post('/api/import/staff')).set('Content-Type', 'text/csv').send('staff_number,first_name,last_name\nX,Y,Z\n'),
    ];
    for (const res of responses) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('roster_managed_by_oneroster');
    }
    const buildings = await admin.agent.get('/api/buildings');
    expect(buildings.body.items.map((b: { name: string }) => b.name)).toEqual(['Manual Annex']);
    expect((await admin.agent.get('/api/students')).body.total).toBe(0);
  });

  it('still lets an admin set the Building SIS field, to tie a manual building to a school', async () => {
    const res = await withToken(admin.agent.patch(`/api/buildings/${manualId}`)).send({ sisId: 'org-00001' });
    expect(res.status).toBe(200);
    expect(res.body.building.sisId).toBe('org-00001');
  });

  it('shows the lock on the pages and refuses the forms with a message', async () => {
    const page = await admin.agent.get('/buildings');
    expect(page.text).toContain('OneRoster manages the roster.');
    expect(page.text).toMatch(/<fieldset disabled>/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    const posted = await admin.agent.post('/buildings').type('form').send({ _csrf: token, name: 'Sneaky' });
    expect(posted.status).toBe(303);
    expect((await admin.agent.get('/buildings')).text).toContain('flash-error');
    const imported = await admin.agent.post('/import').type('form').send({ _csrf: token, kind: 'students', csv: STUDENT_CSV });
    expect(imported.text).toContain('OneRoster manages the roster');
    expect((await admin.agent.get('/api/students')).body.total).toBe(0);
  });

  it('gives manual management back once OneRoster is turned off', async () => {
    const off = await withToken(admin.agent.delete(`${MOUNT}/config`)).set('Content-Type', 'application/json').send('{}');
    expect(off.status).toBeLessThan(300);
    const res = await withToken(admin.agent.post('/api/buildings')).send({ name: 'Allowed Again' });
    expect(res.status).toBe(201);
    const imported = await withToken(admin.agent.post('/api/import/students')).set('Content-Type', 'text/csv').send(STUDENT_CSV);
    expect(imported.body).toEqual({ created: 1, updated: 0, errors: [] });
  });
});
