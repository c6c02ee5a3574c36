import request from 'supertest';
import type { HostApp } from '../../examples/host-app/create-host-app';
import { describeEachDatabase } from '../helpers/databases';
import { createTestHostApp, ERROR_SHAPE, signIn, type SignedIn } from './helpers';

/** One bad request and the status it must get (a number) or just "some 4xx" ('4xx'). */
interface Case {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  contentType?: string;
  body?: string;
  expect: number | '4xx';
}

const json = (method: Case['method'], path: string, body: string, expected: Case['expect'], name = body.slice(0, 60)): Case => ({
  name: `${method.toUpperCase()} ${path} ${name}`,
  method,
  path,
  contentType: 'application/json',
  body,
  expect: expected,
});

const HUGE = 'x'.repeat(120_000);
const LONG = 'x'.repeat(300);
const CSV_HEADER = 'student_number,first_name,last_name,email,grade,building_sis_id';

/** Bodies every JSON endpoint must refuse with a 4xx. */
function badJsonBodies(path: string, method: Case['method']): Case[] {
  return [
    json(method, path, '{"name":', 400, 'malformed JSON'),
    json(method, path, '{name: 1}', 400, 'unquoted key'),
    json(method, path, '[]', 400),
    json(method, path, '"text"', 400),
    json(method, path, 'null', 400),
    json(method, path, '123', 400),
    json(method, path, '{}', 400),
    json(method, path, '{"name":123,"sisId":5}', 400),
    json(method, path, '{"name":null,"sisId":[]}', 400),
    json(method, path, '{"name":["a"],"sisId":{"a":1}}', 400),
    json(method, path, `{"name":"${LONG}","sisId":"${LONG}"}`, 400, 'too long fields'),
    json(method, path, `{"name":"${HUGE}"}`, 413, 'huge body'),
    json(method, path, '{"__proto__":{"polluted":true},"name":"Proto","sisId":"p"}', 400, '__proto__ key'),
    json(method, path, '{"constructor":{"prototype":{"polluted":true}},"name":"C","sisId":"c"}', 400, 'constructor key'),
    json(method, path, '{"name":"Extra","sisId":"e","admin":true}', 400, 'unknown field'),
    { name: `${method.toUpperCase()} ${path} form body`, method, path, contentType: 'application/x-www-form-urlencoded', body: 'name=a', expect: 415 },
    { name: `${method.toUpperCase()} ${path} no body`, method, path, expect: 415 },
    { name: `${method.toUpperCase()} ${path} bad charset`, method, path, contentType: 'application/json; charset=klingon', body: '{"name":"k"}', expect: 415 },
  ];
}

function cases(existingId: number): Case[] {
  const list: Case[] = [
    ...badJsonBodies('/api/buildings', 'post'),
    ...badJsonBodies(`/api/buildings/${existingId}`, 'patch'),
    json('patch', '/api/buildings/999999', '{"sisId":"x"}', 404, 'unknown id'),
    json('patch', '/api/buildings/abc', '{"sisId":"x"}', 404, 'non-numeric id'),
    json('patch', '/api/buildings/1e3', '{"sisId":"x"}', 404, 'exponent id'),
    { name: 'DELETE unknown id', method: 'delete', path: '/api/buildings/2147483648', expect: 404 },
    { name: 'DELETE path traversal id', method: 'delete', path: '/api/buildings/..%2F..%2Fetc', expect: 404 },
    json('post', '/login', '{"username":', 400, 'login malformed JSON'),
    json('post', '/login', '{"username":1,"password":2}', 400, 'login wrong types'),
    json('post', '/login', '{"username":"admin"}', 400, 'login missing password'),
    json('post', '/login', '{"__proto__":{"x":1},"username":"admin","password":"admin"}', 400, 'login __proto__'),
    json('post', '/login', `{"username":"admin","password":"${HUGE}"}`, 413, 'login huge'),
    { name: 'login text/plain', method: 'post', path: '/login', contentType: 'text/plain', body: 'admin', expect: 415 },
    { name: 'unknown API endpoint', method: 'get', path: '/api/nope', expect: 404 },
  ];
  for (const kind of ['students', 'staff']) {
    for (const query of ['limit=0', 'limit=abc', 'limit=100000', 'offset=-1', 'offset=1.5', 'q[]=a&q[]=b', 'q[a]=1', `q=${LONG}`, 'unknown=1', 'limit=']) {
      list.push({ name: `GET /api/${kind}?${query.slice(0, 30)}`, method: 'get', path: `/api/${kind}?${query}`, expect: 400 });
    }
    list.push({ name: `GET /api/${kind}?__proto__[x]`, method: 'get', path: `/api/${kind}?__proto__[polluted]=1`, expect: 400 });
    list.push({ name: `GET /api/${kind}?__proto__`, method: 'get', path: `/api/${kind}?__proto__=1`, expect: 400 });
    const csvCases: Array<[string, string, string, Case['expect']]> = [
      ['json body', 'application/json', '{"csv":"x"}', 415],
      ['no content type', '', '', 415],
      ['empty', 'text/csv', '', 400],
      ['only a quote', 'text/csv', '"', 400],
      ['binary', 'text/csv', '\u00ff\u00fe\u0000\u0001garbage', 400],
      ['__proto__ column', 'text/csv', `${CSV_HEADER},__proto__\n1,a,b,,,,x\n`, 400],
      ['repeated column', 'text/csv', 'first_name,first_name,last_name\n', 400],
      ['bad charset', 'text/csv; charset=klingon', `${CSV_HEADER}\n`, 415],
      ['huge', 'text/csv', `${CSV_HEADER}\n${'1,a,b,,,\n'.repeat(700_000)}`, 413],
    ];
    for (const [name, contentType, body, expected] of csvCases) {
      list.push({ name: `POST /api/import/${kind} ${name}`, method: 'post', path: `/api/import/${kind}`, contentType: contentType || undefined, body, expect: expected });
    }
  }
  return list;
}

