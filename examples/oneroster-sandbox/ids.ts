/**
 * sourcedIds. User ids are zero-padded indices so that sorting by sourcedId is generation order,
 * which lets the server find any page by arithmetic. People inserted "before everyone" (the
 * shifting-data fault) get negative indices, spelled so they still sort first.
 */
import { hash3, pad } from './hash';

const DIGITS = 8;
const NEGATIVE_BASE = 10 ** DIGITS;

/** The district org. */
export const DISTRICT_ID = 'org-00000';
/** The school that orphan students are enrolled at; it never appears in /orgs or /schools. */
export const ORPHAN_SCHOOL_ID = 'org-closed-01';

/** Id of the n-th org (district is 0, schools 1..K, then department and ext org). */
export function orgId(n: number): string {
  return `org-${pad(n, 5)}`;
}

/** Id of 0-based school number k. */
export function schoolId(k: number): string {
  return orgId(k + 1);
}

/** How user sourcedIds look (see `SandboxOptions.idStyle`). */
export type UserIdStyle = 'short' | 'uuid';

/** UUID-style ids put the index, offset by this, in their first group, so negative indices still sort first. */
const UUID_INDEX_BASE = 0x80000000;

/** Ids change on `switchToNewIds()`: each id generation has its own prefix. */
function userPrefix(generation: number): string {
  return generation === 0 ? 'usr-' : `usr-v${generation + 1}-`;
}

/** The sourcedId of the person at `index` in id generation `generation`. */
export function userId(index: number, generation: number, style: UserIdStyle = 'short'): string {
  if (style === 'uuid') return uuidUserId(index, generation);
  const digits = index >= 0 ? pad(index, DIGITS) : `0-${pad(NEGATIVE_BASE + index, DIGITS)}`;
  return userPrefix(generation) + digits;
}

/** The 1.1 id of a person's record for a secondary role (like Infinite Campus's role letters). */
export function secondaryUserId(primaryId: string, roleLetter: string): string {
  return `${primaryId}-${roleLetter}`;
}

/** Parsed user id: the index and, for 1.1 secondary-role records, the role letter. */
export interface ParsedUserId {
  /** Index of the person. */
  index: number;
  /** Present for 1.1 secondary-role records. */
  roleLetter?: string;
}

/** Reads a user id of the current generation; undefined when it is not one. */
export function parseUserId(id: string, generation: number, style: UserIdStyle = 'short'): ParsedUserId | undefined {
  if (style === 'uuid') return parseUuidUserId(id, generation);
  const prefix = userPrefix(generation);
  if (!id.startsWith(prefix)) return undefined;
  const match = /^(0-)?(\d{8})(?:-([a-z]))?$/.exec(id.slice(prefix.length));
  if (!match) return undefined;
  const digits = Number(match[2]);
  const index = match[1] ? digits - NEGATIVE_BASE : digits;
  return match[3] ? { index, roleLetter: match[3] } : { index };
}

/**
 * A UUID-shaped id (version 4 layout): the first group is the index (so ids sort in generation
 * order and a page is found by arithmetic), the second the generation, the rest hash-derived.
 */
function uuidUserId(index: number, generation: number): string {
  const hex = (value: number, width: number) => (value >>> 0).toString(16).padStart(width, '0').slice(-width);
  const tail = (salt: number) => hash3(generation, index, salt);
  return `${hex(UUID_INDEX_BASE + index, 8)}-${hex(generation, 4)}-4${hex(tail(1), 3)}-${hex(0x8000 | (tail(2) & 0x3fff), 4)}-${hex(tail(3), 8)}${hex(tail(4), 4)}`;
}

function parseUuidUserId(id: string, generation: number): ParsedUserId | undefined {
  const match = /^([0-9a-f]{8})-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}(?:-([a-z]))?$/.exec(id);
  if (!match) return undefined;
  const index = parseInt(match[1], 16) - UUID_INDEX_BASE;
  // The whole id must be the one generated, so another generation's (or a made-up) id is not found.
  if (id.slice(0, 36) !== uuidUserId(index, generation)) return undefined;
  return match[2] ? { index, roleLetter: match[2] } : { index };
}
