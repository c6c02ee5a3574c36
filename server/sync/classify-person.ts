import type { RunIssue } from '../domain/contract';
import type { NormalizedPerson } from '../providers/types';
import type { PersonFields, PersonKind } from '../store/roster-store';
import { hashPerson } from './content-hash';
import { resolveGrade } from './grades';

/** Roles that are never imported (counted in `counts.ignoredRoles`). */
const FAMILY_ROLES = new Set(['guardian', 'parent', 'relative']);

/** Column sizes of the roster tables: longer values would fail a whole batch on MySQL. */
const MAX = { sourcedId: 255, name: 255, email: 320, number: 255, role: 64 };

/** A pragmatic email check: something@something.tld, no spaces. Providers send masked or bare names. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the engine needs to classify people: the run's kinds, the staff roles and the active buildings. */
export interface ClassifyContext {
  /** Kinds this run syncs. */
  kinds: ReadonlySet<PersonKind>;
  /** OneRoster roles imported as staff. */
  staffRoles: ReadonlySet<string>;
  /** Active buildings: school sourcedId → building row id. */
  buildingsBySchool: ReadonlyMap<string, number>;
  /** The natural key rule (the `naturalKey` option): sources tried in order. */
  naturalKey: readonly string[];
  /** The district's Grade Level Matrix: incoming value or CEDS code → the district's label. */
  gradeMatrix: ReadonlyMap<string, string>;
}

/**
 * What ties a record to its person beyond its sourcedId: the natural key, the record's rank
 * among that person's records (the highest supplies the building: primary role first, then the
 * most recent enrolment), and the folded name that tells two different people apart.
 */
export interface RecordIdentity {
  /** The natural key, or null when the record has none (it then stands alone). */
  key: string | null;
  /** Sorts higher for the record that should supply the person's building. */
  rank: string;
  /** Given and family name, folded (case and accents), `given|family`. */
  name: string;
}

/** What became of one pulled person. */
export type Classified =
  /** A guardian, parent or relative: not imported, counted by role. */
  | { outcome: 'family'; role: string }
  /** A kind this run does not sync (e.g. staff on a students-only run): left alone entirely. */
  | { outcome: 'other_kind' }
  /** Unusable (no sourcedId): only an issue. */
  | { outcome: 'unusable'; issue: RunIssue }
  /** Seen but not imported: kept in staging (so it is not "missing"), with an issue or a school to count. */
  | { outcome: 'skip'; kind: PersonKind | 'unknown'; sourcedId: string; issue?: RunIssue; school?: string }
  /** `tobedeleted`: deactivate the person if we have them. */
  | { outcome: 'delete'; kind: PersonKind; sourcedId: string; name: string; legacyIds: string[] }
  /** Import (create, update, link or re-key), with the issues of fields that were dropped. */
  | { outcome: 'import'; kind: PersonKind; fields: PersonFields; legacyIds: string[]; identity: RecordIdentity; issues: RunIssue[]; unmappedGrade: string | null };

/**
 * Classifies one pulled person: by primary role (not by endpoint), to a kind, a building and the
 * fields to write. Never throws: a bad record becomes a skip or a dropped field with an issue.
 */
