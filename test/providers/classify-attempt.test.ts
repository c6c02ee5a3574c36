import { classifyAttempt, type Attempt, type ClassifyContext, type Verdict } from '../../server/providers/classify-attempt';
import { ProviderError } from '../../server/providers/types';

const context: ClassifyContext = {
  what: 'the endpoint /users',
  target: new URL('https://sis.example.org/ims/oneroster/v1p1/users'),
  retries: 0,
  provider: 'oneroster',
  timeoutMs: 30_000,
  maxBodyBytes: 16 * 1024 * 1024,
  now: Date.parse('2026-01-01T00:00:00Z'),
};

function response(status: number, text = '', headers: Record<string, string> = {}): Attempt {
  return { kind: 'response', status, headers, bytes: Buffer.from(text) };
}

/** The parts of a failed verdict a retry loop acts on. */
function judged(verdict: Verdict) {
  if (verdict.ok) return { ok: true as const };
  return { code: verdict.error.code, retryable: verdict.retryable, retryAfterMs: verdict.retryAfterMs, throttled: verdict.throttled };
}

// The classifier alone decides what an answer means; the retry loop in http-client.ts only asks it.
describe('classifying one attempt at a provider request', () => {
  it('reads a 2xx JSON body, and an empty one as no body', () => {
    expect(classifyAttempt(response(200, '{"users":[]}'), context)).toEqual({ ok: true, body: { users: [] }, storable: true });
    expect(classifyAttempt(response(204), context)).toEqual({ ok: true, body: undefined, storable: true });
  });

  it('reads the body from its UTF-8 bytes, past a leading byte-order mark (as the text decoding did before)', () => {
    expect(classifyAttempt(response(200, '\uFEFF{"users":[{"givenName":"Zoë"}]}'), context)).toMatchObject({ ok: true, body: { users: [{ givenName: 'Zoë' }] } });
  });

  it('marks a body whose text could hold a NUL or a lone surrogate, so only such pages are cleaned', () => {
    const storable = (text: string) => (classifyAttempt(response(200, text), context) as { storable?: boolean }).storable;
    expect(storable('{"name":"Zoë 🎒 \\u0041"}')).toBe(true);
    expect(storable('{"name":"A\\u0000B"}')).toBe(false);
    expect(storable('{"name":"\\ud83d"}')).toBe(false);
    expect(storable('{"name":"\\uDC00"}')).toBe(false);
  });

  it('retries a 2xx whose JSON was cut off, but not a web page', () => {
    expect(judged(classifyAttempt(response(200, '{"users":[{"sourcedId":'), context))).toEqual({ code: 'bad_response', retryable: true, retryAfterMs: null, throttled: false });
    expect(judged(classifyAttempt(response(200, '<html>Sign in</html>', { 'content-type': 'text/html' }), context))).toEqual({ code: 'bad_response', retryable: false, retryAfterMs: null, throttled: false });
  });

  it('retries 429 and 5xx, takes the provider’s Retry-After, and marks 429 and 503 as throttling', () => {
    expect(judged(classifyAttempt(response(429, '', { 'retry-after': '7' }), context))).toEqual({ code: 'rate_limited', retryable: true, retryAfterMs: 7000, throttled: true });
    expect(judged(classifyAttempt(response(503, '', { 'retry-after': 'Thu, 01 Jan 2026 00:00:02 GMT' }), context))).toEqual({ code: 'server_error', retryable: true, retryAfterMs: 2000, throttled: true });
    expect(judged(classifyAttempt(response(500), context))).toEqual({ code: 'server_error', retryable: true, retryAfterMs: null, throttled: false });
  });

  it('never retries what another try cannot change: redirects, 401, 403, 404 and other 4xx', () => {
    for (const [status, code] of [[302, 'bad_response'], [401, 'unauthorized'], [403, 'forbidden'], [404, 'not_found'], [400, 'bad_response']] as const) {
      expect([status, judged(classifyAttempt(response(status), context))]).toEqual([status, { code, retryable: false, retryAfterMs: null, throttled: false }]);
    }
  });

  it('says how many retries a final failure came after, and what the provider said', () => {
    const verdict = classifyAttempt(response(500, '{"imsx_description":"database down"}'), { ...context, retries: 3 });
    expect(verdict.ok ? null : verdict.error.message).toBe('The provider failed (HTTP 500) after 3 retries. The provider said: "database down"');
  });

  it('keeps an OAuth 2.0 error answer on the error, for the token step', () => {
    const verdict = classifyAttempt(response(400, '{"error":"invalid_scope","error_description":"no such scope"}'), context);
    expect(verdict.ok ? null : verdict.error.oauth).toEqual({ error: 'invalid_scope', description: 'no such scope' });
  });

  it('retries timeouts and flaky networks, not a host that does not exist or a bad certificate', () => {
    const network = (code: string): Attempt => ({ kind: 'network', error: Object.assign(new Error(code), { code }) });
    expect(judged(classifyAttempt({ kind: 'timeout' }, context))).toMatchObject({ code: 'timeout', retryable: true });
    expect(judged(classifyAttempt(network('ECONNRESET'), context))).toMatchObject({ code: 'unreachable', retryable: true });
    expect(judged(classifyAttempt(network('ENOTFOUND'), context))).toMatchObject({ code: 'unreachable', retryable: false });
    expect(judged(classifyAttempt(network('CERT_HAS_EXPIRED'), context))).toMatchObject({ code: 'tls_error', retryable: false });
  });

  it('passes a failed authentication through as final', () => {
    const error = new ProviderError('unauthorized', 'The token URL refused the client ID and secret (HTTP 401).');
    expect(classifyAttempt({ kind: 'auth', error }, context)).toEqual({ ok: false, error, retryable: false, retryAfterMs: null, throttled: false });
  });
});
