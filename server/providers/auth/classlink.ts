import type { HttpClient, RequestAuth } from '../http-client';
import { hintsFor } from '../hints';
import { encodeQuery } from '../query';
import { ProviderError } from '../types';

/** Where and how to reach ClassLink's OneRoster proxy with the vendor's key. */
export interface ClassLinkVendor {
  /** The proxy, e.g. `https://oneroster-proxy.classlink.io`. */
  proxyUrl: string;
  /** The vendor's ClassLink API key (never logged). */
  apiKey: string;
}

/** A district that approved the vendor's application, as the proxy lists it. */
export interface ClassLinkTenant {
  /** The district's Tenant ID. */
  tenantId: string;
  /** The district's name. */
  name: string;
  /** `oneroster_application_id`, already percent-encoded: used verbatim in paths. */
  applicationId: string;
  /** The per-district bearer for the proxy's data path (never logged). */
  bearer: string;
}

/** Direct Roster Server credentials (OAuth 1.0a), the fallback when the proxy's data path fails. */
export interface RosterServerCredentials {
  /** Consumer key. */
  clientId: string;
  /** Consumer secret. */
  clientSecret: string;
  /** The district's Roster Server OneRoster root. */
  endpointUrl: string;
}

/** Rows asked for per page of the application list. */
const APPLICATION_PAGE_SIZE = 100;
/** The list is small (one row per approving district); this only stops a provider that never ends it. */
const MAX_APPLICATION_PAGES = 1000;

/**
 * Finds the district in `GET {proxy}/applications`. The list sends no count headers, so it is read
 * until a page is empty or repeats the previous one (a proxy ignoring `offset`). Throws
 * `tenant_not_found` when the district has not approved the application and
 * `application_disabled` when it approved it disabled.
 */
export async function findClassLinkTenant(http: HttpClient, vendor: ClassLinkVendor, tenantId: string): Promise<ClassLinkTenant> {
  const wanted = tenantId.trim();
  let offset = 0;
  let previous = '';
  for (let page = 0; page < MAX_APPLICATION_PAGES; page += 1) {
    const url = `${vendor.proxyUrl.replace(/\/+$/, '')}/applications?${encodeQuery([
      ['limit', String(APPLICATION_PAGE_SIZE)],
      ['offset', String(offset)],
    ])}`;
    const response = await http.send({ method: 'GET', url, headers: vendorHeaders(vendor), what: 'the ClassLink application list' });
    const rows = applicationRows(response.body);
    if (rows.length === 0) break;
    const signature = rows.map((row) => String(row.tenant_id)).join(',');
    if (signature === previous) break;
    previous = signature;
    const match = rows.find((row) => String(row.tenant_id ?? '').trim() === wanted);
    if (match) return tenantFrom(match, wanted);
    offset += rows.length;
  }
  throw new ProviderError('tenant_not_found', `No ClassLink district with Tenant ID ${wanted} has approved this application.`, {
    hints: hintsFor('tenant_not_found', 'classlink'),
  });
}

/** Reads the district's direct Roster Server credentials (`/applications/{id}/server`). */
export async function fetchRosterServerCredentials(
  http: HttpClient,
  vendor: ClassLinkVendor,
  tenant: ClassLinkTenant,
): Promise<RosterServerCredentials> {
  const url = `${vendor.proxyUrl.replace(/\/+$/, '')}/applications/${tenant.applicationId}/server`;
  const response = await http.send({ method: 'GET', url, headers: vendorHeaders(vendor), what: 'the ClassLink Roster Server details' });
  const body = unwrapSingle(response.body);
  const clientId = body?.client_id;
  const clientSecret = body?.client_secret;
  const endpointUrl = body?.endpoint_url;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || typeof endpointUrl !== 'string' || !endpointUrl) {
    throw new ProviderError('bad_response', 'ClassLink answered without Roster Server credentials.', { hints: hintsFor('bad_response') });
  }
  return { clientId, clientSecret, endpointUrl: rosterServerRoot(endpointUrl) };
}

