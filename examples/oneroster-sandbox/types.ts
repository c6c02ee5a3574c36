/**
 * The sandbox's normalized record shapes: what `district.people()` and `district.schools()` yield,
 * so tests can compare a synced roster with the truth without going through HTTP.
 * Role names use the OneRoster 1.2 vocabulary; the 1.1 feed maps them (see `toRole11`).
 */

/** A record's status as OneRoster spells it. */
export type SandboxStatus = 'active' | 'tobedeleted';

/** Which OneRoster version a record view follows. */
export type SandboxVersion = '1.1' | '1.2';

/** One role a person holds at one org (1.2 vocabulary: student, teacher, aide, principal, ...). */
export interface SandboxRole {
  /** `primary` for the person's main role, `secondary` for the others. */
  roleType: 'primary' | 'secondary';
  /** The role name, e.g. `student`, `teacher`, `parent`, or an unknown value like `volunteer`. */
  role: string;
  /** sourcedId of the org the role is held at. */
  org: string;
  /** When the enrolment or assignment began (ISO date); the Ed-Fi dialect serves it as `beginDate`. */
  beginDate?: string;
}

/** A person as the district currently publishes them. */
export interface SandboxPerson {
  /** The id the feed currently uses (changes after `switchToNewIds()`). */
  sourcedId: string;
  /** The id before the last `switchToNewIds()`, published as `metadata.ic.legacysourceId`. */
  legacySourcedId?: string;
  /** `tobedeleted` records stay in the feed until removed. */
  status: SandboxStatus;
  /** ISO 8601 timestamp of the last change. */
  dateLastModified: string;
  /** The primary role (shortcut for `roles[0].role`). */
  role: string;
  /** Every role, primary first. */
  roles: SandboxRole[];
  /** Distinct org sourcedIds of the roles, primary first. */
  orgs: string[];
  /** Missing on purpose on a few records (a required field a provider forgot). */
  givenName?: string;
  /** Family name. */
  familyName?: string;
  /** Middle name, when there is one. */
  middleName?: string;
  /** Preferred first name, when there is one. */
  preferredFirstName?: string;
  /** Login name. */
  username: string;
  /** Student or staff number (unique); guardians have none. */
  identifier?: string;
  /** May be missing, duplicated, or lack an `@`. */
  email?: string;
  /** `enabledUser`. */
  enabled: boolean;
  /** CEDS grade codes. */
  grades: string[];
  /** Guardians: sourcedIds of their students. */
  agents: string[];
}

/** Fields a test may set when adding or changing a person (any field but the ids and the date). */
export interface SandboxPersonInput {
  /** Defaults to `active`. */
  status?: SandboxStatus;
  /** Shortcut: one role held at every org in `orgs`. Ignored when `roles` is given. */
  role?: string;
  /** Shortcut: orgs for `role`, primary first. Ignored when `roles` is given. */
  orgs?: string[];
  /** Every role, primary first. */
  roles?: SandboxRole[];
  /** Set `undefined` to remove the field. */
  givenName?: string;
  /** Family name. */
  familyName?: string;
  /** Middle name. */
  middleName?: string;
  /** Preferred first name. */
  preferredFirstName?: string;
  /** Login name. */
  username?: string;
  /** Student or staff number. */
  identifier?: string;
  /** Set `undefined` to remove the field. */
  email?: string;
  /** `enabledUser`. */
  enabled?: boolean;
  /** CEDS grade codes. */
  grades?: string[];
  /** Guardians: sourcedIds of their students. */
  agents?: string[];
}

/** An org (district, school, department or `ext:` type) as the district currently publishes it. */
export interface SandboxOrg {
  /** Stable id (orgs never change ids). */
  sourcedId: string;
  /** `tobedeleted` orgs stay in the feed until removed. */
  status: SandboxStatus;
  /** ISO 8601 timestamp of the last change. */
  dateLastModified: string;
  /** Display name (may hold unicode). */
  name: string;
  /** `district`, `school`, `department`, or an `ext:` value. */
  type: string;
  /** School number. */
  identifier?: string;
  /** sourcedId of the parent org (schools: the district). */
  parent?: string;
}

/** Fields a test may set when adding or changing an org. */
export interface SandboxOrgInput {
  /** Defaults to `active`. */
  status?: SandboxStatus;
  /** Display name. */
  name?: string;
  /** Defaults to `school`. */
  type?: string;
  /** School number. */
  identifier?: string;
  /** Defaults to the district. */
  parent?: string;
}

/** Totals of the current truth. */
export interface SandboxCounts {
  /** Every person still in the feed (any status). */
  people: number;
  /** People per primary role (1.2 vocabulary). */
  byRole: Record<string, number>;
  /** People per status. */
  byStatus: Record<SandboxStatus, number>;
  /** Orgs of type `school` (any status). */
  schools: number;
  /** Schools per status. */
  schoolsByStatus: Record<SandboxStatus, number>;
  /** Every org (district, schools, department, ext). */
  orgs: number;
}
