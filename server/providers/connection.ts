import type { ResolvedOptions } from '../options';
import { extractRows, normalizeOrg, normalizePerson, type Normalized, type ResourceKind } from './normalize';
import type { ProviderKind } from '../domain/contract';
import { readRateLimit } from './page-pace';
import { pullPages, type PageFetcher, type PagingLimits, type RawPage } from './paging';
import type { QueryParam } from './query';
import { createSession, type ProviderSession } from './session';
import {
  ProviderError,
  type NormalizedOrg,
  type NormalizedPerson,
  type ProviderConnection,
  type ProviderDeps,
  type ProviderSettings,
  type PullOptions,
  type PulledPage,
} from './types';
import { hintsFor } from './hints';

/**
 * Opens a connection to a configured provider, for a sync. Nothing is sent until a pull starts;
 * every pull pages safely and throws a `ProviderError` rather than end short.
 */
export function createProviderConnection(settings: ProviderSettings, deps: ProviderDeps): ProviderConnection {
  return connectionOver(createSession(settings, deps), deps.options.http);
}

/** A connection over an open session (the connection test shares its session with the pulls it makes). */
export function connectionOver(session: ProviderSession, http: ResolvedOptions['http']): ProviderConnection {
  const limits = pagingLimits(session.settings.provider, http);
  return {
    provider: session.settings.provider,
    version: session.settings.provider === 'classlink' ? '1.1' : session.settings.version,
    schools: (options = {}) => pullPages(schoolsFetcher(session, options), schoolsOnly, limits),
    orgs: (options = {}) => pullPages(listFetcher(session, '/orgs', 'orgs', null, options.signal), normalizeOrg, limits),
    users: (options = {}) => pullPages(listFetcher(session, '/users', 'users', deltaFilter(options), options.signal), normalizePerson, limits),
  };
}

/**
 * The pager's limits for a provider. Infinite Campus asks integrations for at most 5 concurrent
 * requests (and to run large pulls off-peak), so its concurrency is capped at 5 whatever is configured.
 */
export function pagingLimits(provider: ProviderKind, http: ResolvedOptions['http']): PagingLimits {
  const concurrency = provider === 'infinitecampus' ? Math.min(http.concurrency, INFINITE_CAMPUS_MAX_CONCURRENCY) : http.concurrency;
  return { pageSize: http.pageSize, maxPages: http.maxPages, concurrency, maxPauseMs: http.retryMaxMs };
}

/** Infinite Campus's published limit of concurrent requests per integration. */
export const INFINITE_CAMPUS_MAX_CONCURRENCY = 5;

/** The first page of schools, as a connection test reads it. */
export async function firstSchoolsPage(session: ProviderSession, limit: number): Promise<PulledPage<NormalizedOrg>> {
  const iterator = pullPages(schoolsFetcher(session, {}), schoolsOnly, { pageSize: limit, maxPages: 1 })[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    return first.done ? { records: [], problems: [], total: 0, received: 0 } : first.value;
  } finally {
    await iterator.return?.(undefined);
  }
}

/** Orgs read from an unfiltered `/orgs` are kept only when they are schools. */
function schoolsOnly(row: unknown): Normalized<NormalizedOrg> | null {
  const result = normalizeOrg(row);
  return 'record' in result && result.record.type && result.record.type.toLowerCase() !== 'school' ? null : result;
}

/**
 * Schools come from `/schools`; a provider without it (404) is asked for `/orgs` filtered to
 * schools, and one that refuses that filter (400) for every org, filtered here. Decided on the first page.
 */
function schoolsFetcher(session: ProviderSession, options: PullOptions): PageFetcher {
  const since = deltaFilter(options);
  let current = listFetcher(session, '/schools', 'orgs', since, options.signal);
  let fallback: 'none' | 'filtered' | 'unfiltered' = 'none';
  const fetcher: PageFetcher = async (offset, limit, context) => {
    try {
      return await current(offset, limit, context);
    } catch (err) {
      if (offset !== 0 || !(err instanceof ProviderError)) throw err;
      if (fallback === 'none' && err.status === 404) {
        fallback = 'filtered';
        current = listFetcher(session, '/orgs', 'orgs', joinFilters("type='school'", since), options.signal);
        return fetcher(offset, limit, context);
      }
      if (fallback === 'filtered' && err.status === 400 && !since) {
        fallback = 'unfiltered';
        current = listFetcher(session, '/orgs', 'orgs', null, options.signal);
        return fetcher(offset, limit, context);
      }
      throw err;
    }
  };
  return fetcher;
}

/**
 * Reads pages of one list, asking for a stable order (`sort=sourcedId&orderBy=asc`) unless the
 * provider refuses it. A 400 to a `dateLastModified` filter means the provider cannot do deltas.
 */
function listFetcher(session: ProviderSession, path: string, kind: ResourceKind, filter: string | null, signal?: AbortSignal): PageFetcher {
  let sorted = true;
  const fetcher: PageFetcher = async (offset, limit, context): Promise<RawPage> => {
    const params: QueryParam[] = [
      ['limit', String(limit)],
      ['offset', String(offset)],
    ];
    if (sorted) params.push(['sort', 'sourcedId'], ['orderBy', 'asc']);
    if (filter) params.push(['filter', filter]);
    let response;
    try {
      const either = signal ? AbortSignal.any([signal, context.signal]) : context.signal;
      response = await session.get(path, params, { signal: either, onRefused: context.onRefused });
    } catch (err) {
      if (err instanceof ProviderError && err.status === 400 && offset === 0) {
        if (sorted) {
          sorted = false;
          return fetcher(offset, limit, context);
        }
        if (filter?.includes('dateLastModified')) {
          throw new ProviderError('delta_unsupported', 'The provider does not accept a dateLastModified filter.', {
            status: 400,
            hints: hintsFor('delta_unsupported'),
          });
        }
      }
      throw err;
    }
    return {
      rows: extractRows(response.body, kind),
      total: totalCount(response.headers['x-total-count']),
      rateLimit: readRateLimit(response.headers),
      storable: response.storable,
    };
  };
  return fetcher;
}

/** `filter=dateLastModified>'…'` for a delta pull (seconds precision, UTC, as providers expect). */
function deltaFilter(options: PullOptions): string | null {
  if (!options.since) return null;
  return `dateLastModified>'${options.since.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

function joinFilters(first: string, second: string | null): string {
  return second ? `${first} AND ${second}` : first;
}

function totalCount(header: string | undefined): number | null {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return null;
  return Number(header);
}
