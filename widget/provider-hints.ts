import type { OneRosterVersion } from '../server/domain/contract';

/**
 * A warning when the chosen OneRoster version and the base URL disagree: a 1.2 root ends in
 * `/rostering/v1p2` and a 1.1 root in `/v1p1` (Infinite Campus puts the version in its path
 * twice). A mismatch fails with confusing 404s, so say it before the test runs. Null when fine.
 */
export function versionUrlMismatch(version: OneRosterVersion, baseUrl: string): string | null {
  const path = baseUrl.trim().toLowerCase().replace(/\/+$/, '');
  if (!path) return null;
  const says = /\/v1p2(\/|$)/.test(path) ? '1.2' : /\/v1p1(\/|$)/.test(path) ? '1.1' : null;
  if (says === null || says === version) return null;
  return `This address is for OneRoster ${says}, but version ${version} is chosen. Choose ${says}, or use the ${version} address your provider gave you.`;
}
