/**
 * OAuth 1.0a, two-legged, HMAC-SHA256, as OneRoster 1.1 uses it (RFC 5849 §3.4). The signature
 * base string covers the method, the URL without its query, and every query parameter plus the
 * oauth_* parameters, each decoded then RFC 3986 re-encoded, sorted. The key is the encoded
 * secret followed by '&' (no token secret).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding (encodeURIComponent leaves !'()* alone). */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes a query component the way forms encode it ('+' is a space). Throws on bad escapes. */
function decodeComponent(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** Splits a raw query string into decoded pairs, keeping duplicates and order. */
export function decodeQuery(rawQuery: string): Array<[string, string]> {
  if (!rawQuery) return [];
  return rawQuery.split('&').filter(Boolean).map((pair) => {
    const equals = pair.indexOf('=');
    return equals < 0 ? [decodeComponent(pair), ''] : [decodeComponent(pair.slice(0, equals)), decodeComponent(pair.slice(equals + 1))];
  });
}

/** The signature base string for a request. `baseUrl` is scheme://host[:port]/path, no query. */
export function signatureBaseString(method: string, baseUrl: string, params: Array<[string, string]>): string {
  const normalized = params
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return [method.toUpperCase(), encodeRfc3986(baseUrl), encodeRfc3986(normalized)].join('&');
}

/** The HMAC-SHA256 signature, base64. */
export function hmacSha256Signature(baseString: string, consumerSecret: string): string {
  return createHmac('sha256', `${encodeRfc3986(consumerSecret)}&`).update(baseString).digest('base64');
}

/** Parses `Authorization: OAuth k="v", ...` into decoded parameters. */
export function parseOAuthHeader(header: string): Map<string, string> | undefined {
  const match = /^OAuth\s+(.*)$/i.exec(header.trim());
  if (!match) return undefined;
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const pair = /^\s*([^=\s]+)\s*=\s*"([^"]*)"\s*$/.exec(part);
    if (!pair) continue;
    try {
      params.set(decodeURIComponent(pair[1]), decodeURIComponent(pair[2]));
    } catch {
      return undefined;
    }
  }
  return params;
}

/** What the server knows about the request being checked. */
export interface OAuth1Request {
  method: string;
  /** scheme://host[:port]/path exactly as the client addressed it (raw path). */
  baseUrl: string;
  /** Raw query string without '?'. */
  rawQuery: string;
  authorization: string | undefined;
}

/** Outcome of a check; `reason` is for the error description (never includes secrets). */
export type OAuth1Result = { ok: true; consumerKey: string } | { ok: false; reason: string };

/** Verifies an OAuth1 request against the known consumers. */
export function verifyOAuth1(
  request: OAuth1Request,
  secretOf: (consumerKey: string) => string | undefined,
  windowSeconds: number,
  nowSeconds: number,
): OAuth1Result {
  let query: Array<[string, string]>;
  try {
    query = decodeQuery(request.rawQuery);
  } catch {
    return { ok: false, reason: 'malformed query string' };
  }
  // Parameters may come in the header or, as RFC 5849 allows, in the query string.
  const header = request.authorization ? parseOAuthHeader(request.authorization) : undefined;
  const oauth = header ?? new Map(query.filter(([name]) => name.startsWith('oauth_')));
  const signature = oauth.get('oauth_signature');
  const consumerKey = oauth.get('oauth_consumer_key');
  if (!signature || !consumerKey) return { ok: false, reason: 'missing OAuth 1.0a parameters' };
  if (oauth.get('oauth_signature_method') !== 'HMAC-SHA256') return { ok: false, reason: 'oauth_signature_method must be HMAC-SHA256' };
  const version = oauth.get('oauth_version');
  if (version !== undefined && version !== '1.0') return { ok: false, reason: 'oauth_version must be 1.0' };
  if (!oauth.get('oauth_nonce')) return { ok: false, reason: 'missing oauth_nonce' };
  const timestamp = Number(oauth.get('oauth_timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > windowSeconds) {
    return { ok: false, reason: 'oauth_timestamp is missing or outside the allowed window' };
  }
  const secret = secretOf(consumerKey);
  if (secret === undefined) return { ok: false, reason: 'unknown consumer key' };

  const params: Array<[string, string]> = header
    ? [...query, ...[...header].filter(([name]) => name !== 'oauth_signature' && name !== 'realm')]
    : query.filter(([name]) => name !== 'oauth_signature');
  const expected = hmacSha256Signature(signatureBaseString(request.method, request.baseUrl, params), secret);
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, consumerKey };
}

/**
 * Signs a GET for the CLI's ready-to-paste curl (tests use their own independent signer).
 * Returns the Authorization header value.
 */
export function signOAuth1(url: string, consumerKey: string, consumerSecret: string, nowSeconds: number, nonce: string): string {
  const [base, rawQuery = ''] = url.split('?');
  const oauth: Array<[string, string]> = [
    ['oauth_consumer_key', consumerKey],
    ['oauth_nonce', nonce],
    ['oauth_signature_method', 'HMAC-SHA256'],
    ['oauth_timestamp', String(nowSeconds)],
    ['oauth_version', '1.0'],
  ];
  const signature = hmacSha256Signature(signatureBaseString('GET', base, [...decodeQuery(rawQuery), ...oauth]), consumerSecret);
  return 'OAuth ' + [...oauth, ['oauth_signature', signature]].map(([k, v]) => `${k}="${encodeRfc3986(v)}"`).join(', ');
}
