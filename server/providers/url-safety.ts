import dns from 'node:dns';
import net from 'node:net';
import type { ResolvedOptions } from '../options';
import { hintsFor } from './hints';
import { ProviderError } from './types';

/** The host's provider URL rules (`options.network`). */
export type NetworkRules = ResolvedOptions['network'];

/** Error code a refused DNS answer carries through axios, so the transport can classify it. */
export const ADDRESS_REFUSED = 'ERR_ONEROSTER_ADDRESS_REFUSED';

const loopbackRanges = new net.BlockList();
loopbackRanges.addSubnet('127.0.0.0', 8, 'ipv4');
loopbackRanges.addAddress('::1', 'ipv6');

// Never reachable as a public provider: private, link-local, unique-local, shared and unspecified.
const privateRanges = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
privateRanges.addAddress('::', 'ipv6');
privateRanges.addSubnet('fc00::', 7, 'ipv6');
privateRanges.addSubnet('fe80::', 10, 'ipv6');
privateRanges.addSubnet('ff00::', 8, 'ipv6');

/**
 * Why a provider URL may not be used, judged on its text alone (scheme, credentials, the `http`
 * rule), or null when it passes. Used by the joi schemas (400 field errors) and before requests.
 */
export function urlProblem(url: string, rules: NetworkRules): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must use https';
  if (parsed.username || parsed.password) return 'must not contain a user name or password';
  if (parsed.protocol === 'http:') {
    if (rules.allowHttp === 'never') return 'must use https';
    if (rules.allowHttp === 'loopback' && !isLoopbackHostName(hostOf(parsed))) {
      return 'must use https (http is allowed only for this machine)';
    }
  }
  return null;
}

/**
 * Checks a URL before a request: its text (`urlProblem`) and, when the host is an IP address, the
 * address itself. Host names are checked when they resolve (`createSafeLookup`), so the address
 * checked is the address connected to. Throws `ProviderError('url_not_allowed')`.
 */
export function assertUrlAllowed(url: string, rules: NetworkRules): URL {
  const problem = urlProblem(url, rules);
  if (problem) throw refused(`The provider URL ${problem}.`);
  const parsed = new URL(url);
  const host = hostOf(parsed);
  if (net.isIP(host)) {
    const addressIssue = addressProblem(host, rules, loopbackOnly(parsed, rules));
    if (addressIssue) throw refused(`The provider address ${host} ${addressIssue}.`);
  }
  return parsed;
}

/** Why a resolved address may not be connected to, or null. */
export function addressProblem(address: string, rules: NetworkRules, onlyLoopback = false): string | null {
  const { ip, family } = plainAddress(address);
  const loopback = loopbackRanges.check(ip, family);
  if (onlyLoopback && !loopback) return 'is not on this machine (http is allowed only for this machine)';
  if (loopback) return rules.allowLoopback ? null : 'is on this machine (loopback), which is not allowed';
  if (privateRanges.check(ip, family)) return rules.allowPrivate ? null : 'is a private or local network address, which is not allowed';
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` replacement for axios that resolves every address of the host and refuses the
 * connection when any of them breaks the rules (so a name cannot point a request inside the network).
 */
export function createSafeLookup(url: URL, rules: NetworkRules) {
  const onlyLoopback = loopbackOnly(url, rules);
  return (hostname: string, options: dns.LookupOptions | number | undefined, callback: LookupCallback): void => {
    const family = typeof options === 'number' ? options : (options?.family ?? 0);
    const wantsAll = typeof options === 'object' && options?.all === true;
    dns.lookup(hostname, { all: true, family: family as 0 | 4 | 6 }, (err, addresses) => {
      if (err) return callback(err);
      for (const entry of addresses) {
        const problem = addressProblem(entry.address, rules, onlyLoopback);
        if (problem) {
          const error = new Error(`The provider host ${hostname} resolves to ${entry.address}, which ${problem}.`) as NodeJS.ErrnoException;
          error.code = ADDRESS_REFUSED;
          return callback(error);
        }
      }
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
      if (wantsAll) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

/** True for `localhost`, `*.localhost` and loopback IP literals. */
export function isLoopbackHostName(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (!net.isIP(name)) return false;
  const { ip, family } = plainAddress(name);
  return loopbackRanges.check(ip, family);
}

/** A `url_not_allowed` error with its hint. */
export function refused(message: string): ProviderError {
  return new ProviderError('url_not_allowed', message, { hints: hintsFor('url_not_allowed') });
}

function loopbackOnly(url: URL, rules: NetworkRules): boolean {
  return url.protocol === 'http:' && rules.allowHttp === 'loopback';
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
function plainAddress(address: string): { ip: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { ip: mapped[1]!, family: 'ipv4' };
  return { ip: address, family: net.isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}
