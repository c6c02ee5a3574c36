/**
 * Finds pages of a user endpoint without scanning the district. The base population lists, per
 * endpoint, a few contiguous segments of people who each make the same number of rows; changed,
 * added and removed people ("exceptions") correct that count one by one. So "how many rows come
 * before index x" is a binary search, and any page is found in O(log n) and then read in order.
 */
import { DIALECTS, Dialect, RoleGroup, roleGroups } from './dialects';
import { PersonData, TO_BE_DELETED_PERIOD, generatePerson } from './generate';
import { SandboxDistrict } from './district';
import { SandboxRole } from './types';

/** Which users an endpoint lists. */
export interface UserFeed {
  /** `/users`, `/students` or `/teachers`. */
  kind: 'users' | 'students' | 'teachers';
  /** Set for `/schools/{id}/students` and `/schools/{id}/teachers`. */
  school?: string;
}

/** One row of a user listing: a person's record (1.1 people with two roles make two). */
export interface UserRow {
  index: number;
  person: PersonData;
  group: RoleGroup;
  /** Position of `group` among the person's role groups (to find the row again). */
  ordinal: number;
}

interface Segments {
  starts: number[];
  ends: number[];
  rowsPerPerson: number[];
  /** rowsBefore[s]: rows in segments 0..s-1. */
  rowsBefore: number[];
  omitsToBeDeleted: boolean;
}

interface Exceptions {
  version: number;
  indices: number[];
  /** Rows each exception makes now. */
  rows: number[];
  /** deltaBefore[k]: sum over exceptions 0..k-1 of (rows now - rows the base person made). */
  deltaBefore: number[];
}

/** The role groups of a person that an endpoint lists, in the dialect's shape. */
export function rowsInFeed(person: PersonData, feed: UserFeed, dialect: Dialect): Array<{ group: RoleGroup; ordinal: number }> {
  const traits = DIALECTS[dialect];
  if (traits.omitsToBeDeleted && person.status === 'tobedeleted') return [];
  const groups = roleGroups(person.roles, traits.version);
  const rows: Array<{ group: RoleGroup; ordinal: number }> = [];
  groups.forEach((group, ordinal) => {
    if (groupInFeed(group, person.roles, feed, traits.studentsIncludeTeacherParents)) rows.push({ group, ordinal });
  });
  return rows;
}

function groupInFeed(group: RoleGroup, allRoles: SandboxRole[], feed: UserFeed, teacherParentsAreStudents: boolean): boolean {
  const holds = (role: string): boolean => group.roles.some((r) => r.role === role && (!feed.school || r.org === feed.school));
  switch (feed.kind) {
    case 'users':
      return true;
    case 'teachers':
      return holds('teacher');
    case 'students':
      if (holds('student')) return true;
      // ClassLink quirk: teachers who are also parents show up among students.
      return teacherParentsAreStudents && !feed.school && holds('teacher') && allRoles.some((r) => r.role === 'parent');
  }
}

/** Per-sandbox index of the user endpoints (caches live here, never at module level). */
export class UserIndex {
  private readonly segmentCache = new Map<string, Segments>();
  private readonly exceptionCache = new Map<string, Exceptions>();

  constructor(private readonly district: SandboxDistrict) {}

  /** Rows the endpoint lists now. */
  count(feed: UserFeed, dialect: Dialect): number {
    return this.rowsBefore(feed, dialect, this.district.nextIndex);
  }

  /** Rows [offset, offset+limit) in sourcedId order (or the mirrored slice, reversed, when descending). */
  page(feed: UserFeed, dialect: Dialect, offset: number, limit: number, descending = false): UserRow[] {
    const total = this.count(feed, dialect);
    let start = offset;
    let end = Math.min(total, offset + limit);
    if (descending) {
      end = total - offset;
      start = Math.max(0, end - limit);
    }
    if (start >= end) return [];
    const rows = this.readFrom(feed, dialect, start, end - start);
    return descending ? rows.reverse() : rows;
  }

  /** Every row of the endpoint in order; `onlyChanged` limits it to changed and added people. */
  scan(feed: UserFeed, dialect: Dialect, onlyChanged: boolean, visit: (row: UserRow) => void): void {
    if (!onlyChanged) {
      this.walk(feed, dialect, this.district.minIndex, 0, Infinity, visit);
      return;
    }
    for (const index of this.district.exceptionIndices()) {
      const person = this.district.personAt(index);
      if (!person) continue;
      for (const { group, ordinal } of rowsInFeed(person, feed, dialect)) visit({ index, person, group, ordinal });
    }
  }

  /** The row of a person's role group, if the person still exists. */
  row(index: number, ordinal: number, dialect: Dialect): UserRow | undefined {
    const person = this.district.personAt(index);
    if (!person) return undefined;
    const group = roleGroups(person.roles, DIALECTS[dialect].version)[ordinal];
    return group && { index, person, group, ordinal };
  }

  private readFrom(feed: UserFeed, dialect: Dialect, position: number, limit: number): UserRow[] {
    // The largest index whose preceding rows are <= position holds the row at `position`.
    let low = this.district.minIndex;
    let high = this.district.nextIndex - 1;
    while (low < high) {
      const mid = Math.floor((low + high + 1) / 2);
      if (this.rowsBefore(feed, dialect, mid) <= position) low = mid;
      else high = mid - 1;
    }
    const skip = position - this.rowsBefore(feed, dialect, low);
    const rows: UserRow[] = [];
    this.walk(feed, dialect, low, skip, limit, (row) => rows.push(row));
    return rows;
  }

