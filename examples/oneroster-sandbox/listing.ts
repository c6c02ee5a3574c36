/**
 * Answers list and single-record reads in a dialect's shape. Unfiltered reads in sourcedId order
 * come straight from the index (arithmetic, no scan); filtered or otherwise sorted reads scan once
 * and keep the matching row references in a small per-sandbox cache, so paging through them is
 * cheap too. A delta filter after the base date scans only changed people.
 */
import { DIALECTS, Dialect } from './dialects';
import { SandboxDistrict } from './district';
import { secondaryUserId } from './ids';
import { PresentContext, ORG_FIELDS, USER_ALIASES_12, USER_FIELDS, isKnownField, presentOrg, presentUser } from './present';
import { ListQuery, excludesDate, matchesFilter, parseListQuery, selectFields, sortKey } from './query';
import { SandboxOrg } from './types';
import { UserFeed, UserIndex, UserRow, rowsInFeed } from './user-index';

/** A page of records and the total the feed holds (null: the dialect does not say). */
export interface ListResult {
  total: number | null;
  records: Array<Record<string, unknown>>;
}

/** Which orgs a list shows. */
export type OrgFeed = 'orgs' | 'schools';

interface RowRefs {
  indices: number[];
  ordinals: number[];
}

const CACHE_ENTRIES = 8;

/** Reads for one sandbox. */
export class Listings {
  private readonly scans = new Map<string, RowRefs>();

  constructor(private readonly district: SandboxDistrict, private readonly index: UserIndex, private readonly maxPageSize: number) {}

  /** Parses a users list query (throws QueryError on a bad one). */
  parseUserQuery(params: URLSearchParams, dialect: Dialect): ListQuery {
    const fields = USER_FIELDS[DIALECTS[dialect].version];
    return parseListQuery(params, this.maxPageSize, (field) => isKnownField(fields, field));
  }

  /** Parses an orgs list query. */
  parseOrgQuery(params: URLSearchParams): ListQuery {
    return parseListQuery(params, this.maxPageSize, (field) => isKnownField(ORG_FIELDS, field));
  }

  /** A page of users. */
  listUsers(feed: UserFeed, dialect: Dialect, query: ListQuery, context: PresentContext): ListResult {
    const present = (row: UserRow): Record<string, unknown> => selectFields(this.presentRow(row, context), query.fields);
    if (!query.filter && (!query.sort || query.sort === 'sourcedId')) {
      const rows = this.index.page(feed, dialect, query.offset, query.limit, query.descending);
      return { total: this.index.count(feed, dialect), records: rows.map(present) };
    }
    const refs = this.scanUsers(feed, dialect, query, context);
    const records: Array<Record<string, unknown>> = [];
    const end = Math.min(refs.indices.length, query.offset + query.limit);
    for (let i = query.offset; i < end; i++) {
      const row = this.index.row(refs.indices[i], refs.ordinals[i], dialect);
      if (row) records.push(present(row));
    }
    return { total: refs.indices.length, records };
  }

  /** One user, or undefined; `feed` narrows it to students or teachers. */
  user(sourcedId: string, feed: UserFeed, dialect: Dialect, context: PresentContext): Record<string, unknown> | undefined {
    const parsed = this.district.indexOf(sourcedId);
    if (!parsed) return undefined;
    const person = this.district.personAt(parsed.index)!;
    const match = rowsInFeed(person, feed, dialect).find(({ group }) => group.letter === parsed.roleLetter);
    return match && this.presentRow({ index: parsed.index, person, ...match }, context);
  }

