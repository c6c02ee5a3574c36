import zlib from 'node:zlib';
import request from 'supertest';
import { maxBodyBytes } from '../../server/providers/http-client';
import { routeTable } from '../../server/http/routes';
import { AS_ADMIN, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { RELIABILITY_HTTP, resetDatabase, saveConfig, syncNow } from './kit';
import { listFeed, startStubProvider, stubStudent, type StubProvider } from './stub-provider';

/** Path parameters that are not valid percent-encoding. */
const MALFORMED_PARAMS = ['%', '%E0%A4%A', '%zz', '1%'];
/** Nesting far past anything a route takes. */
const DEPTH = 5000;

/** The routes with a JSON body, with `:id` filled in. */
const JSON_ROUTES = routeTable.filter((route) => route.method !== 'get').map((route) => ({ method: route.method, path: route.path.replace(':id', '1') }));
/** The routes with a path parameter. */
const ID_ROUTES = routeTable.filter((route) => route.path.includes(':id'));

function send(host: TestHost, method: string, path: string): request.Test {
  const agent = request(host.app) as unknown as Record<string, (url: string) => request.Test>;
  return agent[method]!(`${MOUNT}${path}`).set(AS_ADMIN);
}

describeEachDatabase('no 500 for bad input', (db) => {
  let host: TestHost;

  beforeAll(async () => {
    host = await createTestHost(db());
  });
  afterAll(() => host.oneroster.close());
  afterEach(() => {
    // Never a request that failed on the server's side.
    expect(host.logger.lines.filter((line) => line.startsWith('error request failed'))).toEqual([]);
  });

  it.each(ID_ROUTES.flatMap((route) => MALFORMED_PARAMS.map((param) => [route.method.toUpperCase(), route.path, param])))(
    '%s %s with :id = %s answers 400 with the error shape',
    async (method, path, param) => {
      const res = await send(host, method.toLowerCase(), path.replace(':id', param)).set('Content-Type', 'application/json').send('{}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_path', message: expect.any(String) } });
    },
  );

  it.each(JSON_ROUTES.map((route) => [route.method.toUpperCase(), route.path]))('%s %s: a 5,000-deep array and object answer 400', async (method, path) => {
    for (const body of [`{"a":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`, `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`]) {
      const res = await send(host, method.toLowerCase(), path).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it.each(JSON_ROUTES.map((route) => [route.method.toUpperCase(), route.path]))('%s %s: a body whose gzip is broken answers 400', async (method, path) => {
    const broken = zlib.gzipSync('{"paused": true}').subarray(0, 12);
    for (const body of [Buffer.from('plainly not gzip'), broken]) {
      const res = await send(host, method.toLowerCase(), path).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: expect.stringMatching(/^(invalid_body|invalid_json)$/), message: expect.any(String) } });
    }
  });
});

describeEachDatabase('provider answers and database errors that must not hurt', (db) => {
  let host: TestHost | undefined;
  let stub: StubProvider | undefined;
  afterEach(async () => {
    await host?.oneroster.close();
    await stub?.close();
  });

  it('a gzip bomb from the provider is not read past the body bound: the run fails bad_response, not the server', async () => {
    const bound = maxBodyBytes(RELIABILITY_HTTP.pageSize);
    // Valid JSON once inflated: a list padded with twice the bound of spaces (~a few hundred KB gzipped).
    const bomb = zlib.gzipSync(Buffer.concat([Buffer.from('{"users":['), Buffer.alloc(2 * bound, ' '), Buffer.from(']}')]));
    const s = await startStubProvider(listFeed([stubStudent('bomb-1')]));
    stub = s;
    host = await createTestHost(db(), { http: { ...RELIABILITY_HTTP } });
    await resetDatabase(db().sequelize);
    await saveConfig(host, s.config);
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    s.setFeed(() => ({ gzipped: bomb }));
    const run = await syncNow(host, 'users');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'bad_response' } });
    expect(run.error!.message).toMatch(/larger than \d+ MB/);
    // Refused at once, not retried.
    expect(s.pages()).toBe(1);
  });

  it('a database error that quotes a roster value is logged without it', async () => {
    const s = await startStubProvider(listFeed([stubStudent('same-1', { givenName: 'Zebulon' }), stubStudent('same-2', { givenName: 'Zebulon' })]));
    stub = s;
    host = await createTestHost(db(), { http: { ...RELIABILITY_HTTP } });
    await resetDatabase(db().sequelize);
    await saveConfig(host, s.config);
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    // A host's own rule the module does not know about, whose error quotes the value it refused
    // (as MariaDB's `Duplicate entry '…'` and SQLite's `near "…"` do).
    const trigger = db().name === 'sqlite'
      ? `CREATE TRIGGER students_name_test BEFORE INSERT ON oneroster_students WHEN NEW.first_name = 'Zebulon' BEGIN SELECT RAISE(ABORT, 'name refused: "Zebulon"'); END`
      : `CREATE TRIGGER students_name_test BEFORE INSERT ON oneroster_students FOR EACH ROW BEGIN DECLARE refusal VARCHAR(200); IF NEW.first_name = 'Zebulon' THEN SET refusal = CONCAT('name refused: "', NEW.first_name, '"'); SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = refusal; END IF; END`;
    await db().sequelize.query(trigger);
    try {
      const run = await syncNow(host, 'users');
      expect(run).toMatchObject({ status: 'failed', error: { code: 'internal_error' } });
      const logged = host.logger.lines.join('\n');
      expect(logged).toMatch(/run failed unexpectedly/);
      expect(logged).not.toMatch(/Zebulon/);
    } finally {
      await db().sequelize.query('DROP TRIGGER students_name_test');
    }
  });
});
