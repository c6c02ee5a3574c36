/**
 * Ed-Fi's OneRoster 1.2 API, as a district on an Ed-Fi ODS serves it (see the shared OneRoster
 * notes): one user record per school enrolment, whose sourcedId is a hash of the person and the
 * org, so a person at two schools is two records sharing `identifier`, a `userIds` entry
 * (`studentUniqueId` / `staffUniqueId`) and `metadata.edfi.naturalKey`. Grades are Ed-Fi grade
 * level descriptors, staff roles nothing maps are `role: null`. Lists carry no `X-Total-Count`
 * or `Link` header and `limit` is capped at 500 without a word (the server applies those).
 *
 * The records are built by going through the district once per district version: this dialect is
 * for test-sized districts, not the million-person benchmark.
 */
import { createHash } from 'node:crypto';
import { SandboxDistrict } from './district';
import { PresentContext } from './present';
import { ListQuery, matchesFilter, selectFields, sortKey } from './query';
import { SandboxPerson } from './types';
import { UserFeed } from './user-index';

/** Ed-Fi's silent cap on `limit`. */
export const EDFI_PAGE_CAP = 500;

/** Ed-Fi grade level descriptors for the CEDS codes the generator uses. */
export const EDFI_GRADE_DESCRIPTORS: Readonly<Record<string, string>> = {
  IT: 'Infant/toddler', PR: 'Preschool/Prekindergarten', PK: 'Preschool/Prekindergarten', TK: 'Transitional Kindergarten',
  KG: 'Kindergarten', '01': 'First grade', '02': 'Second grade', '03': 'Third grade', '04': 'Fourth grade',
  '05': 'Fifth grade', '06': 'Sixth grade', '07': 'Seventh grade', '08': 'Eighth grade', '09': 'Ninth grade',
  '10': 'Tenth grade', '11': 'Eleventh grade', '12': 'Twelfth grade', '13': 'Grade 13', PS: 'Postsecondary', UG: 'Ungraded',
};

/** Roles Ed-Fi's staff classification mapping knows; any other comes out as `role: null`. */
const MAPPED_ROLES = new Set(['student', 'teacher', 'aide', 'principal', 'counselor', 'districtAdministrator', 'siteAdministrator', 'systemAdministrator', 'guardian', 'parent', 'relative']);

/** One served record with the person it came from (for feed filtering). */
interface EdfiRecord {
  record: Record<string, unknown>;
  roles: string[];
  orgs: string[];
}

/** The per-enrolment sourcedId: a hash of the person's id and the org, as Ed-Fi's views compute one. */
export function edfiUserId(personSourcedId: string, orgSourcedId: string): string {
  return createHash('md5').update(`${personSourcedId}|${orgSourcedId}`).digest('hex');
}

/** The user records Ed-Fi would serve for one person: one per distinct org of their roles. */
export function edfiRecordsOf(person: SandboxPerson, root: string): Array<Record<string, unknown>> {
  return recordsOf(person, root).map((r) => r.record);
}

function recordsOf(person: SandboxPerson, root: string): EdfiRecord[] {
  const isStudent = person.role === 'student';
  const keyName = isStudent ? 'studentUniqueId' : 'staffUniqueId';
  const records: EdfiRecord[] = [];
  for (const org of person.orgs) {
    const roles = person.roles.filter((role) => role.org === org);
    const record: Record<string, unknown> = {
      sourcedId: edfiUserId(person.sourcedId, org),
      status: person.status,
      dateLastModified: person.dateLastModified,
    };
    if (person.identifier) record.metadata = { edfi: { naturalKey: { [keyName]: person.identifier } } };
    record.username = person.username;
    record.userIds = person.identifier ? [{ type: keyName, identifier: person.identifier }] : [];
    record.enabledUser = person.enabled;
    if (person.givenName !== undefined) record.givenName = person.givenName;
    if (person.familyName !== undefined) record.familyName = person.familyName;
    if (person.middleName !== undefined) record.middleName = person.middleName;
    record.roles = roles.map((role) => {
      const served: Record<string, unknown> = {
        roleType: role.roleType,
        role: MAPPED_ROLES.has(role.role) ? role.role : null,
        org: { href: `${root}/orgs/${org}`, sourcedId: org, type: 'org' },
      };
      if (role.beginDate) served.beginDate = role.beginDate;
      return served;
    });
    record.userProfiles = [];
    if (person.identifier !== undefined) record.identifier = person.identifier;
    if (person.email !== undefined) record.email = person.email;
    record.agents = [];
    record.primaryOrg = { href: `${root}/orgs/${org}`, sourcedId: org, type: 'org' };
    record.grades = person.grades.map((grade) => EDFI_GRADE_DESCRIPTORS[grade] ?? grade);
    records.push({ record, roles: roles.map((role) => role.role), orgs: [org] });
  }
  return records;
}

/** Does a record belong on an endpoint (`/students` lists students, `/teachers` teachers)? */
function inFeed(entry: EdfiRecord, feed: UserFeed): boolean {
  if (feed.school && !entry.orgs.includes(feed.school)) return false;
  if (feed.kind === 'students') return entry.roles.includes('student');
  if (feed.kind === 'teachers') return entry.roles.includes('teacher');
  return true;
}

/** The Ed-Fi user reads of one sandbox, cached per district version. */
export class EdfiUsers {
  private cache: { key: string; records: EdfiRecord[] } | undefined;

  constructor(private readonly district: SandboxDistrict) {}

  /** A page of users (no total: Ed-Fi sends none). */
  list(feed: UserFeed, query: ListQuery, context: PresentContext): Array<Record<string, unknown>> {
    let entries = this.all(context.root).filter((entry) => inFeed(entry, feed));
    if (query.filter) entries = entries.filter((entry) => matchesFilter(entry.record, query.filter!));
    if (query.sort && query.sort !== 'sourcedId') {
      const keyed = entries.map((entry) => ({ entry, key: sortKey(entry.record, query.sort!) }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      entries = keyed.map(({ entry }) => entry);
    }
    if (query.descending) entries = [...entries].reverse();
    const limit = Math.min(query.limit, EDFI_PAGE_CAP);
    return entries.slice(query.offset, query.offset + limit).map((entry) => selectFields(entry.record, query.fields));
  }

  /** One user by its per-enrolment sourcedId. */
  user(sourcedId: string, feed: UserFeed, context: PresentContext): Record<string, unknown> | undefined {
    return this.all(context.root).find((entry) => entry.record.sourcedId === sourcedId && inFeed(entry, feed))?.record;
  }

  private all(root: string): EdfiRecord[] {
    const key = `${this.district.version}|${root}`;
    if (this.cache?.key !== key) {
      const records: EdfiRecord[] = [];
      for (const person of this.district.people()) records.push(...recordsOf(person, root));
      // Ed-Fi's default order: by sourcedId, which is a hash, so a person's records scatter over pages.
      records.sort((a, b) => compare(a.record.sourcedId as string, b.record.sourcedId as string));
      this.cache = { key, records };
    }
    return this.cache.records;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
