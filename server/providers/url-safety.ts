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

// Never a provider, whatever `allowPrivate` says: "this network" and unspecified (0.0.0.0 and
// `::` reach this machine), link-local (169.254.169.254 is the cloud metadata service),
// special-purpose (IETF 192.0.0.0/24, benchmarking 198.18.0.0/15), multicast and reserved.
const neverRanges = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  neverRanges.addSubnet(network, prefix, 'ipv4');
}
neverRanges.addAddress('::', 'ipv6');
neverRanges.addSubnet('fe80::', 10, 'ipv6');
neverRanges.addSubnet('fec0::', 10, 'ipv6');
neverRanges.addSubnet('ff00::', 8, 'ipv6');

// Inside a private network: allowed only with `allowPrivate` (an on-premises provider).
const privateRanges = new net.BlockList();
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
privateRanges.addSubnet('fc00::', 7, 'ipv6');

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
  if (neverRanges.check(ip, family)) return 'is an unspecified, link-local (metadata) or special-purpose address, which is never allowed';
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

/**
 * An IPv6 address that carries an IPv4 one is judged as that IPv4 address: mapped
 * (`::ffff:10.0.0.1`, also written `::ffff:a00:1`), IPv4-compatible (`::a9fe:a9fe`), NAT64
 * (`64:ff9b::/96`, `64:ff9b:1::/48`) and 6to4 (`2002::/16`).
 */
function plainAddress(address: string): { ip: string; family: 'ipv4' | 'ipv6' } {
  if (net.isIP(address) !== 6) return { ip: address, family: 'ipv4' };
  const g = ipv6Groups(address);
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  if (zeros(0, 5) && g[5] === 0xffff) return { ip: ipv4(g[6]!, g[7]!), family: 'ipv4' };
  // `::` and `::1` are themselves, not IPv4-compatible forms.
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return { ip: ipv4(g[6]!, g[7]!), family: 'ipv4' };
  if (g[0] === 0x64 && g[1] === 0xff9b && (zeros(2, 6) || g[2] === 1)) return { ip: ipv4(g[6]!, g[7]!), family: 'ipv4' };
  if (g[0] === 0x2002) return { ip: ipv4(g[1]!, g[2]!), family: 'ipv4' };
  return { ip: address, family: 'ipv6' };
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...middle, ...right].map((group) => parseInt(group, 16));
}
