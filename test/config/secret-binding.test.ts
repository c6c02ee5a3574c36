import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startSandbox, type Sandbox } from '../../examples/oneroster-sandbox';
import { describeEachDatabase } from '../helpers/databases';
import { AS_ADMIN, createTestHost, MOUNT, type TestHost } from '../helpers/app';

/** A loopback server that answers 401 to everything and keeps every request it received. */
interface Recorder {
  url: string;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let sandbox: Sandbox;
let recorder: Recorder;
beforeAll(async () => {
  sandbox = await startSandbox({ students: 10, schools: 2 });
  recorder = await startRecorder();
});
afterAll(async () => {
  await recorder.close();
  await sandbox.close();
});

/** Everything a request could carry the secret in: its headers (Basic auth is base64) and its body. */
function carriesSecret(req: Recorder['requests'][number], secret: string): boolean {
  const basic = Buffer.from(`${sandboxClientId()}:${secret}`).toString('base64');
  const text = `${JSON.stringify(req.headers)}\n${req.url}\n${req.body}`;
  return text.includes(secret) || text.includes(encodeURIComponent(secret)) || text.includes(basic);
}
const sandboxClientId = () => sandbox.credentials.oneroster12.clientId;

describeEachDatabase('a saved secret is bound to where it was saved for', (db) => {
  let host: TestHost;
  const api = () => request(host.app);
  const saved = () => ({ provider: 'oneroster', version: '1.2', auth: 'oauth2', ...sandbox.credentials.oneroster12 });
  const configRow = async () => (await db().sequelize.query('SELECT * FROM oneroster_config', { type: 'SELECT' }))[0];

  beforeAll(async () => {
    host = await createTestHost(db());
    expect((await api().put(`${MOUNT}/config`).set(AS_ADMIN).send(saved())).status).toBe(200);
  });
  beforeEach(() => {
    recorder.requests.length = 0;
  });

  it('sends the saved secret to no other origin: 6 of 6 redirected requests answer 400 asking for it, and nothing reaches the other host', async () => {
    const before = await configRow();
    const { baseUrl, tokenUrl } = sandbox.credentials.oneroster12;
    const elsewhere = (url: string) => url.replace(sandbox.url, recorder.url);
    const redirected = [
      { ...saved(), tokenUrl: elsewhere(tokenUrl), clientSecret: '' },
      { ...saved(), baseUrl: elsewhere(baseUrl), clientSecret: '' },
      { ...saved(), baseUrl: elsewhere(baseUrl), tokenUrl: elsewhere(tokenUrl), clientSecret: '' },
    ];
    const answers = [];
    for (const body of redirected) {
      answers.push(await api().post(`${MOUNT}/config/test`).set(AS_ADMIN).send(body));
      answers.push(await api().put(`${MOUNT}/config`).set(AS_ADMIN).send(body));
    }
    expect(answers).toHaveLength(6);
    // Counted first: the old code sent the secret in every one of these requests.
    const secret = sandbox.credentials.oneroster12.clientSecret;
    expect(recorder.requests.filter((req) => carriesSecret(req, secret)).length).toBe(0);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'clientSecret', message: expect.stringMatching(/Enter the client secret again/) }] });
    }
    expect(recorder.requests).toEqual([]);
    expect(await configRow()).toEqual(before);
  });

  it('asks for the secret again when the client ID changes, even at the same address', async () => {
    const res = await api().post(`${MOUNT}/config/test`).set(AS_ADMIN).send({ ...saved(), clientId: 'someone-else', clientSecret: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'clientSecret', message: expect.stringMatching(/client secret/) }]);
  });

  it('still reuses the saved secret for the same origins (another query string on the token URL) and sends it only there', async () => {
    const { tokenUrl } = sandbox.credentials.oneroster12;
    const test = await api().post(`${MOUNT}/config/test`).set(AS_ADMIN).send({ ...saved(), tokenUrl: `${tokenUrl}?again=1`, clientSecret: '' });
    expect(test.status).toBe(200);
    expect(test.body.ok).toBe(true);
    const put = await api().put(`${MOUNT}/config`).set(AS_ADMIN).send({ ...saved(), clientSecret: '' });
    expect(put.status).toBe(200);
  });

  it('a redirected request that carries its own secret is tested with that secret, never the saved one', async () => {
    const typed = 'a-secret-the-admin-typed';
    const res = await api()
      .post(`${MOUNT}/config/test`)
      .set(AS_ADMIN)
      .send({ ...saved(), tokenUrl: `${recorder.url}/token`, clientSecret: typed });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(recorder.requests.length).toBeGreaterThan(0);
    expect(recorder.requests.filter((req) => carriesSecret(req, sandbox.credentials.oneroster12.clientSecret))).toEqual([]);
  });

  it('ClassLink requests cannot name a proxy URL or an API key: the vendor key only goes to the host-configured proxy', async () => {
    for (const extra of [{ proxyUrl: recorder.url }, { apiKey: 'x' }]) {
      const res = await api().post(`${MOUNT}/config/test`).set(AS_ADMIN).send({ provider: 'classlink', tenantId: '2', ...extra });
      expect(res.status).toBe(400);
    }
    expect(recorder.requests).toEqual([]);
  });
});
