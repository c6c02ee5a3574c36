/**
 * The sandbox OneRoster provider: a real HTTP server on 127.0.0.1 that serves a synthetic
 * district over OneRoster 1.1 and 1.2 (OAuth1, OAuth2, an Infinite Campus shape and a ClassLink
 * proxy imitation), with switchable faults. Used by the example host app, the test suites and
 * the benchmark. See README.md.
 */
import { SandboxAuth } from './auth';
import { SandboxDistrict } from './district';
import { SandboxFaults } from './faults';
import { EdfiUsers } from './edfi';
import { Listings } from './listing';
import { ResolvedSandboxOptions, SandboxOptions, resolveSandboxOptions } from './options';
import { CLASSLINK_ROOT_SUFFIX, IC_TOKEN_PATH, ROOT_PATHS, SandboxState, TOKEN_PATH, createSandboxServer } from './server';
import { UserIndex } from './user-index';

export { SandboxDistrict } from './district';
export type { SandboxAddOptions, SandboxPeopleOptions } from './district';
export { SandboxFaults, parseFaultSpec } from './faults';
export type { FaultScope, SandboxFault, SandboxFaultKind } from './faults';
export type { SandboxOptions } from './options';
export type {
  SandboxCounts, SandboxOrg, SandboxOrgInput, SandboxPerson, SandboxPersonInput, SandboxRole, SandboxStatus, SandboxVersion,
} from './types';
export { toRole11 } from './dialects';
export { HTML_NAME } from './generate';
export { signOAuth1 } from './oauth1';

