import request from 'supertest';
import type { HostApp } from '../../examples/host-app/create-host-app';
import { describeEachDatabase } from '../helpers/databases';
import { defineHostModels } from '../../examples/host-app/host-models';
import { createTestHostApp, ERROR_SHAPE, signIn, type SignedIn } from './helpers';

const STUDENT_HEADER = 'student_number,first_name,last_name,email,grade,building_sis_id';
const STAFF_HEADER = 'staff_number,first_name,last_name,email,role,building_sis_id';
const PAGES = ['/', '/buildings', '/students', '/staff', '/import', '/settings'];

describeEachDatabase('example host app', (db) => {
  let host: HostApp;
  let admin: SignedIn;

  beforeAll(async () => {
    host = await createTestHostApp(db());
    admin = await signIn(host.app, 'admin');
  });
  afterAll(() => host.close());

  const csv = (path: string, body: string) =>
    admin.agent.post(path).set('X-CSRF-Token', admin.csrf).set('Content-Type', 'text/csv').send(body);
  const addBuilding = (body: unknown) => admin.agent.post('/api/buildings').set('X-CSRF-Token', admin.csrf).send(body as object);

  describe('sign-in', () => {
    it('signs in with a form and lands on the home page; a wrong password goes back to the login page', async () => {
      const agent = request.agent(host.app);
      const page = await agent.get('/login');
      expect(page.status).toBe(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
      expect(token).toBeDefined();

      const wrong = await agent.post('/login').type('form').send({ _csrf: token, username: 'admin', password: 'nope' });
      expect(wrong.status).toBe(303);
      expect(wrong.headers.location).toBe('/login?error=credentials');
      expect((await agent.get(wrong.headers.location)).text).toContain('That user name and password do not match.');

      const right = await agent.post('/login').type('form').send({ _csrf: token, username: 'admin', password: 'admin' });
      expect(right.status).toBe(303);
      expect(right.headers.location).toBe('/');
      const home = await agent.get('/');
      expect(home.status).toBe(200);
      expect(home.text).toContain('Signed in as <strong>Ada Admin</strong>');
    });

    it('refuses a form sign-in without the login page token (no login CSRF)', async () => {
      const res = await request(host.app).post('/login').type('form').send({ username: 'admin', password: 'admin' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?error=expired');
    });

    it('returns to the page asked for, but never to another site', async () => {
      const agent = request.agent(host.app);
      const first = await agent.get('/students?q=x');
      expect(first.headers.location).toBe('/login?next=%2Fstudents%3Fq%3Dx');
      const page = await agent.get(first.headers.location);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
      const ok = await agent.post('/login').type('form').send({ _csrf: token, username: 'teacher', password: 'teacher', next: '/students?q=x' });
      expect(ok.headers.location).toBe('/students?q=x');

      const other = request.agent(host.app);
      const otherPage = await other.get('/login');
      const otherToken = /name="_csrf" value="([^"]+)"/.exec(otherPage.text)?.[1];
      const evil = await other.post('/login').type('form').send({ _csrf: otherToken, username: 'admin', password: 'admin', next: '//evil.example' });
      expect(evil.headers.location).toBe('/');
    });

    it('signs in with JSON: 200 with the user, 401 in the error shape for a wrong password', async () => {
      const ok = await request(host.app).post('/login').send({ username: 'teacher', password: 'teacher' });
      expect(ok.status).toBe(200);
      expect(ok.body.user).toEqual({ id: 2, username: 'teacher', name: 'Tom Teacher', permissions: [] });
      expect(ok.body.csrfToken).toEqual(expect.any(String));
      expect(JSON.stringify(ok.body)).not.toContain('password');

      const wrong = await request(host.app).post('/login').send({ username: 'teacher', password: 'admin' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ error: { code: 'invalid_credentials', message: expect.any(String) } });
      const nobody = await request(host.app).post('/login').send({ username: 'root', password: 'root' });
      expect(nobody.status).toBe(401);
    });

    it('signs out: the session no longer opens pages or the API', async () => {
      const user = await signIn(host.app, 'teacher');
      expect((await user.agent.get('/api/buildings')).status).toBe(200);
      expect((await user.agent.post('/logout').send()).status).toBe(403); // no CSRF token
      const out = await user.agent.post('/logout').set('X-CSRF-Token', user.csrf).set('Accept', 'application/json').send();
      expect(out.status).toBe(204);
      expect((await user.agent.get('/api/buildings')).status).toBe(401);
      const page = await user.agent.get('/buildings');
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe('/login?next=%2Fbuildings');
    });
  });

  describe('pages', () => {
    it.each(PAGES)('%s needs a sign-in', async (path) => {
      const res = await request(host.app).get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/login/);
    });

    it.each(PAGES)('%s renders with the nav for a signed-in user', async (path) => {
      const res = await admin.agent.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<nav aria-label="Main">');
      expect(res.text).toContain('Sign out');
    });

    it('hosts the widget on Settings for an admin, with the mount path and the CSRF token', async () => {
      const res = await admin.agent.get('/settings');
      expect(res.text).toContain('<script type="module" src="/settings/automation/oneroster/widget/oneroster-settings.js"></script>');
      expect(res.text).toContain(`<oneroster-settings api-base="/settings/automation/oneroster" csrf-token="${admin.csrf}">`);
    });

    it('tells a teacher that Settings needs Manage Settings instead of showing the widget', async () => {
      const teacher = await signIn(host.app, 'teacher');
      const res = await teacher.agent.get('/settings');
      expect(res.status).toBe(200);
      expect(res.text).toContain('Manage Settings');
      expect(res.text).not.toContain('<oneroster-settings');
    });

    it('answers JSON 401 to the API and the module router for nobody', async () => {
      for (const path of ['/api/buildings', '/api/students', '/settings/automation/oneroster/automation']) {
        const res = await request(host.app).get(path);
        expect(res.status).toBe(401);
        expect(res.body).toEqual(ERROR_SHAPE);
      }
    });

    it('shows a 404 page for an unknown page', async () => {
      const res = await admin.agent.get('/no-such-page');
      expect(res.status).toBe(404);
      expect(res.text).toContain('Page not found');
    });
  });

  describe('buildings', () => {
    it('pages /api/buildings with ?limit=&offset= like its sibling lists', async () => {
      for (const name of ['Paging A', 'Paging B', 'Paging C']) expect((await addBuilding({ name })).status).toBe(201);
      const all = await admin.agent.get('/api/buildings');
      const page = await admin.agent.get('/api/buildings?limit=2&offset=1');
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(all.body.total);
      expect(page.body.items).toEqual(all.body.items.slice(1, 3));
      expect((await admin.agent.get('/api/buildings?limit=0')).status).toBe(400);
      expect((await admin.agent.get('/api/buildings?sort=name')).status).toBe(400);
    });

    it('lets only Manage Settings write a Building SIS ID, and never on a building the sync created', async () => {
      const manual = (await addBuilding({ name: 'Hand Made' })).body.building as { id: number };
      const { Building } = defineHostModels(host.sequelize);
      const synced = await Building.create({ name: 'Synced School', sisId: 'org-synced', source: 'oneroster' });
      const teacher = await signIn(host.app, 'teacher');

      const byTeacher = await teacher.agent.patch(`/api/buildings/${manual.id}`).set('X-CSRF-Token', teacher.csrf).send({ sisId: 'sch-x' });
      expect(byTeacher.status).toBe(403);
      const addByTeacher = await teacher.agent.post('/api/buildings').set('X-CSRF-Token', teacher.csrf).send({ name: 'Teacher Hall', sisId: 'sch-y' });
      expect(addByTeacher.status).toBe(403);
      const readOnly = await admin.agent.patch(`/api/buildings/${synced.get('id')}`).set('X-CSRF-Token', admin.csrf).send({ sisId: 'org-typo' });
      expect(readOnly.status).toBe(409);
      expect(readOnly.body.error.code).toBe('sis_id_read_only');
      expect((await Building.findByPk(synced.get('id') as number))!.get('sisId')).toBe('org-synced');

      // The page offers the field only where it may be written.
      const adminPage = (await admin.agent.get('/buildings')).text;
      expect(adminPage).toContain(`action="/buildings/${manual.id}/sis"`);
      expect(adminPage).not.toContain(`action="/buildings/${synced.get('id')}/sis"`);
      const teacherPage = (await teacher.agent.get('/buildings')).text;
      expect(teacherPage).not.toContain('/sis"');
      // A form post by the teacher is refused with a message, and changes nothing.
      await teacher.agent.post(`/buildings/${manual.id}/sis`).type('form').send({ sisId: 'sch-z', _csrf: teacher.csrf });
      expect((await Building.findByPk(manual.id))!.get('sisId')).toBeNull();
    });

    it('adds, lists, edits the SIS field and removes a building', async () => {
      const created = await addBuilding({ name: '  Lincoln Elementary ', sisId: 'sch-lincoln', identifier: 'LIN' });
      expect(created.status).toBe(201);
      expect(created.body.building).toEqual({
        id: expect.any(Number),
        sisId: 'sch-lincoln',
        name: 'Lincoln Elementary',
        identifier: 'LIN',
        source: 'manual',
        active: true,
      });
      const id = created.body.building.id as number;

      const list = await admin.agent.get('/api/buildings');
      expect(list.status).toBe(200);
      expect(list.body.items).toContainEqual(created.body.building);
      expect(list.body.total).toBe(list.body.items.length);

      const edited = await admin.agent.patch(`/api/buildings/${id}`).set('X-CSRF-Token', admin.csrf).send({ sisId: 'sch-lincoln-2' });
      expect(edited.status).toBe(200);
      expect(edited.body.building.sisId).toBe('sch-lincoln-2');
      const cleared = await admin.agent.patch(`/api/buildings/${id}`).set('X-CSRF-Token', admin.csrf).send({ sisId: '' });
      expect(cleared.body.building.sisId).toBeNull();

      const removed = await admin.agent.delete(`/api/buildings/${id}`).set('X-CSRF-Token', admin.csrf);
      expect(removed.status).toBe(204);
      const after = await admin.agent.get('/api/buildings');
      expect(after.body.items.map((b: { id: number }) => b.id)).not.toContain(id);
    });

    it('refuses a second building with the same SIS ID, on add and on edit (409)', async () => {
      expect((await addBuilding({ name: 'Adams Middle', sisId: 'sch-adams' })).status).toBe(201);
      const other = await addBuilding({ name: 'Other Middle' });
      const duplicate = await addBuilding({ name: 'Adams Copy', sisId: 'sch-adams' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error.code).toBe('duplicate_sis_id');
      const edit = await admin.agent.patch(`/api/buildings/${other.body.building.id}`).set('X-CSRF-Token', admin.csrf).send({ sisId: 'sch-adams' });
      expect(edit.status).toBe(409);
      expect(edit.body.error.code).toBe('duplicate_sis_id');
      const sameName = await addBuilding({ name: 'adams middle' });
      expect(sameName.status).toBe(409);
      expect(sameName.body.error.code).toBe('duplicate_building_name');
    });

    it('refuses to remove a building people belong to (409), and 404s unknown ids', async () => {
      const building = await addBuilding({ name: 'Busy High', sisId: 'sch-busy' });
      const imported = await csv('/api/import/staff', `${STAFF_HEADER}\nT-900,Grace,Hopper,grace@example.org,teacher,sch-busy\n`);
      expect(imported.body).toEqual({ created: 1, updated: 0, errors: [] });
      const res = await admin.agent.delete(`/api/buildings/${building.body.building.id}`).set('X-CSRF-Token', admin.csrf);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('building_in_use');
      expect((await admin.agent.get('/api/buildings')).body.items.map((b: { name: string }) => b.name)).toContain('Busy High');

      for (const id of ['999999', 'abc', '0', '-1', '1.5', '99999999999999999999']) {
        const missing = await admin.agent.delete(`/api/buildings/${id}`).set('X-CSRF-Token', admin.csrf);
        expect(missing.status).toBe(404);
        expect(missing.body).toEqual(ERROR_SHAPE);
      }
    });

    it('needs the CSRF token to change anything', async () => {
      const res = await admin.agent.post('/api/buildings').send({ name: 'No Token' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_failed');
      const wrong = await admin.agent.post('/api/buildings').set('X-CSRF-Token', 'x'.repeat(32)).send({ name: 'No Token' });
      expect(wrong.status).toBe(403);
    });

    it('works through the page forms too, with a message after the redirect', async () => {
      const page = await admin.agent.get('/buildings');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
      const added = await admin.agent.post('/buildings').type('form').send({ _csrf: token, name: 'Form Academy', sisId: '', identifier: '' });
      expect(added.status).toBe(303);
      const after = await admin.agent.get('/buildings');
      expect(after.text).toContain('Added Form Academy.');
      expect(after.text).toContain('<td>Form Academy</td>');
      const again = await admin.agent.post('/buildings').type('form').send({ _csrf: token, name: '' });
      expect(again.status).toBe(303);
      expect((await admin.agent.get('/buildings')).text).toContain('flash-error');
    });
  });

  describe('CSV import', () => {
    beforeAll(async () => {
      await addBuilding({ name: 'Import Elementary', sisId: 'sch-import' });
    });

    it('creates people, then updates them by number; a bad line is reported, the rest imported', async () => {
      const first = await csv(
        '/api/import/students',
        `${STUDENT_HEADER}\r\nS-1,Ada,Lovelace,ada@example.org,5,sch-import\r\nS-2,"Smith, Jr.",Bob,,4,Import Elementary\r\n`,
      );
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ created: 2, updated: 0, errors: [] });

      const second = await csv(
        '/api/import/students',
        [
          STUDENT_HEADER,
          'S-1,Ada,King,ada.king@example.org,6,sch-import',
          'S-3,,Nameless,,5,',
          'S-4,Eve,Unknown,,5,sch-nowhere',
          'S-5,Mal,Formed,not-an-email,5,',
          'S-6,Too,Few',
          '',
          'S-7,Zed,Last,,K,',
        ].join('\n'),
      );
      expect(second.status).toBe(200);
      expect(second.body.created).toBe(1);
      expect(second.body.updated).toBe(1);
      expect(second.body.errors).toEqual([
        { line: 3, message: 'first_name is empty.' },
        { line: 4, message: expect.stringContaining('sch-nowhere') },
        { line: 5, message: 'email is not an email address.' },
        { line: 6, message: 'Expected 6 fields, found 3.' },
      ]);

      const list = await admin.agent.get('/api/students?q=S-1');
      expect(list.body.items).toEqual([
        expect.objectContaining({ number: 'S-1', firstName: 'Ada', lastName: 'King', email: 'ada.king@example.org', grade: '6', active: true }),
      ]);
      const bob = await admin.agent.get('/api/students?q=jr. bob');
      expect(bob.body.items).toEqual([expect.objectContaining({ number: 'S-2', firstName: 'Smith, Jr.', email: null })]);
    });

    it('treats a number repeated in one file as the same person, and imports a district-sized file quickly', async () => {
      const repeated = await csv('/api/import/students', `${STUDENT_HEADER}\nR-1,First,Try,,1,\nR-1,Second,Try,,2,\n`);
      expect(repeated.body).toEqual({ created: 1, updated: 1, errors: [] });
      expect((await admin.agent.get('/api/students?q=R-1')).body.items).toEqual([expect.objectContaining({ firstName: 'Second', grade: '2' })]);

      const rows = Array.from({ length: 2000 }, (_, i) => `B-${i},Bulk${i},Student,bulk${i}@example.org,5,sch-import`).join('\n');
      const started = Date.now();
      const bulk = await csv('/api/import/students', `${STUDENT_HEADER}\n${rows}\n`);
      expect(bulk.body).toEqual({ created: 2000, updated: 0, errors: [] });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect((await admin.agent.get('/api/students?q=bulk&limit=1')).body.total).toBe(2000);
    });

    it('imports staff with their role and building', async () => {
      const res = await csv('/api/import/staff', `${STAFF_HEADER}\nT-1,Tess,Teach,tess@example.org,teacher,sch-import\n`);
      expect(res.body).toEqual({ created: 1, updated: 0, errors: [] });
      const buildings = (await admin.agent.get('/api/buildings')).body.items as Array<{ id: number; sisId: string }>;
      const list = await admin.agent.get('/api/staff?q=tess');
      expect(list.body).toEqual({
        total: 1,
        items: [
          {
            id: expect.any(Number),
            sourcedId: null,
            firstName: 'Tess',
            lastName: 'Teach',
            number: 'T-1',
            email: 'tess@example.org',
            role: 'teacher',
            buildingId: buildings.find((b) => b.sisId === 'sch-import')?.id,
            enabled: true,
            active: true,
          },
        ],
      });
    });

    it('refuses a header without the required columns, and CSV it cannot read (400)', async () => {
      const header = await csv('/api/import/students', 'first_name,last_name\nA,B\n');
      expect(header.status).toBe(400);
      expect(header.body.error.code).toBe('invalid_csv_header');
      expect(header.body.error.message).toContain('missing column "student_number"');
      const broken = await csv('/api/import/students', `${STUDENT_HEADER}\nS-9,"open,x,,,\n`);
      expect(broken.status).toBe(400);
      expect(broken.body.error).toEqual({ code: 'invalid_csv', message: expect.any(String), details: { line: 2 } });
    });

    it('answers 415 to a body that is not text/csv and 400 to an empty one', async () => {
      const json = await admin.agent.post('/api/import/students').set('X-CSRF-Token', admin.csrf).send({ csv: 'x' });
      expect(json.status).toBe(415);
      expect(json.body).toEqual(ERROR_SHAPE);
      const empty = await csv('/api/import/students', '');
      expect(empty.status).toBe(400);
      expect(empty.body.error.code).toBe('empty_csv');
      const blank = await csv('/api/import/staff', ' \r\n ');
      expect(blank.status).toBe(400);
    });

    it('imports through the page form and shows the outcome', async () => {
      const page = await admin.agent.get('/import');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
      const res = await admin.agent
        .post('/import')
        .type('form')
        .send({ _csrf: token, kind: 'staff', csv: `${STAFF_HEADER}\nT-50,Page,Form,,aide,\nT-51,,Broken,,aide,\n` });
      expect(res.status).toBe(200);
      expect(res.text).toContain('<strong>1</strong> added');
      expect(res.text).toContain('first_name is empty.');
    });
  });

  describe('lists and escaping', () => {
    it('escapes a roster name holding HTML on every page that shows it', async () => {
      await addBuilding({ name: '<script>alert("b")</script> Hall', sisId: 'sch-xss' });
      await csv('/api/import/students', `${STUDENT_HEADER}\nX-1,<img src=x onerror=alert(1)>,"Mc""Quote'",,5,sch-xss\n`);
      const students = await admin.agent.get('/students?q=X-1');
      expect(students.text).not.toContain('<img src=x');
      expect(students.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(students.text).toContain('Mc&quot;Quote&#39;');
      expect(students.text).toContain('&lt;script&gt;alert(&quot;b&quot;)&lt;/script&gt; Hall');
      const buildings = await admin.agent.get('/buildings');
      expect(buildings.text).not.toContain('<script>alert');
      const search = await admin.agent.get('/students?q=%22%3E%3Cb%3Ebold');
      expect(search.text).not.toContain('"><b>bold');
      expect(search.text).toContain('&quot;&gt;&lt;b&gt;bold');
    });

    it('pages and searches people, treating % and _ as plain text', async () => {
      const rows = Array.from({ length: 12 }, (_, i) => `P-${100 + i},Page${i},Person,,3,`).join('\n');
      await csv('/api/import/students', `${STUDENT_HEADER}\n${rows}\nP-200,Per%cent,Under_score,,3,\n`);
      const first = await admin.agent.get('/api/students?q=person&limit=5');
      expect(first.body.total).toBe(12);
      expect(first.body.items).toHaveLength(5);
      const last = await admin.agent.get('/api/students?q=person&limit=5&offset=10');
      expect(last.body.items).toHaveLength(2);
      expect((await admin.agent.get('/api/students?q=%25')).body.items.map((p: { number: string }) => p.number)).toEqual(['P-200']);
      expect((await admin.agent.get('/api/students?q=r_s')).body.items.map((p: { number: string }) => p.number)).toEqual(['P-200']);
      const page = await admin.agent.get('/students?q=person');
      expect(page.text).toContain('Showing 1–12 of 12');
    });
  });
});
