/**
 * A seeded generator of hostile request bodies: wrong types, nulls, arrays, nested objects, numbers
 * at the edges, long and odd strings, prototype keys, unknown fields and malformed JSON. The same
 * seed always gives the same inputs, so a failure can be replayed.
 */

/** A deterministic random source (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One input: the raw text sent and the content type it is sent with. */
export interface FuzzInput {
  /** What kind of input it is, for the failure message. */
  kind: string;
  /** The body, exactly as sent. */
  body: string;
  /** The Content-Type header. */
  contentType: string;
}

/** Field names the module's endpoints know, so values land where validation must catch them. */
const KNOWN_FIELDS = [
  'provider', 'tenantId', 'version', 'auth', 'baseUrl', 'tokenUrl', 'clientId', 'clientSecret', 'confirmProviderSwitch',
  'mode', 'dryRun', 'studentImport', 'staffImport', 'dailyTime', 'timezone', 'fullSyncEvery', 'paused', 'deactivateMissing',
];

/** Values a URL field might be fed: none of them reaches anything on the network. */
const ODD_URLS = [
  'file:///etc/passwd', 'javascript:alert(1)', 'http://169.254.169.254/latest/meta-data/', 'https://10.0.0.1/ims', 'gopher://x',
  'http://127.0.0.1:1/ims/oneroster/v1p1', 'https://user:pass@127.0.0.1:1/', '//no-scheme', 'https://', 'https://[::1]:1/', 'ftp://example.org',
];

const ODD_STRINGS = [
  '', ' ', '\u0000', 'Zoë', '王小明', '\u202etxt.exe', '😀'.repeat(50), '<img src=x onerror=alert(1)>', "'; DROP TABLE students; --",
  '../../etc/passwd', '%00', '\ud800', 'true', '1', 'null', '{}', '[]', '02:00', '25:61', 'America/Chicago', 'Not/AZone',
  'classlink', 'infinitecampus', 'oneroster', '1.1', '1.2', 'oauth1', 'oauth2', 'full', 'delta', ...ODD_URLS,
];

const ODD_NUMBERS = [0, -0, 1, -1, 1.5, 7, 24, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 5e-324];

/** Malformed JSON texts. */
const MALFORMED = ['{', '}', '{"provider":}', "{'provider':'classlink'}", '{"a":1,}', '[1,2', 'undefined', 'NaN', '{"a":NaN}', '{"a":Infinity}', '{"a":"\\x41"}', '{"a" 1}', '""', 'nul', '{"a":01}', '{}{}'];

/** Content types that are not JSON, plus JSON with an encoding the parser does not read. */
const WRONG_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/html', 'application/octet-stream'];

/** Generates `count` inputs for one endpoint, every kind represented. */
export function generateInputs(seed: number, count: number, bodyLimitBytes: number): FuzzInput[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const json = (kind: string, value: unknown): FuzzInput => ({ kind, body: JSON.stringify(value), contentType: 'application/json' });

  function value(depth: number): unknown {
    const roll = random();
    if (roll < 0.12) return null;
    if (roll < 0.22) return random() < 0.5;
    if (roll < 0.4) return pick(ODD_NUMBERS);
    if (roll < 0.65) return pick(ODD_STRINGS);
    if (roll < 0.75) return 'x'.repeat(Math.floor(random() * 5000));
    if (depth >= 3) return pick(ODD_STRINGS);
    if (roll < 0.87) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return object(depth + 1);
  }

  function object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const fields = Math.floor(random() * 6);
    for (let i = 0; i < fields; i++) {
      const key = random() < 0.8 ? pick(KNOWN_FIELDS) : pick(['unknownField', 'x', '', ' ', 'provider ', 'PROVIDER', 'a.b', '$where', 'id']);
      out[key] = value(depth);
    }
    return out;
  }

  const makers: Array<() => FuzzInput> = [
    () => json('random object', object(0)),
    () => json('random object', object(0)),
    () => json('random object', object(0)),
    () => json('known field, wrong type', { [pick(KNOWN_FIELDS)]: value(2) }),
    () => json('top-level non-object', pick<unknown>([null, 0, 'text', true, [], [{}], [1, 2, 3], -1.5])),
    () => json('nested object', { provider: { provider: { provider: 'classlink' } }, mode: { $gt: '' } }),
    () => json('valid provider, odd fields', { provider: pick(['classlink', 'infinitecampus', 'oneroster']), version: pick(['1.1', '1.2', 1.1, null]), auth: pick(['oauth1', 'oauth2', 'saml']), baseUrl: pick(ODD_URLS), tokenUrl: pick(ODD_URLS), clientId: value(3), clientSecret: value(3), tenantId: value(3) }),
    () => ({ kind: 'prototype key', body: `{"${pick(['__proto__', 'constructor', 'prototype'])}": {"isAdmin": true, "polluted": 1}, "mode": "full"}`, contentType: 'application/json' }),
    () => ({ kind: 'nested prototype key', body: `{"provider": "classlink", "tenantId": {"__proto__": {"x": 1}}}`, contentType: 'application/json' }),
    () => ({ kind: 'malformed JSON', body: pick(MALFORMED), contentType: 'application/json' }),
    () => ({ kind: 'wrong content type', body: pick(['{}', 'provider=classlink&tenantId=2', '<xml/>', '']), contentType: pick(WRONG_TYPES) }),
    () => ({ kind: 'unsupported charset', body: '{}', contentType: `application/json; charset=${pick(['iso-8859-1', 'shift_jis', 'koi8-r'])}` }),
    () => json('huge string near the body limit', { provider: 'classlink', tenantId: 'a'.repeat(Math.floor(bodyLimitBytes * (0.5 + random() * 0.45))) }),
    () => json('deep nesting', JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) as unknown),
    () => json('many keys', Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]))),
  ];

  const inputs: FuzzInput[] = [];
  for (let i = 0; i < count; i++) inputs.push(makers[i % makers.length]!());
  return inputs;
}