  /** A page of orgs. */
  listOrgs(feed: OrgFeed, dialect: Dialect, query: ListQuery, context: PresentContext): ListResult {
    let records = this.visibleOrgs(feed, dialect).map((org) => presentOrg(org, context));
    if (query.filter) records = records.filter((record) => matchesFilter(record, query.filter!));
    if (query.sort && query.sort !== 'sourcedId') {
      const keyed = records.map((record) => ({ record, key: sortKey(record, query.sort!) }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      records = keyed.map(({ record }) => record);
    }
    if (query.descending) records.reverse();
    const page = records.slice(query.offset, query.offset + query.limit).map((record) => selectFields(record, query.fields));
    return { total: records.length, records: page };
  }

  /** One org, or undefined; `feed` 'schools' only finds schools. */
  org(sourcedId: string, feed: OrgFeed, dialect: Dialect, context: PresentContext): Record<string, unknown> | undefined {
    const org = this.visibleOrgs(feed, dialect).find((o) => o.sourcedId === sourcedId);
    return org && presentOrg(org, context);
  }

  /** Is this a school the dialect shows (for /schools/{id}/students)? */
  hasSchool(sourcedId: string, dialect: Dialect): boolean {
    return this.visibleOrgs('schools', dialect).some((o) => o.sourcedId === sourcedId);
  }

  /** Child org ids by parent id, for presenting orgs. */
  childrenIndex(): (orgId: string) => string[] {
    const children = new Map<string, string[]>();
    for (const org of this.district.orgs()) {
      if (!org.parent) continue;
      const list = children.get(org.parent) ?? [];
      list.push(org.sourcedId);
      children.set(org.parent, list);
    }
    return (orgId) => children.get(orgId) ?? [];
  }

  private visibleOrgs(feed: OrgFeed, dialect: Dialect): SandboxOrg[] {
    const omit = DIALECTS[dialect].omitsToBeDeleted;
    return this.district.orgs().filter((org) => (feed === 'orgs' || org.type === 'school') && !(omit && org.status === 'tobedeleted'));
  }

  private presentRow(row: UserRow, context: PresentContext): Record<string, unknown> {
    const id = this.district.idOf(row.index);
    const legacy = this.district.legacyIdOf(row.index);
    const letter = row.group.letter;
    return presentUser(row.person, row.group, {
      sourcedId: letter ? secondaryUserId(id, letter) : id,
      legacySourcedId: legacy && letter ? secondaryUserId(legacy, letter) : legacy,
      agents: row.person.agents.map((agent) => this.district.idOf(agent)),
    }, context);
  }

  /** Matching rows of a filtered or sorted read, scanned once per district version. */
  private scanUsers(feed: UserFeed, dialect: Dialect, query: ListQuery, context: PresentContext): RowRefs {
    const key = [this.district.version, dialect, feed.kind, feed.school, query.filterText, query.sort, query.descending].join('|');
    const cached = this.scans.get(key);
    if (cached) return cached;
    const version = DIALECTS[dialect].version;
    const aliases = version === '1.2' ? USER_ALIASES_12 : {};
    const onlyChanged = query.filter ? excludesDate(query.filter, this.district.context.baseDate) : false;
    const indices: number[] = [];
    const ordinals: number[] = [];
    const keys: string[] = [];
    const sorted = query.sort && query.sort !== 'sourcedId' ? query.sort : undefined;
    this.index.scan(feed, dialect, onlyChanged, (row) => {
      if (query.filter || sorted) {
        const record = this.presentRow(row, context);
        if (query.filter && !matchesFilter(record, query.filter, aliases)) return;
        if (sorted) keys.push(sortKey(record, sorted, aliases));
      }
      indices.push(row.index);
      ordinals.push(row.ordinal);
    });
    let refs: RowRefs = { indices, ordinals };
    if (sorted) {
      const order = indices.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
      refs = { indices: order.map((i) => indices[i]), ordinals: order.map((i) => ordinals[i]) };
    }
    if (query.descending) {
      refs.indices.reverse();
      refs.ordinals.reverse();
    }
    if (this.scans.size >= CACHE_ENTRIES) this.scans.delete(this.scans.keys().next().value!);
    this.scans.set(key, refs);
    return refs;
  }
}
