/**
 * Cheap deterministic hashing: every generated field is a pure function of (seed, index, salt),
 * so a million-person district needs no per-person memory.
 */

/** A well-mixed unsigned 32-bit hash of three integers (murmur3's finalizer over a simple combine). */
export function hash3(seed: number, index: number, salt: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x7f4a7c15, 0xc2b2ae35) ^ Math.imul(salt + 0x165667b1, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Picks one element of a list from a hash. */
export function pick<T>(list: readonly T[], hash: number): T {
  return list[hash % list.length];
}

/** True for about `percent` percent of hashes (resolution 0.01 %). */
export function chance(hash: number, percent: number): boolean {
  return hash % 10_000 < percent * 100;
}

/** Zero-pads a non-negative integer. */
export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Short, stable, hex-looking secret material derived from the seed (not cryptographic: it is a sandbox). */
export function seededHex(seed: number, salt: number, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += hash3(seed, i, salt).toString(16).padStart(8, '0');
  return out.slice(0, length);
}
