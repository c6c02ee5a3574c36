import { hintsFor } from './hints';
import { ProviderError, type NormalizedOrg, type NormalizedPerson, type RecordProblem, type RecordStatus } from './types';

/** The kinds of list a pull reads. */
export type ResourceKind = 'orgs' | 'users';

/** The envelope keys accepted for each kind (the key names the resource type, not the path). */
const ENVELOPE_KEYS: Record<ResourceKind, string[]> = {
  orgs: ['orgs', 'schools'],
  users: ['users', 'students', 'teachers'],
};

/**
 * The rows of a list answer: `{orgs: [...]}`, `{users: [...]}`, the `students`/`teachers` variants, or
 * a bare array. A 200 with none of these shapes is a `bad_response`, never "no records".
 */
export function extractRows(body: unknown, kind: ResourceKind): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    for (const key of ENVELOPE_KEYS[kind]) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value;
    }
  }
  const keys = ENVELOPE_KEYS[kind].map((key) => `"${key}"`).join(' or ');
  throw new ProviderError('bad_response', `The provider answered without a list of ${kind} (expected ${keys}).`, {
    hints: hintsFor('bad_response'),
  });
}

/** A row turned into a record, or the problem that kept it out. */
export type Normalized<T> = { record: T } | { problem: RecordProblem };

/** Reads one org row of any version. Only a structurally broken row (no object, no sourcedId) is a problem. */
export function normalizeOrg(raw: unknown): Normalized<NormalizedOrg> {
  const broken = structuralProblem(raw);
  if (broken) return { problem: broken };
  const row = raw as Record<string, unknown>;
  return {
    record: {
      sourcedId: text(row.sourcedId)!,
      status: readStatus(row.status),
      name: text(row.name) ?? '',
      type: text(row.type) ?? '',
      identifier: text(row.identifier),
      parentSourcedId: refId(row.parent),
      dateLastModified: text(row.dateLastModified),
    },
  };
}

/** Reads one user row of OneRoster 1.1 (`role`, `orgs`) or 1.2 (`roles`, `primaryOrg`), or both at once. */
export function normalizePerson(raw: unknown): Normalized<NormalizedPerson> {
  const broken = structuralProblem(raw);
  if (broken) return { problem: broken };
  const row = raw as Record<string, unknown>;
  const roles12 = Array.isArray(row.roles) ? row.roles.filter(isObject) : [];
  // Primary role first; JavaScript's sort is stable, so the rest keep the provider's order.
  const ordered = [...roles12].sort((a, b) => Number(isPrimary(b)) - Number(isPrimary(a)));
  const single = text(row.role);

  const roles = unique([...(ordered.length && isPrimary(ordered[0]!) ? [] : [single]), ...ordered.map((r) => text(r.role)), single]);
  const orgs = unique([
    refId(row.primaryOrg),
    ...ordered.map((r) => refId(r.org)),
    ...(Array.isArray(row.orgs) ? row.orgs.map(refId) : []),
  ]);

  return {
    record: {
      sourcedId: text(row.sourcedId)!,
      status: readStatus(row.status),
      dateLastModified: text(row.dateLastModified),
      enabled: readEnabled(row.enabledUser),
      roles,
      orgSourcedIds: orgs,
      givenName: text(row.givenName) ?? '',
      familyName: text(row.familyName) ?? '',
      middleName: text(row.middleName),
      preferredFirstName: text(row.preferredFirstName),
      identifier: text(row.identifier),
      email: text(row.email),
      username: text(row.username),
      grades: readGrades(row.grades),
      legacySourcedIds: readLegacyIds(row.metadata),
      userIds: readUserIds(row.userIds, row.metadata),
      primaryRole: ordered.length === 0 || isPrimary(ordered[0]!),
      roleBeginDate: ordered.length > 0 ? text(ordered[0]!.beginDate) : null,
    },
  };
}

/** Most `userIds` entries read from one record (a hostile feed cannot grow a record without bound). */
const MAX_USER_IDS = 20;

/**
 * `userIds: [{type, identifier}]` (1.2) and Ed-Fi's `metadata.edfi.naturalKey: {studentUniqueId: …}`,
 * by type. The first value of a type wins.
 */
function readUserIds(userIds: unknown, metadata: unknown): Record<string, string> {
  const ids: Record<string, string> = {};
  const add = (type: string | null, value: string | null) => {
    if (type && value && ids[type] === undefined && Object.keys(ids).length < MAX_USER_IDS) ids[type] = value;
  };
  if (Array.isArray(userIds)) for (const entry of userIds) if (isObject(entry)) add(text(entry.type), text(entry.identifier));
  const edfi = isObject(metadata) && isObject(metadata.edfi) ? metadata.edfi : {};
  if (isObject(edfi.naturalKey)) for (const [type, value] of Object.entries(edfi.naturalKey)) add(type, text(value));
  return ids;
}

/** `enabledUser`: "true"/"false" strings (the spec), booleans, 1/0. Absent or unreadable: enabled. */
export function readEnabled(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === 'false' || word === '0' || word === 'no') return false;
  }
  return true;
}

/** `tobedeleted` (any case) and 1.0's `inactive` mean going away; anything else is active. */
export function readStatus(value: unknown): RecordStatus {
  const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return word === 'tobedeleted' || word === 'inactive' || word === 'deleted' ? 'tobedeleted' : 'active';
}

function structuralProblem(raw: unknown): RecordProblem | null {
  if (!isObject(raw)) {
    return { sourcedId: null, code: 'unreadable_record', message: 'The provider sent a record that is not an object; it was skipped.' };
  }
  if (text(raw.sourcedId) === null) {
    return { sourcedId: null, code: 'missing_sourced_id', message: 'The provider sent a record without a sourcedId; it was skipped.' };
  }
  return null;
}

/** Grades as sent: an array of codes, or a comma-separated string some providers send. */
function readGrades(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return unique(list.map(text));
}

/** Infinite Campus keeps a user's earlier id in `metadata.ic.legacysourceId` (nested, or as a flat CSV-style key). */
function readLegacyIds(metadata: unknown): string[] {
  if (!isObject(metadata)) return [];
  const ic = isObject(metadata.ic) ? metadata.ic : {};
  const values = [ic.legacysourceId, ic.legacySourcedId, metadata['ic.legacysourceId'], metadata['ic.legacySourcedId']];
  return unique(values.flatMap((value) => (Array.isArray(value) ? value.map(text) : [text(value)])));
}

/** A reference's sourcedId: `{sourcedId}` (also `{href, sourcedId, type}`) or a bare id string. */
function refId(value: unknown): string | null {
  if (isObject(value)) return text(value.sourcedId);
  return text(value);
}

function isPrimary(role: Record<string, unknown>): boolean {
  return text(role.roleType)?.toLowerCase() === 'primary';
}

/** A non-blank string (numbers are ids too), trimmed; null otherwise. */
function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function unique(values: Array<string | null>): string[] {
  return [...new Set(values.filter((value): value is string => value !== null))];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