describeEachDatabase('example host app refuses bad input with a 4xx, never a 500', (db) => {
  let host: HostApp;
  let admin: SignedIn;
  let existingId: number;

  beforeAll(async () => {
    host = await createTestHostApp(db());
    admin = await signIn(host.app, 'admin');
    const created = await admin.agent.post('/api/buildings').set('X-CSRF-Token', admin.csrf).send({ name: 'Fuzz Hall', sisId: 'fuzz' });
    existingId = created.body.building.id;
  });
  afterAll(() => host.close());

  it('answers every bad request in the table with the expected 4xx and the error shape', async () => {
    const failures: string[] = [];
    for (const testCase of cases(existingId)) {
      const client = testCase.path === '/login' ? request(host.app) : admin.agent;
      let req = client[testCase.method](testCase.path).set('X-CSRF-Token', admin.csrf).set('Accept', 'application/json');
      if (testCase.contentType) req = req.set('Content-Type', testCase.contentType);
      const res = await (testCase.body === undefined ? req : req.send(testCase.body));
      const statusOk = testCase.expect === '4xx' ? res.status >= 400 && res.status < 500 : res.status === testCase.expect;
      let shapeOk = true;
      try {
        expect(res.body).toEqual(ERROR_SHAPE);
      } catch {
        shapeOk = false;
      }
      if (!statusOk || !shapeOk) failures.push(`${testCase.name}: ${res.status} ${res.text.slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the data it was given untouched by the refused requests', async () => {
    const list = await admin.agent.get('/api/buildings');
    expect(list.body.items).toEqual([expect.objectContaining({ id: existingId, name: 'Fuzz Hall', sisId: 'fuzz' })]);
  });

  it('never answers 500 to odd page form posts; they come back to the page with a message', async () => {
    const page = await admin.agent.get('/buildings');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const forms: Array<[string, string]> = [
      ['/buildings', `_csrf=${token}&name=a&name=b`],
      ['/buildings', `_csrf=${token}&__proto__=x&name=Proto`],
      ['/buildings', `_csrf=${token}&name=${LONG}`],
      ['/buildings', `_csrf=${token}`],
      [`/buildings/${existingId}/sis`, `_csrf=${token}&sisId[]=a`],
      ['/buildings/abc/sis', `_csrf=${token}&sisId=a`],
      ['/buildings/999999/delete', `_csrf=${token}`],
      ['/import', `_csrf=${token}&kind=teachers&csv=`],
      ['/import', `_csrf=${token}&kind=students&csv=%22`],
    ];
    for (const [path, body] of forms) {
      const res = await admin.agent.post(path).set('Content-Type', 'application/x-www-form-urlencoded').send(body);
      expect([200, 303, 400]).toContain(res.status);
    }
    const noToken = await admin.agent.post('/buildings').type('form').send({ name: 'x' });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('Reload the page');
    const list = await admin.agent.get('/api/buildings');
    expect(list.body.total).toBe(1);
  });
});
