import { addressProblem, assertUrlAllowed, urlProblem } from '../../server/providers/url-safety';
import { retryAfterMs } from '../../server/providers/classify-attempt';
import { backoffMs } from '../../server/providers/http-client';
import { resourceUrl } from '../../server/providers/query';

const strict = { allowHttp: 'never', allowLoopback: false, allowPrivate: false } as const;
const local = { allowHttp: 'loopback', allowLoopback: true, allowPrivate: false } as const;

describe('provider URL rules', () => {
  it('requires https unless http is allowed, and then only where allowed', () => {
    expect(urlProblem('https://sis.example.org/ims/oneroster/v1p1', strict)).toBeNull();
    expect(urlProblem('http://sis.example.org/ims', strict)).toMatch(/https/);
    expect(urlProblem('http://sis.example.org/ims', local)).toMatch(/https/);
    expect(urlProblem('http://127.0.0.1:8080/ims', local)).toBeNull();
    expect(urlProblem('http://localhost:8080/ims', local)).toBeNull();
    expect(urlProblem('http://sis.example.org/ims', { ...strict, allowHttp: 'always' })).toBeNull();
  });

  it('refuses other schemes and URLs with credentials', () => {
    expect(urlProblem('file:///etc/passwd', local)).toMatch(/https/);
    expect(urlProblem('ftp://example.org/x', local)).toMatch(/https/);
    expect(urlProblem('https://user:pw@example.org/x', local)).toMatch(/user name/);
    expect(urlProblem('not a url', local)).toMatch(/valid URL/);
  });

  it('refuses loopback, private, link-local and unique-local addresses unless allowed', () => {
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', 'fd00::1', 'fe80::1', '0.0.0.0', '::ffff:10.0.0.1']) {
      expect(addressProblem(address, strict)).not.toBeNull();
    }
    expect(addressProblem('93.184.216.34', strict)).toBeNull();
    expect(addressProblem('2606:4700::1111', strict)).toBeNull();
    expect(addressProblem('127.0.0.1', local)).toBeNull();
    expect(addressProblem('10.1.2.3', { ...strict, allowPrivate: true })).toBeNull();
    expect(() => assertUrlAllowed('https://169.254.169.254/latest/meta-data', strict)).toThrow(expect.objectContaining({ code: 'url_not_allowed' }));
    expect(() => assertUrlAllowed('https://[::1]/x', strict)).toThrow(expect.objectContaining({ code: 'url_not_allowed' }));
  });
});

describe('backoff', () => {
  const http = { timeoutMs: 1000, maxRetries: 5, retryBaseMs: 100, retryMaxMs: 1000, pageSize: 10, maxPages: 10, concurrency: 1 };
  it('uses full jitter under a doubling, capped ceiling', () => {
    expect(backoffMs(0, null, http, () => 0.999)).toBe(99);
    expect(backoffMs(3, null, http, () => 0.5)).toBe(400);
    expect(backoffMs(10, null, http, () => 0.999)).toBe(999);
    expect(backoffMs(2, null, http, () => 0)).toBe(0);
  });
  it('honours Retry-After (seconds or a date), capped', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(backoffMs(0, 500, http, () => 0)).toBe(500);
    expect(backoffMs(0, 60_000, http, () => 0)).toBe(1000);
  });
});

describe('resource URLs', () => {
  it('appends to an opaque root, keeps an already-encoded path and an existing query, and encodes RFC 3986', () => {
    expect(resourceUrl('https://Proxy.Example:443/or%2FAbc%3D/ims/oneroster/v1p1/', '/users', [['filter', "dateLastModified>'2026-01-01T00:00:00Z'"]])).toBe(
      'https://proxy.example/or%2FAbc%3D/ims/oneroster/v1p1/users?filter=dateLastModified%3E%272026-01-01T00%3A00%3A00Z%27',
    );
    expect(resourceUrl('https://h/campus/token?appName=x', '', [['a', 'b c']])).toBe('https://h/campus/token?appName=x&a=b%20c');
  });
});