  /** Visits rows from index `from` on, skipping the first `skip` rows, at most `limit` rows. */
  private walk(feed: UserFeed, dialect: Dialect, from: number, skip: number, limit: number, visit: (row: UserRow) => void): void {
    const segments = this.segments(feed, dialect);
    const exceptions = this.exceptions(feed, dialect);
    const { context, nextIndex } = this.district;
    const baseTotal = context.layout.total;
    let e = lowerBound(exceptions.indices, from);
    let s = 0;
    let visited = 0;
    const emit = (index: number, person: PersonData): boolean => {
      for (const { group, ordinal } of rowsInFeed(person, feed, dialect)) {
        if (skip > 0) { skip--; continue; }
        visit({ index, person, group, ordinal });
        if (++visited >= limit) return false;
      }
      return true;
    };
    let index = from;
    while (index < nextIndex) {
      const nextException = e < exceptions.indices.length ? exceptions.indices[e] : Infinity;
      if (index === nextException) {
        e++;
        const person = this.district.personAt(index);
        if (person && !emit(index, person)) return;
        index++;
        continue;
      }
      if (index >= 0 && index < baseTotal) {
        while (s < segments.starts.length && segments.ends[s] <= index) s++;
        if (s < segments.starts.length && segments.starts[s] <= index) {
          if (!(segments.omitsToBeDeleted && index % TO_BE_DELETED_PERIOD === context.toBeDeletedResidue)) {
            if (!emit(index, generatePerson(context, index))) return;
          }
          index++;
          continue;
        }
        // Not listed here: jump to the next segment or exception.
        index = Math.min(s < segments.starts.length ? segments.starts[s] : Infinity, nextException);
      } else {
        index = index < 0 ? Math.min(0, nextException) : nextException;
      }
    }
  }

  /** Rows the endpoint lists for people with index < x. */
  private rowsBefore(feed: UserFeed, dialect: Dialect, x: number): number {
    const exceptions = this.exceptions(feed, dialect);
    return this.baseRowsBefore(this.segments(feed, dialect), x) + exceptions.deltaBefore[lowerBound(exceptions.indices, x)];
  }

  private baseRowsBefore(segments: Segments, x: number): number {
    const bounded = Math.max(0, Math.min(x, this.district.context.layout.total));
    // Last segment starting before x.
    let low = -1;
    let high = segments.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (segments.starts[mid] < bounded) low = mid;
      else high = mid - 1;
    }
    if (low < 0) return 0;
    const people = this.members(segments, segments.starts[low], Math.min(bounded, segments.ends[low]));
    return segments.rowsBefore[low] + people * segments.rowsPerPerson[low];
  }

  /** People listed in [a, b) of one segment: all of them, minus every 50th when tobedeleted ones are left out. */
  private members(segments: Segments, a: number, b: number): number {
    if (!segments.omitsToBeDeleted) return b - a;
    const residue = this.district.context.toBeDeletedResidue;
    const upTo = (x: number): number => (x <= residue ? 0 : Math.floor((x - 1 - residue) / TO_BE_DELETED_PERIOD) + 1);
    return b - a - (upTo(b) - upTo(a));
  }

  /** The base segments of an endpoint, from one representative per block (roles depend only on the block). */
  private segments(feed: UserFeed, dialect: Dialect): Segments {
    const key = `${dialect}|${feed.kind}|${feed.school ?? ''}`;
    const cached = this.segmentCache.get(key);
    if (cached) return cached;
    const segments: Segments = { starts: [], ends: [], rowsPerPerson: [], rowsBefore: [], omitsToBeDeleted: DIALECTS[dialect].omitsToBeDeleted };
    let rows = 0;
    for (const block of this.district.context.layout.blocks) {
      const representative = { ...generatePerson(this.district.context, block.start), status: 'active' as const };
      const perPerson = rowsInFeed(representative, feed, dialect).length;
      if (perPerson === 0) continue;
      segments.starts.push(block.start);
      segments.ends.push(block.end);
      segments.rowsPerPerson.push(perPerson);
      segments.rowsBefore.push(rows);
      rows += this.members(segments, block.start, block.end) * perPerson;
    }
    this.segmentCache.set(key, segments);
    return segments;
  }

  private exceptions(feed: UserFeed, dialect: Dialect): Exceptions {
    const key = `${dialect}|${feed.kind}|${feed.school ?? ''}`;
    const cached = this.exceptionCache.get(key);
    if (cached && cached.version === this.district.version) return cached;
    const segments = this.segments(feed, dialect);
    const { context } = this.district;
    const indices = this.district.exceptionIndices();
    const rows: number[] = [];
    const deltaBefore: number[] = [0];
    for (const index of indices) {
      const person = this.district.personAt(index);
      const now = person ? rowsInFeed(person, feed, dialect).length : 0;
      let before = 0;
      if (index >= 0 && index < context.layout.total) {
        before = this.baseRowsBefore(segments, index + 1) - this.baseRowsBefore(segments, index);
      }
      rows.push(now);
      deltaBefore.push(deltaBefore[deltaBefore.length - 1] + now - before);
    }
    const fresh: Exceptions = { version: this.district.version, indices, rows, deltaBefore };
    this.exceptionCache.set(key, fresh);
    return fresh;
  }
}

/** First position in a sorted array whose value is >= x. */
function lowerBound(sorted: number[], x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] < x) low = mid + 1;
    else high = mid;
  }
  return low;
}