/**
 * The proxy's bearer for data requests. A 401 looks the district up again: a new bearer is worth
 * one more try; the same bearer means the district revoked the application.
 */
export function createClassLinkBearerAuth(initial: ClassLinkTenant, lookUpAgain: () => Promise<ClassLinkTenant>): RequestAuth & { current(): ClassLinkTenant } {
  let tenant = initial;
  /** Whether a bearer of this district has been accepted for data. */
  let worked = false;
  return {
    current: () => tenant,
    async headers() {
      return { Authorization: `Bearer ${tenant.bearer}` };
    },
    accepted() {
      worked = true;
    },
    refusal(sent) {
      if (sent.Authorization !== `Bearer ${tenant.bearer}`) return 'stale';
      return worked ? 'expired' : 'refused';
    },
    async renew() {
      const fresh = await lookUpAgain();
      const changed = fresh.bearer !== tenant.bearer;
      tenant = fresh;
      return changed;
    },
  };
}

/** The OneRoster 1.1 root on the proxy for a district (the application id is already encoded). */
export function proxyDataRoot(vendor: ClassLinkVendor, tenant: ClassLinkTenant): string {
  return `${vendor.proxyUrl.replace(/\/+$/, '')}/${tenant.applicationId}/ims/oneroster/v1p1`;
}

/** `endpoint_url` may be the server, `/ims/oneroster` or the full 1.1 root: make it the 1.1 root. */
function rosterServerRoot(endpointUrl: string): string {
  const trimmed = endpointUrl.replace(/\/+$/, '');
  if (/\/ims\/oneroster\/v1p1$/i.test(trimmed)) return trimmed;
  if (/\/ims\/oneroster$/i.test(trimmed)) return `${trimmed}/v1p1`;
  return `${trimmed}/ims/oneroster/v1p1`;
}

function vendorHeaders(vendor: ClassLinkVendor): Record<string, string> {
  return { Authorization: `Bearer ${vendor.apiKey}` };
}

function tenantFrom(row: Record<string, unknown>, wanted: string): ClassLinkTenant {
  if (String(row.enabled).trim().toLowerCase() === 'false' || row.enabled === false || row.enabled === 0) {
    throw new ProviderError('application_disabled', `The district with Tenant ID ${wanted} has the application disabled in ClassLink.`, {
      hints: hintsFor('application_disabled', 'classlink'),
    });
  }
  const applicationId = row.oneroster_application_id;
  const bearer = row.bearer;
  if ((typeof applicationId !== 'string' && typeof applicationId !== 'number') || typeof bearer !== 'string' || !bearer) {
    throw new ProviderError('bad_response', `ClassLink listed Tenant ID ${wanted} without its application id or bearer.`, {
      hints: hintsFor('bad_response'),
    });
  }
  return {
    tenantId: wanted,
    name: typeof row.tenant_name === 'string' ? row.tenant_name : '',
    applicationId: String(applicationId),
    bearer,
  };
}

/** The rows of an application-list page: a bare array, or the first array in a wrapper object. */
function applicationRows(body: unknown): Array<Record<string, unknown>> {
  const list = Array.isArray(body)
    ? body
    : body && typeof body === 'object'
      ? Object.values(body as Record<string, unknown>).find(Array.isArray)
      : undefined;
  if (!list) {
    throw new ProviderError('bad_response', 'ClassLink answered the application list without a list.', { hints: hintsFor('bad_response') });
  }
  return list.filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object' && !Array.isArray(row));
}

function unwrapSingle(body: unknown): Record<string, unknown> | null {
  if (!body || typeof body !== 'object') return null;
  const record = body as Record<string, unknown>;
  if ('endpoint_url' in record) return record;
  const inner = Object.values(record).find((value) => value && typeof value === 'object' && 'endpoint_url' in (value as object));
  return (inner as Record<string, unknown> | undefined) ?? null;
}
