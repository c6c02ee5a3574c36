import { createHash } from 'node:crypto';
import type { BuildingFields, PersonFields } from '../store/roster-store';

/**
 * A short hash of the fields a sync writes. Stored on the row, it lets a re-sync tell an unchanged
 * record from a changed one with a comparison instead of a write.
 */
export function hashPerson(fields: Omit<PersonFields, 'hash' | 'sourcedId'>): string {
  return digest([
    fields.firstName, fields.middleName, fields.lastName, fields.preferredFirstName, fields.email, fields.username,
    fields.number, fields.grade, fields.role, fields.buildingId, fields.enabled, fields.naturalKey,
  ]);
}

/** The same for a building's synced fields. */
export function hashBuilding(fields: Omit<BuildingFields, 'hash'>): string {
  return digest([fields.sisId, fields.name, fields.identifier]);
}

function digest(values: unknown[]): string {
  // 27 base64url characters of SHA-1: plenty against accidental equality, small on every row.
  return createHash('sha1').update(JSON.stringify(values)).digest('base64url').slice(0, 27);
}
