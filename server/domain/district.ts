import { errors } from './errors';

/**
 * The district key of a single-district host: every row the module writes carries a district key,
 * and a host that never says which district a request is for has this one. Migration 0009 files
 * the data of earlier releases under it.
 */
export const DEFAULT_DISTRICT = 'default';

/** Longest district key: the `district` columns are VARCHAR(64). */
export const MAX_DISTRICT_LENGTH = 64;

/** Letters, digits, `.`, `_` and `-`: a subdomain, a tenant id or a database name fits. */
const DISTRICT_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** True when `key` can be a district key (1–64 characters of `[A-Za-z0-9._-]`). */
export function isDistrictKey(key: unknown): key is string {
  return typeof key === 'string' && DISTRICT_PATTERN.test(key);
}

/**
 * The key the host's `district(req)` gave, checked. A request whose district cannot be a key (an
 * odd subdomain, say) is the client's to fix, so it answers 400 `invalid_district` rather than 500.
 */
export function checkRequestDistrict(key: unknown): string {
  if (isDistrictKey(key)) return key;
  throw errors.invalidDistrict();
}

/** The same check for host code (`forDistrict`, the fleet scheduler): a bad key there is a programming error. */
export function assertDistrictKey(key: unknown, where: string): string {
  if (isDistrictKey(key)) return key;
  throw new TypeError(`${where}: a district key is 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" or "-", got ${JSON.stringify(String(key).slice(0, 80))}`);
}