/** OAuth1 HMAC-SHA256 access to the OneRoster 1.1 root. */
export interface SandboxOAuth1Credentials {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

/** OAuth2 client-credentials access to one root. */
export interface SandboxOAuth2Credentials {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** Infinite Campus-shaped access: one client for both the 1.2 and the 1.1 roots. */
export interface SandboxInfiniteCampusCredentials extends SandboxOAuth2Credentials {
  /** The 1.1 root under the Campus prefix. */
  baseUrl11: string;
}

/** The ClassLink proxy imitation. */
export interface SandboxClassLinkCredentials {
  /** Proxy base: `{proxyUrl}/applications`, `{proxyUrl}/{oneroster_application_id}/ims/oneroster/v1p1`. */
  proxyUrl: string;
  /** The vendor API key (`Authorization: Bearer`). */
  apiKey: string;
  /** An enabled tenant, as a string (the proxy sends it as a number). */
  tenantId: string;
  /** A tenant the district disabled: its bearer gets 403. */
  disabledTenantId: string;
  /** Further enabled tenants. */
  otherTenantIds: string[];
  /** Every tenant as `/applications` lists it (a shortcut for tests and the CLI). */
  tenants: SandboxClassLinkTenant[];
}

/** One ClassLink tenant. */
export interface SandboxClassLinkTenant {
  tenantId: string;
  enabled: boolean;
  /** Per-district bearer for the proxy. */
  bearer: string;
  /** Already percent-encoded: use verbatim. */
  onerosterApplicationId: string;
}

/** Every way into the sandbox. */
export interface SandboxCredentials {
  /** OAuth1 HMAC-SHA256, OneRoster 1.1. */
  oneroster11: SandboxOAuth1Credentials;
  /** OAuth2 client credentials, OneRoster 1.2. */
  oneroster12: SandboxOAuth2Credentials;
  /** OAuth2 client credentials on the 1.1 root. */
  oneroster11oauth2: SandboxOAuth2Credentials;
  /** Infinite Campus shapes: `{url}/campus/oauth2/token?appName=sandbox` and `{url}/campus/api/oneroster/v1p2/sandbox/...`. */
  infinitecampus: SandboxInfiniteCampusCredentials;
  /** ClassLink proxy imitation. */
  classlink: SandboxClassLinkCredentials;
  /** Ed-Fi's OneRoster 1.2 API (per-enrolment records, descriptor grades, no counts, 500 cap): OAuth2 on `{url}/edfi/...`. */
  edfi: SandboxOAuth2Credentials;
}

/** A running sandbox. */
export interface Sandbox {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Credentials for each protocol. */
  credentials: SandboxCredentials;
  /** Read and change the data while it runs. */
  district: SandboxDistrict;
  /** Switch misbehaviour on and off. */
  faults: SandboxFaults;
  /** Requests received and responses completed per status since start or `resetStats`. */
  stats(): { requests: number; byStatus: Record<number, number> };
  /** Zeroes the stats. */
  resetStats(): void;
  /** Ends every OAuth2 token issued so far (the next data request with one gets 401). */
  expireTokens(): void;
  /** The options in effect, defaults filled. */
  options: ResolvedSandboxOptions;
  /** Stops listening and drops open connections (including hung ones). */
  close(): Promise<void>;
}

/** Starts a sandbox provider on 127.0.0.1. */
export async function startSandbox(options?: SandboxOptions): Promise<Sandbox> {
  const resolved = resolveSandboxOptions(options);
  const district = new SandboxDistrict(resolved);
  const auth = new SandboxAuth(resolved.seed, resolved.tokenTtlSeconds, resolved.oauth1WindowSeconds);
  const state: SandboxState = {
    options: resolved,
    district,
    faults: new SandboxFaults(),
    auth,
    listings: new Listings(district, new UserIndex(district), resolved.maxPageSize),
    edfi: new EdfiUsers(district),
    stats: { requests: 0, byStatus: {} },
    url: '',
  };
  const server = createSandboxServer(state);
  // Keep-alive sockets must not hold close() up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox: no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  state.url = url;

  const oauth2 = (dialect: 'v1p1' | 'v1p2' | 'edfi'): SandboxOAuth2Credentials => {
    const client = auth.clientFor(dialect);
    return { baseUrl: `${url}${ROOT_PATHS[dialect]}`, tokenUrl: `${url}${TOKEN_PATH}`, clientId: client.clientId, clientSecret: client.clientSecret };
  };
  const ic = auth.clientFor('ic-v1p2');
  const [firstTenant, disabledTenant, ...otherTenants] = auth.tenants;
  const credentials: SandboxCredentials = {
    oneroster11: { baseUrl: `${url}${ROOT_PATHS.v1p1}`, clientId: auth.oauth1.key, clientSecret: auth.oauth1.secret },
    oneroster12: oauth2('v1p2'),
    oneroster11oauth2: oauth2('v1p1'),
    edfi: oauth2('edfi'),
    infinitecampus: {
      baseUrl: `${url}${ROOT_PATHS['ic-v1p2']}`,
      baseUrl11: `${url}${ROOT_PATHS['ic-v1p1']}`,
      tokenUrl: `${url}${IC_TOKEN_PATH}?appName=sandbox`,
      clientId: ic.clientId,
      clientSecret: ic.clientSecret,
    },
    classlink: {
      proxyUrl: url,
      apiKey: auth.vendorApiKey,
      tenantId: String(firstTenant.tenantId),
      disabledTenantId: String(disabledTenant.tenantId),
      otherTenantIds: otherTenants.map((t) => String(t.tenantId)),
      tenants: auth.tenants.map((t) => ({ tenantId: String(t.tenantId), enabled: t.enabled, bearer: t.bearer, onerosterApplicationId: t.applicationId })),
    },
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    credentials,
    district,
    faults: state.faults,
    options: resolved,
    stats: () => ({ requests: state.stats.requests, byStatus: { ...state.stats.byStatus } }),
    resetStats: () => {
      state.stats.requests = 0;
      state.stats.byStatus = {};
    },
    expireTokens: () => auth.expireTokens(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The ClassLink data root of a tenant's application id (used verbatim, never re-encoded). */
export function classLinkRoot(proxyUrl: string, onerosterApplicationId: string): string {
  return `${proxyUrl}/${onerosterApplicationId}${CLASSLINK_ROOT_SUFFIX}`;
}
