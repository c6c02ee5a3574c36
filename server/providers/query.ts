/** A query parameter, in the order it is sent. */
export type QueryParam = [name: string, value: string];

/** RFC 3986 percent-encoding (what OAuth 1.0a signs): only `A-Z a-z 0-9 - . _ ~` stay as they are. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Encodes query parameters the one way every request sends (and OAuth 1.0a signs) them. */
export function encodeQuery(params: readonly QueryParam[]): string {
  return params.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
}

/**
 * The URL of a resource below a OneRoster root taken as an opaque string: the path is appended to
 * the root's path (already encoded parts, such as ClassLink's application id, are kept verbatim),
 * a query the root already has is kept, and the scheme and host are normalized (lower case, no
 * default port) so what is signed is what the server sees.
 */
export function resourceUrl(root: string, path: string, params: readonly QueryParam[] = []): string {
  const queryStart = root.indexOf('?');
  const base = queryStart === -1 ? root : root.slice(0, queryStart);
  const existing = queryStart === -1 ? '' : root.slice(queryStart + 1);
  const url = normalizeOrigin(base.replace(/\/+$/, '') + path);
  const query = [existing, encodeQuery(params)].filter(Boolean).join('&');
  return query ? `${url}?${query}` : url;
}

/** Lower-cases the scheme and host and drops a default port, leaving the path untouched. */
function normalizeOrigin(url: string): string {
  const parsed = new URL(url);
  const authorityEnd = url.indexOf('/', url.indexOf('//') + 2);
  const rest = authorityEnd === -1 ? '' : url.slice(authorityEnd);
  return `${parsed.protocol}//${parsed.host}${rest}`;
}