export function classifyPerson(person: NormalizedPerson, context: ClassifyContext): Classified {
  const sourcedId = (person.sourcedId ?? '').trim();
  if (!sourcedId || sourcedId.length > MAX.sourcedId) {
    return { outcome: 'unusable', issue: issue(sourcedId ? sourcedId.slice(0, MAX.sourcedId) : null, 'invalid_sourced_id', 'The record has no usable sourcedId; it was skipped.') };
  }
  const role = person.roles[0] ?? '';
  if (FAMILY_ROLES.has(role)) return { outcome: 'family', role };
  const kind: PersonKind | null = role === 'student' ? 'students' : context.staffRoles.has(role) ? 'staff' : null;
  if (kind && !context.kinds.has(kind)) return { outcome: 'other_kind' };
  const legacyIds = person.legacySourcedIds.filter((id) => id && id !== sourcedId && id.length <= MAX.sourcedId);

  if (!kind) {
    if (person.status === 'tobedeleted') return { outcome: 'other_kind' };
    const shown = role ? `"${role.slice(0, 64)}"` : 'no role';
    return { outcome: 'skip', kind: 'unknown', sourcedId, issue: issue(sourcedId, 'unknown_role', `The person has ${shown}, which is neither a student nor a staff role; they were skipped.`) };
  }
  if (person.status === 'tobedeleted') {
    return { outcome: 'delete', kind, sourcedId, name: displayName(person), legacyIds };
  }
  if (!person.givenName?.trim() || !person.familyName?.trim()) {
    return { outcome: 'skip', kind, sourcedId, issue: issue(sourcedId, 'missing_name', 'The person has no given name or no family name; they were skipped.') };
  }
  const buildingId = firstBuilding(person.orgSourcedIds, context.buildingsBySchool);
  if (buildingId === null) {
    return { outcome: 'skip', kind, sourcedId, school: person.orgSourcedIds[0] ?? '(none)' };
  }

  const issues: RunIssue[] = [];
  let email = blankToNull(person.email);
  // A link (`mailto:…`) is not an address, even when an address follows.
  if (email !== null && (email.length > MAX.email || !EMAIL.test(email) || /^mailto:/i.test(email))) {
    issues.push(issue(sourcedId, 'invalid_email', 'The email address is not valid; it was left out and the person kept.'));
    email = null;
  }
  const { grade, unmapped: unmappedGrade } = kind === 'students'
    ? resolveGrade(blankToNull(person.grades[0] ?? null), context.gradeMatrix)
    : { grade: null, unmapped: null };
  const withoutHash = {
    firstName: clip(person.givenName.trim(), MAX.name),
    middleName: clipOrNull(person.middleName, MAX.name),
    lastName: clip(person.familyName.trim(), MAX.name),
    preferredFirstName: clipOrNull(person.preferredFirstName, MAX.name),
    email,
    username: clipOrNull(person.username, MAX.name),
    number: clipOrNull(person.identifier, MAX.number),
    grade,
    role: kind === 'staff' ? clip(role, MAX.role) : null,
    buildingId,
    enabled: person.enabled !== false,
    naturalKey: naturalKeyOf(person, context.naturalKey),
  };
  const fields: PersonFields = { sourcedId, ...withoutHash, hash: hashPerson(withoutHash) };
  const identity: RecordIdentity = {
    key: withoutHash.naturalKey,
    rank: `${person.primaryRole ? 1 : 0}|${(person.roleBeginDate ?? '').slice(0, 40)}`,
    name: identityName(withoutHash.firstName, withoutHash.lastName),
  };
  return { outcome: 'import', kind, fields, legacyIds, identity, issues, unmappedGrade };
}

/** A person's folded `given|family` name, as `RecordIdentity.name` holds it. */
export function identityName(firstName: string, lastName: string): string {
  return `${foldName(firstName)}|${foldName(lastName)}`.slice(0, MAX.name);
}

/** The record's natural key under the configured rule: the first source it has a value for. */
export function naturalKeyOf(person: NormalizedPerson, rule: readonly string[]): string | null {
  for (const source of rule) {
    const value = source === 'identifier' ? person.identifier : source.startsWith('userIds:') ? person.userIds[source.slice(8)] : undefined;
    const key = value?.trim();
    if (key && key.length <= MAX.number) return key;
  }
  return null;
}

/** Names with nothing to decompose. */
const ASCII = /^[\x00-\x7f]*$/;

/** A name folded for comparison: lower case, accents and spaces dropped. */
export function foldName(name: string): string {
  // Most names are ASCII, where decomposing accents would find nothing to drop: skip it.
  if (ASCII.test(name)) return name.replace(/\s/g, '').toLowerCase();
  return name.normalize('NFD').replace(/[\u0300-\u036f\s]/g, '').toLowerCase();
}

/** The first org of the person that is an active building in Manage1to1, or null. */
function firstBuilding(orgSourcedIds: string[], buildings: ReadonlyMap<string, number>): number | null {
  for (const org of orgSourcedIds) {
    const id = buildings.get(org);
    if (id !== undefined) return id;
  }
  return null;
}

function displayName(person: NormalizedPerson): string {
  return `${person.givenName ?? ''} ${person.familyName ?? ''}`.trim().slice(0, MAX.name);
}

function issue(sourcedId: string | null, code: string, message: string): RunIssue {
  return { sourcedId, code, message };
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function clip(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

function clipOrNull(value: string | null | undefined, max: number): string | null {
  const trimmed = blankToNull(value);
  return trimmed === null ? null : clip(trimmed, max);
}
