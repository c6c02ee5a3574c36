import type { Clock } from '../../options';
import type { OneRosterVersion } from '../../domain/contract';
import type { HttpClient, RequestAuth } from '../http-client';
import { encodeQuery, percentEncode } from '../query';
import { ProviderError } from '../types';
import { hintsFor, TOKEN_URL_HINTS } from '../hints';

/*
 * Why our own client-credentials client rather than a library (simple-oauth2, openid-client): the
 * token request must go through the provider HttpClient, whose SSRF check runs when the host name
 * is resolved (a DNS answer pointing at a private address is refused at connect time), and whose
 * error classification and hints the admin sees. A library brings its own transport and would
 * check, at best, the URL's text.
 */

/** OAuth 2.0 client-credentials settings. */
export interface OAuth2Settings {
  /** Token endpoint, as the provider gave it (its query, e.g. `?appName=`, is kept). */
  tokenUrl: string;
  /** Client ID. */
  clientId: string;
  /** Client secret. */
  clientSecret: string;
  /** Scope asked for. */
  scope: string;
}

/** The read-only rostering scope of each OneRoster version. */
export function rosterScope(version: OneRosterVersion): string {
  return version === '1.2'
    ? 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly'
    : 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly';
}

/** A bearer for requests, plus the explicit token fetch the connection test shows as a step. */
export interface OAuth2Auth extends RequestAuth {
  /** Gets a token now (cached while fresh). */
  token(): Promise<string>;
}

/**
 * OAuth 2.0 client credentials: HTTP Basic client authentication first, client ID and secret in the
 * form body when Basic is refused (some providers only take that). The token is cached and fetched
 * again shortly before it expires; a 401 on data renews it once.
 */
export function createOAuth2Auth(settings: OAuth2Settings, http: HttpClient, clock: Clock): OAuth2Auth {
  let cached: { value: string; refreshAt: number | null } | null = null;
  /** Whether a token of these credentials has been accepted for data. */
  let worked = false;
  let pending: Promise<string> | null = null;
  let useBody = false;

  async function fetchToken(): Promise<string> {
    if (!useBody) {
      try {
        return await requestToken(false);
      } catch (err) {
        if (!(err instanceof ProviderError) || (err.status !== 400 && err.status !== 401)) throw err;
        useBody = true;
        try {
          return await requestToken(true);
        } catch (bodyErr) {
          // Neither way worked: keep trying Basic next time, and report the refusal.
          useBody = false;
          throw bodyErr;
        }
      }
    }
    return requestToken(true);
  }

  async function requestToken(inBody: boolean): Promise<string> {
    const form: Array<[string, string]> = [
      ['grant_type', 'client_credentials'],
      ['scope', settings.scope],
    ];
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (inBody) {
      form.push(['client_id', settings.clientId], ['client_secret', settings.clientSecret]);
    } else {
      // RFC 6749 §2.3.1: the id and secret are form-encoded before base64.
      const pair = `${percentEncode(settings.clientId)}:${percentEncode(settings.clientSecret)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    let response;
    try {
      response = await http.send({ method: 'POST', url: settings.tokenUrl, headers, body: encodeQuery(form), what: 'the token URL' });
    } catch (err) {
      throw err instanceof ProviderError ? tokenFailure(err, settings.scope) : err;
    }
    const body = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (!body || typeof body.access_token !== 'string' || body.access_token === '') {
      throw new ProviderError('bad_response', 'The token URL answered without an access token.', { hints: hintsFor('bad_response') });
    }
    const lifetime = Number(body.expires_in);
    const now = clock.now().getTime();
    // Refresh a little early (a tenth of the lifetime, at most a minute) so a page never meets an expired token.
    const refreshAt = Number.isFinite(lifetime) && lifetime > 0 ? now + lifetime * 1000 - Math.min(60_000, lifetime * 100) : null;
    cached = { value: body.access_token, refreshAt };
    return body.access_token;
  }

  async function token(): Promise<string> {
    if (cached && (cached.refreshAt === null || clock.now().getTime() < cached.refreshAt)) return cached.value;
    // One fetch at a time even when several requests need a token together.
    pending ??= fetchToken().finally(() => {
      pending = null;
    });
    return pending;
  }

  return {
    token,
    async headers() {
      return { Authorization: `Bearer ${await token()}` };
    },
    accepted() {
      worked = true;
    },
    refusal(sent) {
      if (!cached || sent.Authorization !== `Bearer ${cached.value}`) return 'stale';
      return worked ? 'expired' : 'refused';
    },
    async renew() {
      cached = null;
      await token();
      return true;
    },
  };
}

/** RFC 6749 errors that mean the client ID or secret (or the client's grant) is wrong. */
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant']);

/**
 * A token endpoint's refusal in the admin's terms: the provider's RFC 6749 `error` and
 * `error_description`, and a hint that fits it (a missing scope is not a bad secret). A redirect
 * or a 404 there points at the Token URL field, not at the OneRoster base URL.
 */
export function tokenFailure(err: ProviderError, scope: string): ProviderError {
  const status = err.status;
  // RFC 6749 §5.2 errors come with 400 or 401; a 429 or 5xx body is no refusal of the request.
  const oauth = status === 400 || status === 401 ? err.oauth : undefined;
  const said = oauth ? ` (${oauth.error}${oauth.description ? `: "${oauth.description}"` : ''})` : '';
  const options = { status, oauth };
  if (oauth?.error === 'invalid_scope') {
    return new ProviderError('scope_refused', `The token URL refused the scope ${scope}${said}.`, {
      ...options,
      hints: [`These credentials are not granted the scope ${scope}: ask the provider to add it to the client`, ...hintsFor('scope_refused')],
    });
  }
  if ((oauth && CREDENTIAL_ERRORS.has(oauth.error)) || (!oauth && (status === 400 || status === 401))) {
    return new ProviderError('unauthorized', `The token URL refused the client ID and secret (HTTP ${status})${said}.`, {
      ...options,
      hints: ['Check the client ID and client secret', ...hintsFor('unauthorized')],
    });
  }
  if (status !== undefined && status >= 300 && status < 400) {
    return new ProviderError('bad_response', `The token URL answered with a redirect (HTTP ${status}).`, { ...options, hints: TOKEN_URL_HINTS });
  }
  if (status === 404) {
    return new ProviderError('not_found', 'The token URL was not found (HTTP 404).', { ...options, hints: TOKEN_URL_HINTS });
  }
  if (oauth) {
    return new ProviderError('bad_response', `The token URL refused the request (HTTP ${status})${said}.`, { ...options, hints: TOKEN_URL_HINTS });
  }
  return err;
}
