import { createServer, type Server } from 'node:http';
import dns from 'node:dns';
import request from 'supertest';
import type { ConfigInput, TestResult } from '../../server/domain/contract';
import { AS_ADMIN, createTestHost, MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { assertRosterInvariants } from '../helpers/invariants';

/** Provider URLs refused on their text alone: a 400 naming the field, nothing sent anywhere. */
const REFUSED_BY_TEXT = [
  'file:///etc/passwd',
  'gopher://127.0.0.1:70/',
  'javascript:alert(1)',
  'http://example.org/ims/oneroster/v1p1',
  'http://127.0.0.1/ims/oneroster/v1p1',
  'https://admin:secret@example.org/ims',
];

/** Provider URLs whose address is refused (private, link-local, loopback): `url_not_allowed`, never a connection. */
const REFUSED_BY_ADDRESS = [
  'https://10.0.0.5/ims/oneroster/v1p1',
  'https://169.254.169.254/latest/meta-data',
  'https://192.168.1.10/ims',
  'https://172.16.0.1/ims',
  'https://100.64.0.1/ims',
  'https://0.0.0.0/ims',
  'https://127.0.0.1/ims',
  'https://[::1]/ims',
  'https://[::ffff:169.254.169.254]/ims',
  'https://[fe80::1]/ims',
  'https://[fd00::1]/ims',
  'https://localhost/ims',
];

/** With http allowed for this machine only: http to anywhere else is still refused. */
const HTTP_ELSEWHERE = ['http://10.0.0.1/ims', 'http://169.254.169.254/latest/meta-data', 'http://example.org/ims'];

/** Where the redirecting server points: the cloud metadata address, or a path of its own. */
const REDIRECTS = ['to-metadata', 'to-internal'];

/** Every way a generic provider takes a URL: the OneRoster root (OAuth1), and the token URL (OAuth2). */
function inputsWith(url: string): Array<{ field: 'baseUrl' | 'tokenUrl'; input: ConfigInput }> {
  return [
    { field: 'baseUrl', input: { provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl: url, clientId: 'id', clientSecret: 'secret' } },
    { field: 'tokenUrl', input: { provider: 'infinitecampus', version: '1.2', baseUrl: 'https://campus.example.org/ims/oneroster/rostering/v1p2', tokenUrl: url, clientId: 'id', clientSecret: 'secret' } },
  ];
}

/**
 * Host names that resolve inside the network, answered by a stand-in for DNS so the cases are the
 * same on every machine (`localhost` above goes through the real resolver). A name is refused when
 * any of its addresses is forbidden, so a public address next to a private one does not help.
 */
const PRIVATE_DNS: Record<string, dns.LookupAddress[]> = {
  'sis.district.example': [{ address: '10.20.30.40', family: 4 }],
  'metadata.district.example': [{ address: '169.254.169.254', family: 4 }],
  'mixed.district.example': [{ address: '93.184.216.34', family: 4 }, { address: '192.168.0.7', family: 4 }],
  'ula.district.example': [{ address: 'fd12:3456::1', family: 6 }],
  'mapped.district.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
};

/** Answers the names above from PRIVATE_DNS; every other name goes to the real resolver. */
function fakePrivateDns(): jest.SpyInstance {
  const real = dns.lookup.bind(dns);
  return jest.spyOn(dns, 'lookup').mockImplementation(((hostname: string, options: unknown, callback: unknown) => {
    const answer = PRIVATE_DNS[hostname];
    if (!answer) return (real as (...args: unknown[]) => void)(hostname, options, callback);
    const done = (typeof options === 'function' ? options : callback) as (err: null, addresses: dns.LookupAddress[] | string, family?: number) => void;
    const all = typeof options === 'object' && options !== null && (options as dns.LookupOptions).all === true;
    process.nextTick(() => (all ? done(null, answer) : done(null, answer[0]!.address, answer[0]!.family)));
  }) as unknown as typeof dns.lookup);
}

/** Answers a test and a save of one input; returns both responses. */
async function testAndSave(host: TestHost, input: ConfigInput): Promise<{ test: request.Response; save: request.Response }> {
  const test = await request(host.app).post(`${MOUNT}/config/test`).set(AS_ADMIN).send(input);
  const save = await request(host.app).put(`${MOUNT}/config`).set(AS_ADMIN).send(input);
  return { test, save };
}

/** URL × field cases (each tried on test and on save), for the README. */
export const SSRF_CASES = (REFUSED_BY_TEXT.length + REFUSED_BY_ADDRESS.length + Object.keys(PRIVATE_DNS).length + HTTP_ELSEWHERE.length + REDIRECTS.length) * 2;

describeEachDatabase('SSRF: provider URLs that point inside the network are refused', (db) => {
  describe('a host with the default network rules (https, public addresses only)', () => {
    let host: TestHost;
    beforeAll(async () => {
      // `network: {}` undoes the test default (loopback allowed): the production defaults apply.
      host = await createTestHost(db(), { network: {}, http: { retryBaseMs: 1, retryMaxMs: 5, timeoutMs: 1500, maxRetries: 1 } });
    });
    afterAll(() => host.oneroster.close());

    it.each(REFUSED_BY_TEXT.flatMap((url) => inputsWith(url).map((c) => ({ url, ...c }))))('$field = $url: 400 on test and on save', async ({ field, input }) => {
      const { test, save } = await testAndSave(host, input);
      for (const res of [test, save]) {
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      }
      expect((await request(host.app).get(`${MOUNT}/config`).set(AS_ADMIN)).body.configured).toBe(false);
    });

    it.each(REFUSED_BY_ADDRESS.flatMap((url) => inputsWith(url).map((c) => ({ url, ...c }))))('$field = $url: url_not_allowed on test, 422 on save', async ({ input }) => {
      const { test, save } = await testAndSave(host, input);
      expect(test.status).toBe(200);
      expect((test.body as TestResult).ok).toBe(false);
      expect((test.body as TestResult).error?.code).toBe('url_not_allowed');
      expect(save.status).toBe(422);
      expect(save.body.error.details.error.code).toBe('url_not_allowed');
      expect((await request(host.app).get(`${MOUNT}/config`).set(AS_ADMIN)).body.configured).toBe(false);
    });

    it.each(Object.entries(PRIVATE_DNS).map(([name, addresses]) => ({ name, refused: addresses.at(-1)!.address })))(
      'a DNS name resolving inside the network ($name → $refused) is refused when looked up, on test and save',
      async ({ name, refused }) => {
        const lookup = fakePrivateDns();
        try {
          for (const { input } of inputsWith(`https://${name}/ims/oneroster/v1p1`)) {
            const { test, save } = await testAndSave(host, input);
            expect((test.body as TestResult).error).toMatchObject({ code: 'url_not_allowed', message: expect.stringContaining(`resolves to ${refused}`) });
            expect(save.status).toBe(422);
            expect(save.body.error.details.error.code).toBe('url_not_allowed');
          }
          expect(lookup.mock.calls.map((call) => call[0])).toContain(name);
        } finally {
          lookup.mockRestore();
        }
        expect((await request(host.app).get(`${MOUNT}/config`).set(AS_ADMIN)).body.configured).toBe(false);
      },
    );
  });

  describe('a host that allows http to this machine only', () => {
    let host: TestHost;
    let internal: Server;
    let port = 0;
    const hits: string[] = [];

    beforeAll(async () => {
      host = await createTestHost(db(), { network: { allowHttp: 'loopback', allowLoopback: true }, http: { retryBaseMs: 1, retryMaxMs: 5, timeoutMs: 1500, maxRetries: 1 } });
      // A tiny server that redirects every provider request inside the network.
      internal = createServer((req, res) => {
        hits.push(req.url ?? '');
        if (req.url?.startsWith('/internal')) {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"orgs":[],"access_token":"x","token_type":"bearer"}');
          return;
        }
        const target = req.url?.includes('metadata') ? 'http://169.254.169.254/latest/meta-data/' : `http://127.0.0.1:${port}/internal/secrets`;
        res.writeHead(302, { Location: target }).end();
      });
      await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
      port = (internal.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => internal.close(resolve));
      await host.oneroster.close();
    });

    it.each(HTTP_ELSEWHERE)('http to a host that is not this machine (%s): 400', async (url) => {
      for (const { field, input } of inputsWith(url)) {
        const { test, save } = await testAndSave(host, input);
        for (const res of [test, save]) {
          expect(res.status).toBe(400);
          expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
        }
      }
    });

    it.each(REDIRECTS)('a 302 %s is not followed, on test and save', async (where) => {
      hits.length = 0;
      const inputs: ConfigInput[] = [
        { provider: 'oneroster', version: '1.1', auth: 'oauth1', baseUrl: `http://127.0.0.1:${port}/${where}/ims/oneroster/v1p1`, clientId: 'id', clientSecret: 'secret' },
        { provider: 'oneroster', version: '1.2', auth: 'oauth2', baseUrl: `http://127.0.0.1:${port}/internal/ims`, tokenUrl: `http://127.0.0.1:${port}/${where}/token`, clientId: 'id', clientSecret: 'secret' },
      ];
      for (const input of inputs) {
        const { test, save } = await testAndSave(host, input);
        expect((test.body as TestResult).ok).toBe(false);
        expect((test.body as TestResult).error).toMatchObject({ code: 'bad_response', message: expect.stringMatching(/redirect/i) });
        expect(save.status).toBe(422);
      }
      // The redirect was seen and refused: nothing asked for the address it pointed at.
      expect(hits.some((url) => url.startsWith(`/${where}`))).toBe(true);
      expect(hits.filter((url) => url.startsWith('/internal/secrets'))).toEqual([]);
      expect((await request(host.app).get(`${MOUNT}/config`).set(AS_ADMIN)).body.configured).toBe(false);
    });

    it('left the roster rules intact', async () => {
      await assertRosterInvariants(db().sequelize);
    });
  });
});
