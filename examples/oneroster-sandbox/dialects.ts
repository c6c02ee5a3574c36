/**
 * The ways the sandbox speaks OneRoster: plain 1.1 and 1.2, Infinite Campus, and ClassLink's proxy.
 * Each differs in record shape and in a few documented quirks.
 */
import { SandboxRole, SandboxVersion } from './types';

/** One way of serving the district. */
export type Dialect = 'v1p1' | 'v1p2' | 'ic-v1p1' | 'ic-v1p2' | 'classlink' | 'edfi';

/** What sets a dialect apart. */
export interface DialectTraits {
  /** Record shapes: 1.1 (`role`, `orgs`) or 1.2 (`roles`, `primaryOrg`). */
  version: SandboxVersion;
  /** Infinite Campus leaves `tobedeleted` people and orgs out and calls everything `active`. */
  omitsToBeDeleted: boolean;
  /** `enabledUser` as the strings "true"/"false" (1.1 spec, ClassLink) instead of booleans (1.2). */
  enabledAsString: boolean;
  /** ClassLink's /students also lists some teachers: clients must classify by role. */
  studentsIncludeTeacherParents: boolean;
  /** ClassLink sends `x-count` (rows in this page). */
  sendsPageCount: boolean;
  /**
   * Ed-Fi's OneRoster API: one user record per enrolment (see `edfi.ts`), grades as Ed-Fi
   * descriptors, `role: null` for unmapped staff classifications, no `X-Total-Count` or `Link`,
   * and `limit` silently capped at 500.
   */
  edfi: boolean;
}

/** Traits per dialect. */
export const DIALECTS: Record<Dialect, DialectTraits> = {
  'v1p1': { version: '1.1', omitsToBeDeleted: false, enabledAsString: true, studentsIncludeTeacherParents: false, sendsPageCount: false, edfi: false },
  'v1p2': { version: '1.2', omitsToBeDeleted: false, enabledAsString: false, studentsIncludeTeacherParents: false, sendsPageCount: false, edfi: false },
  'ic-v1p1': { version: '1.1', omitsToBeDeleted: true, enabledAsString: true, studentsIncludeTeacherParents: false, sendsPageCount: false, edfi: false },
  'ic-v1p2': { version: '1.2', omitsToBeDeleted: true, enabledAsString: false, studentsIncludeTeacherParents: false, sendsPageCount: false, edfi: false },
  'classlink': { version: '1.1', omitsToBeDeleted: false, enabledAsString: true, studentsIncludeTeacherParents: true, sendsPageCount: true, edfi: false },
  'edfi': { version: '1.2', omitsToBeDeleted: false, enabledAsString: false, studentsIncludeTeacherParents: false, sendsPageCount: false, edfi: true },
};

/** 1.2 roles that 1.1 lacks, and what 1.1 calls them. */
const ROLE_11: Record<string, string> = {
  principal: 'administrator',
  districtAdministrator: 'administrator',
  siteAdministrator: 'administrator',
  systemAdministrator: 'administrator',
  counselor: 'administrator',
};

/** The 1.1 name of a 1.2 role (unknown roles pass through unchanged). */
export function toRole11(role: string): string {
  return ROLE_11[role] ?? role;
}

/** Letters suffixed to the 1.1 ids of secondary-role records, like Infinite Campus's role letters. */
const ROLE_LETTERS: Record<string, string> = {
  student: 's', teacher: 't', aide: 'a', administrator: 'm', guardian: 'g', parent: 'p', relative: 'r', proctor: 'x',
};

/** The id letter of a 1.1 role. */
export function roleLetter(role11: string): string {
  return ROLE_LETTERS[role11] ?? 'o';
}

/**
 * The records one person makes in a version. 1.2: one record with every role. 1.1: one record
 * per distinct 1.1 role; the primary role's record keeps the person's id, the others get a role
 * letter suffix and come after it in letter order (so sourcedId order still holds).
 */
export interface RoleGroup {
  /** Undefined for the primary record; the id suffix letter otherwise. */
  letter?: string;
  /** 1.1: the record's single role name; 1.2: the primary role. */
  role: string;
  /** The roles this record carries (1.1 names in 1.1). */
  roles: SandboxRole[];
}

/** Splits a person's roles into records for a version. */
export function roleGroups(roles: SandboxRole[], version: SandboxVersion): RoleGroup[] {
  if (version === '1.2') return [{ role: roles[0]?.role ?? '', roles }];
  const byRole = new Map<string, SandboxRole[]>();
  for (const role of roles) {
    const name = toRole11(role.role);
    const list = byRole.get(name) ?? [];
    list.push({ ...role, role: name });
    byRole.set(name, list);
  }
  const groups: RoleGroup[] = [];
  let first = true;
  for (const [role, list] of byRole) {
    groups.push(first ? { role, roles: list } : { role, roles: list, letter: roleLetter(role) });
    first = false;
  }
  const [primary, ...secondary] = groups;
  secondary.sort((a, b) => (a.letter! < b.letter! ? -1 : a.letter! > b.letter! ? 1 : 0));
  // A person without roles still makes one (odd) record, as in 1.2.
  return primary ? [primary, ...secondary] : [{ role: '', roles: [] }];
}
