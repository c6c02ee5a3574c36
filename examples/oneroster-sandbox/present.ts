/**
 * Records as each dialect serves them. 1.1: `role` + `orgs[]` + `enabledUser` as a string.
 * 1.2: `roles[]` + `primaryOrg` + `userIds` + `enabledUser` as a boolean. Infinite Campus calls
 * everything `active`. After `switchToNewIds()` users carry `metadata.ic.legacysourceId`.
 */
import { DIALECTS, Dialect, RoleGroup } from './dialects';
import { PersonData } from './generate';
import { SandboxOrg } from './types';

/** A OneRoster GUID reference. */
interface Reference {
  href: string;
  sourcedId: string;
  type: 'org' | 'user';
}

/** What presenting needs besides the record. */
export interface PresentContext {
  /** The OneRoster root the request came in on (hrefs point under it). */
  root: string;
  dialect: Dialect;
  /** Ids of an org's child orgs (computed once per page by the caller). */
  childrenOf: (orgId: string) => string[];
}

/** Fields a users filter may name, per version (nested paths are checked by their first part). */
export const USER_FIELDS: Record<'1.1' | '1.2', Set<string>> = {
  '1.1': new Set(['sourcedId', 'status', 'dateLastModified', 'metadata', 'username', 'userIds', 'enabledUser', 'givenName', 'familyName', 'middleName', 'role', 'identifier', 'email', 'sms', 'phone', 'agents', 'orgs', 'grades']),
  '1.2': new Set(['sourcedId', 'status', 'dateLastModified', 'metadata', 'userMasterIdentifier', 'username', 'userIds', 'enabledUser', 'givenName', 'familyName', 'middleName', 'preferredFirstName', 'roles', 'role', 'identifier', 'email', 'sms', 'phone', 'agents', 'orgs', 'grades', 'primaryOrg', 'userProfiles']),
};

/** Fields an orgs filter may name. */
export const ORG_FIELDS = new Set(['sourcedId', 'status', 'dateLastModified', 'metadata', 'name', 'type', 'identifier', 'parent', 'children']);

/** 1.2 has no top-level `role` or `orgs`: filters on them look inside `roles`. */
export const USER_ALIASES_12: Record<string, string> = {
  'role': 'roles.role',
  'orgs.sourcedId': 'roles.org.sourcedId',
};

/** Is a filter field known for this resource? */
export function isKnownField(fields: Set<string>, field: string): boolean {
  return fields.has(field.split('.')[0]);
}

function orgRef(root: string, sourcedId: string): Reference {
  return { href: `${root}/orgs/${sourcedId}`, sourcedId, type: 'org' };
}

function userRef(root: string, sourcedId: string): Reference {
  return { href: `${root}/users/${sourcedId}`, sourcedId, type: 'user' };
}

/** One user record. `sourcedId` is the record's id (1.1 secondary-role records have their own). */
export function presentUser(
  person: PersonData, group: RoleGroup, ids: { sourcedId: string; legacySourcedId?: string; agents: string[] }, context: PresentContext,
): Record<string, unknown> {
  const traits = DIALECTS[context.dialect];
  const status = traits.omitsToBeDeleted ? 'active' : person.status;
  const record: Record<string, unknown> = {
    sourcedId: ids.sourcedId,
    status,
    dateLastModified: person.dateLastModified,
  };
  if (ids.legacySourcedId) record.metadata = { ic: { legacysourceId: ids.legacySourcedId } };
  record.username = person.username;
  const userIds = person.identifier ? [{ type: person.roles[0]?.role === 'student' ? 'studentNumber' : 'staffNumber', identifier: person.identifier }] : [];
  record.userIds = userIds;
  record.enabledUser = traits.enabledAsString ? String(person.enabled) : person.enabled;
  if (person.givenName !== undefined) record.givenName = person.givenName;
  if (person.familyName !== undefined) record.familyName = person.familyName;
  if (person.middleName !== undefined) record.middleName = person.middleName;
  const orgIds = [...new Set(group.roles.map((role) => role.org))];
  if (traits.version === '1.1') {
    record.role = group.role;
    record.identifier = person.identifier ?? '';
    // 1.1 feeds come from CSV-minded systems: a missing email is an empty string there.
    record.email = person.email ?? '';
    record.agents = ids.agents.map((id) => userRef(context.root, id));
    record.orgs = orgIds.map((id) => orgRef(context.root, id));
    record.grades = person.grades;
    return record;
  }
  if (person.preferredFirstName !== undefined) record.preferredFirstName = person.preferredFirstName;
  record.roles = group.roles.map((role) => ({ roleType: role.roleType, role: role.role, org: orgRef(context.root, role.org) }));
  record.userProfiles = [];
  if (person.identifier !== undefined) record.identifier = person.identifier;
  if (person.email !== undefined) record.email = person.email;
  record.agents = ids.agents.map((id) => userRef(context.root, id));
  if (orgIds[0]) record.primaryOrg = orgRef(context.root, orgIds[0]);
  record.grades = person.grades;
  return record;
}

/** One org record. */
export function presentOrg(org: SandboxOrg, context: PresentContext): Record<string, unknown> {
  const traits = DIALECTS[context.dialect];
  const record: Record<string, unknown> = {
    sourcedId: org.sourcedId,
    status: traits.omitsToBeDeleted ? 'active' : org.status,
    dateLastModified: org.dateLastModified,
    name: org.name,
    type: org.type,
    identifier: org.identifier ?? '',
  };
  record.parent = org.parent ? orgRef(context.root, org.parent) : null;
  record.children = context.childrenOf(org.sourcedId).map((id) => orgRef(context.root, id));
  return record;
}
