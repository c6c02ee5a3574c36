import type { ResolvedOptions } from '../options';
import { createClassLinkBearerAuth, fetchRosterServerCredentials, findClassLinkTenant, proxyDataRoot, type ClassLinkTenant, type ClassLinkVendor } from './auth/classlink';
import { createOAuth1Auth } from './auth/oauth1';
import { createOAuth2Auth, rosterScope, type OAuth2Auth } from './auth/oauth2';
import { hintsFor } from './hints';
import { createHttpClient, type HttpClient, type HttpRequest, type HttpResponse, type RequestAuth } from './http-client';
import { resourceUrl, type QueryParam } from './query';
import { ProviderError, type ProviderDeps, type ProviderSettings } from './types';

/**
 * How one configured provider is reached: the steps a connection test shows (find the tenant,
 * authenticate) and the one primitive pulls use (GET a resource below the OneRoster root).
 */
export interface ProviderSession {
  /** The settings it was opened with. */
  readonly settings: ProviderSettings;
  /** ClassLink: finds the district (cached). Other providers: null. */
  resolveTenant(): Promise<ClassLinkTenant | null>;
  /** OAuth 2.0: fetches a token now and says so. OAuth 1.0a and ClassLink have nothing to fetch: false. */
  fetchToken(): Promise<boolean>;
  /** GETs `path` below the OneRoster root with these query parameters; throws a classified `ProviderError`. */
  get(path: string, params: readonly QueryParam[], options?: SessionGetOptions): Promise<HttpResponse>;
}

/** How one GET is watched. */
export type SessionGetOptions = Pick<HttpRequest, 'signal' | 'onRefused'>;

/** Opens a session; `http` overrides the module's HTTP options (the connection test retries less). */
export function createSession(settings: ProviderSettings, deps: ProviderDeps, http: Partial<ResolvedOptions['http']> = {}): ProviderSession {
  const client = createHttpClient({
    http: { ...deps.options.http, ...http },
    network: deps.options.network,
    logger: deps.logger,
    provider: settings.provider,
  });
  return settings.provider === 'classlink' ? classLinkSession(settings, deps, client) : directSession(settings, deps, client);
}

/** Infinite Campus and generic providers: the configured root with OAuth 1.0a or OAuth 2.0. */
function directSession(settings: ProviderSettings, deps: ProviderDeps, client: HttpClient): ProviderSession {
  const baseUrl = required(settings.baseUrl, 'baseUrl');
  const clientId = required(settings.clientId, 'clientId');
  const clientSecret = required(settings.clientSecret, 'clientSecret');
  const oauth2: OAuth2Auth | null =
    settings.provider === 'infinitecampus' || settings.auth === 'oauth2'
      ? createOAuth2Auth(
          { tokenUrl: required(settings.tokenUrl, 'tokenUrl'), clientId, clientSecret, scope: rosterScope(settings.version) },
          client,
          deps.clock,
        )
      : null;
  const auth: RequestAuth = oauth2 ?? createOAuth1Auth({ clientId, clientSecret });
  return {
    settings,
    resolveTenant: async () => null,
    async fetchToken() {
      if (!oauth2) return false;
      await oauth2.token();
      return true;
    },
    get: (path, params, options = {}) => client.send({ method: 'GET', url: resourceUrl(baseUrl, path, params), auth, ...options }),
  };
}

/**
 * ClassLink: the vendor key finds the district's bearer, and data goes through the proxy. When the
 * proxy's data path fails for a reason other than credentials, the district's direct Roster Server
 * credentials (OAuth 1.0a) take over for the rest of the session.
 */
function classLinkSession(settings: ProviderSettings, deps: ProviderDeps, client: HttpClient): ProviderSession {
  const tenantId = required(settings.tenantId, 'tenantId');
  const apiKey = deps.options.classlink.apiKey;
  const vendor: ClassLinkVendor | null = apiKey ? { apiKey, proxyUrl: deps.options.classlink.proxyUrl } : null;
  let bearer: (RequestAuth & { current(): ClassLinkTenant }) | null = null;
  let direct: Promise<{ root: string; auth: RequestAuth }> | null = null;
  let useDirect = false;

  function requireVendor(): ClassLinkVendor {
    if (!vendor) {
      throw new ProviderError('missing_api_key', 'ClassLink cannot be used: this installation has no ClassLink API key.', {
        hints: hintsFor('missing_api_key'),
      });
    }
    return vendor;
  }

  async function tenant(): Promise<ClassLinkTenant> {
    if (bearer) return bearer.current();
    const found = await findClassLinkTenant(client, requireVendor(), tenantId);
    bearer ??= createClassLinkBearerAuth(found, () => findClassLinkTenant(client, requireVendor(), tenantId));
    return bearer.current();
  }

  function directRoute(found: ClassLinkTenant): Promise<{ root: string; auth: RequestAuth }> {
    direct ??= fetchRosterServerCredentials(client, requireVendor(), found).then((credentials) => ({
      root: credentials.endpointUrl,
      auth: createOAuth1Auth(credentials),
    }));
    // A failed lookup may work next time.
    direct.catch(() => {
      direct = null;
    });
    return direct;
  }

  return {
    settings,
    resolveTenant: tenant,
    fetchToken: async () => false,
    async get(path, params, options = {}) {
      const found = await tenant();
      if (!useDirect) {
        try {
          return await client.send({ method: 'GET', url: resourceUrl(proxyDataRoot(vendor!, found), path, params), auth: bearer!, ...options });
        } catch (err) {
          if (!worthDirectFallback(err)) throw err;
          let route;
          try {
            route = await directRoute(found);
          } catch {
            throw err;
          }
          deps.logger.warn('ClassLink proxy failed; using the direct Roster Server', { code: (err as ProviderError).code });
          useDirect = true;
          return client.send({ method: 'GET', url: resourceUrl(route.root, path, params), auth: route.auth, ...options });
        }
      }
      const route = await directRoute(found);
      return client.send({ method: 'GET', url: resourceUrl(route.root, path, params), auth: route.auth, ...options });
    },
  };
}

/**
 * Proxy failures the direct Roster Server may not share: the proxy down, slow, unreachable or
 * garbling answers. Refusals (401/403/404/400, 429) and cancellations are the answer, not the route.
 */
function worthDirectFallback(err: unknown): boolean {
  if (!(err instanceof ProviderError)) return false;
  if (err.code === 'server_error' || err.code === 'unreachable' || err.code === 'timeout' || err.code === 'tls_error') return true;
  return err.code === 'bad_response' && (err.status === undefined || err.status < 300);
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new TypeError(`provider settings: ${name} is required`);
  return value;
}
