/**
 * Who may read what: the OAuth1 consumers, the OAuth2 clients and their tokens, and the
 * ClassLink vendor key and tenants. Credentials derive from the seed, so a restarted CLI sandbox
 * keeps working with settings a host app saved.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Dialect } from './dialects';
import { hash3, seededHex } from './hash';
import { PLACE_NAMES } from './names';
import { verifyOAuth1 } from './oauth1';

/** An OAuth2 client-credentials client and the roots its tokens open. */
export interface OAuth2Client {
  clientId: string;
  clientSecret: string;
  dialects: Dialect[];
}

/** A district that approved the vendor's app in ClassLink. */
export interface ClassLinkTenant {
  tenantId: number;
  tenantName: string;
  enabled: boolean;
  /** Per-district token for the proxy. */
  bearer: string;
  /** Already percent-encoded (holds %2F and %3D): used verbatim in paths. */
  applicationId: string;
  /** Direct OAuth1 credentials to the 1.1 root (`/applications/{id}/server`). */
  directKey: string;
  directSecret: string;
}

/** An issued OAuth2 token. */
export interface IssuedToken {
  clientId: string;
  expiresAt: number;
  /** Data requests made with it (the token-expires-mid-pull fault counts these). */
  uses: number;
  /** Set when a fault or `expireTokens()` killed it early. */
  revoked: boolean;
}

/** Result of checking a data request's credentials. */
export type AuthResult =
  | { ok: true; token?: IssuedToken }
  | { ok: false; status: 401 | 403; description: string; challenge: string };

/** What a token request is answered with. */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Per-sandbox credentials and tokens. */
export class SandboxAuth {
  /** OAuth1 consumer for the plain 1.1 root. */
  readonly oauth1 = { key: '', secret: '' };
  /** OAuth2 clients by id. */
  readonly clients = new Map<string, OAuth2Client>();
  /** ClassLink vendor API key. */
  readonly vendorApiKey: string;
  /** ClassLink tenants; the second one is disabled. */
  readonly tenants: ClassLinkTenant[] = [];
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(seed: number, private readonly tokenTtlSeconds: number, private readonly oauth1WindowSeconds: number) {
    const tag = seed < 0 ? `m${-seed}` : String(seed);
    this.oauth1.key = `sandbox-or11-${tag}`;
    this.oauth1.secret = seededHex(seed, 11, 32);
    const client = (name: string, salt: number, dialects: Dialect[]): OAuth2Client => ({ clientId: `sandbox-${name}-${tag}`, clientSecret: seededHex(seed, salt, 32), dialects });
    for (const c of [client('or12', 12, ['v1p2']), client('or11-oauth2', 13, ['v1p1']), client('ic', 14, ['ic-v1p1', 'ic-v1p2']), client('edfi', 15, ['edfi'])]) {
      this.clients.set(c.clientId, c);
    }
    this.vendorApiKey = seededHex(seed, 40, 40);
    const firstTenantId = 2000 + (hash3(seed, 0, 41) % 7000);
    for (let i = 0; i < 4; i++) {
      const tenantId = firstTenantId + i * 7;
      const raw = `or/${Buffer.from(seededHex(seed, 50 + i, 32), 'hex').toString('base64')}`;
      this.tenants.push({
        tenantId,
        tenantName: `${PLACE_NAMES[hash3(seed, i, 42) % PLACE_NAMES.length]} Public Schools`,
        enabled: i !== 1,
        bearer: seededHex(seed, 60 + i, 40),
        applicationId: encodeURIComponent(raw),
        directKey: `classlink-${tenantId}`,
        directSecret: seededHex(seed, 70 + i, 32),
      });
    }
  }

  /** The OAuth2 client allowed on a dialect's root (for building credentials). */
  clientFor(dialect: Dialect): OAuth2Client {
    return [...this.clients.values()].find((c) => c.dialects.includes(dialect))!;
  }

  /** Answers `POST token` (client credentials, client auth by HTTP Basic or form fields). */
  issueToken(authorization: string | undefined, form: URLSearchParams, refused: boolean): TokenAnswer {
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' } };
    }
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // RFC 6749 §2.3.1: id and secret are form-encoded before base64; be lenient if they were not.
      clientId = safeDecode(decoded.slice(0, colon));
      clientSecret = safeDecode(decoded.slice(colon + 1));
    }
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (refused || !client || clientSecret === undefined || !sameSecret(clientSecret, client.clientSecret)) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: refused ? 'client access was revoked' : 'unknown client or wrong secret' },
        headers: { 'WWW-Authenticate': 'Basic realm="sandbox"' },
      };
    }
    this.pruneTokens();
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, { clientId: client.clientId, expiresAt: Date.now() + this.tokenTtlSeconds * 1000, uses: 0, revoked: false });
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: this.tokenTtlSeconds, scope: form.get('scope') ?? '' },
      headers: { 'Cache-Control': 'no-store' },
    };
  }

  /** Ends every issued token now (what a provider restart or key rotation looks like). */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** Checks the credentials of a request to a OneRoster root. */
  authorize(dialect: Dialect, request: { method: string; baseUrl: string; rawQuery: string; authorization?: string }, applicationId?: string): AuthResult {
    const authorization = request.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const bearerChallenge = (error: string): string => `Bearer realm="sandbox", error="${error}"`;

    if (dialect === 'classlink') {
      const tenant = this.tenants.find((t) => t.applicationId === applicationId);
      if (!tenant || !bearer || !sameSecret(bearer, tenant.bearer)) {
        return { ok: false, status: 401, description: 'invalid bearer for this application', challenge: bearerChallenge('invalid_token') };
      }
      if (!tenant.enabled) return { ok: false, status: 403, description: 'the district has disabled this application', challenge: bearerChallenge('insufficient_scope') };
      return { ok: true };
    }

    if (bearer) {
      const token = this.tokens.get(bearer);
      if (!token || token.revoked || token.expiresAt <= Date.now()) {
        return { ok: false, status: 401, description: 'access token is invalid or expired', challenge: bearerChallenge('invalid_token') };
      }
      if (!this.clients.get(token.clientId)?.dialects.includes(dialect)) {
        return { ok: false, status: 401, description: 'access token was not issued for this endpoint', challenge: bearerChallenge('invalid_token') };
      }
      token.uses++;
      return { ok: true, token };
    }

    if (dialect === 'v1p1') {
      const result = verifyOAuth1(
        { ...request, authorization: request.authorization },
        (key) => this.oauth1SecretOf(key),
        this.oauth1WindowSeconds,
        Math.floor(Date.now() / 1000),
      );
      if (result.ok) return { ok: true };
      return { ok: false, status: 401, description: `OAuth 1.0a: ${result.reason}`, challenge: 'OAuth realm="sandbox"' };
    }
    return { ok: false, status: 401, description: 'missing bearer token', challenge: bearerChallenge('invalid_request') };
  }

  /** Checks the ClassLink vendor key of an `/applications` request. */
  isVendor(authorization: string | undefined): boolean {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    return bearer !== undefined && sameSecret(bearer, this.vendorApiKey);
  }

  private oauth1SecretOf(key: string): string | undefined {
    if (key === this.oauth1.key) return this.oauth1.secret;
    const tenant = this.tenants.find((t) => t.directKey === key && t.enabled);
    return tenant?.directSecret;
  }

  private pruneTokens(): void {
    const now = Date.now();
    for (const [token, issued] of this.tokens) if (issued.expiresAt <= now || issued.revoked) this.tokens.delete(token);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Constant-time string comparison (a sandbox, but clients copy what they see). */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
