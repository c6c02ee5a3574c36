import Joi from 'joi';
import type { BuildingMatchingInput, BuildingMatchingView, BuildingMatchReason, SchoolSample } from '../domain/contract';
import type { ProviderConnection } from '../providers/types';
import type { StoredBuilding } from '../store/roster-store';
import { errors } from '../domain/errors';

/** Body of `PUT /buildings/matching` (read by the route). */
export const matchingSchema = Joi.object<BuildingMatchingInput>({
  matches: Joi.array()
    .items(Joi.object({ buildingId: Joi.number().integer().min(1).required(), sourcedId: Joi.string().max(255).allow(null).required() }))
    .max(5000)
    .required(),
});

/** Reads every school the provider sends (a district has hundreds, not millions). */
export async function pullSchools(connection: ProviderConnection): Promise<SchoolSample[]> {
  const schools = new Map<string, SchoolSample>();
  for await (const page of connection.schools({})) {
    for (const org of page.records) {
      if (org.type && org.type.toLowerCase() !== 'school') continue;
      const sourcedId = (org.sourcedId ?? '').trim();
      if (!sourcedId || org.status === 'tobedeleted' || schools.has(sourcedId)) continue;
      schools.set(sourcedId, { sourcedId, name: (org.name ?? '').trim() || sourcedId, identifier: org.identifier?.trim() || null });
    }
  }
  return [...schools.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Case, spacing and punctuation do not tell two school names apart. */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/**
 * Proposes a school for each building: the one it is already linked to (same Building SIS), else
 * the one with its identifier, else the one with its name. A school is proposed once at most, and
 * only when exactly one school fits, so a guess never lands two buildings on one school.
 */
export function proposeMatches(schools: SchoolSample[], buildings: StoredBuilding[]): BuildingMatchingView {
  const byId = new Map(schools.map((s) => [s.sourcedId, s]));
  const unique = <K>(key: (s: SchoolSample) => K | null) => {
    const found = new Map<K, SchoolSample | null>();
    for (const school of schools) {
      const k = key(school);
      if (k !== null) found.set(k, found.has(k) ? null : school);
    }
    return found;
  };
  const byIdentifier = unique((s) => (s.identifier ? s.identifier.toLowerCase() : null));
  const byName = unique((s) => nameKey(s.name) || null);
  const taken = new Set(buildings.map((b) => b.sisId).filter((id): id is string => id !== null && byId.has(id)));

  const rows = buildings
    .filter((b) => b.active)
    .map((building) => {
      if (building.sisId !== null && byId.has(building.sisId)) {
        return { building, proposed: building.sisId, reason: 'sis_id' as BuildingMatchReason };
      }
      const candidates: Array<[SchoolSample | null | undefined, BuildingMatchReason]> = [
        [building.identifier ? byIdentifier.get(building.identifier.toLowerCase()) : undefined, 'identifier'],
        [byName.get(nameKey(building.name)), 'name'],
      ];
      for (const [school, reason] of candidates) {
        if (school && !taken.has(school.sourcedId)) {
          taken.add(school.sourcedId);
          return { building, proposed: school.sourcedId, reason };
        }
      }
      return { building, proposed: null, reason: null };
    });
  return {
    schools,
    buildings: rows.map(({ building, proposed, reason }) => ({
      id: building.id, name: building.name, identifier: building.identifier, sisId: building.sisId, proposed, reason,
    })),
  };
}

/**
 * Checks the admin's matches against the schools and buildings: every building exists, every
 * school is the provider's, and no school ends up on two buildings (that would duplicate people).
 */
export function checkMatches(input: BuildingMatchingInput, schools: SchoolSample[], buildings: StoredBuilding[]): Array<{ id: number; sisId: string | null }> {
  const schoolIds = new Set(schools.map((s) => s.sourcedId));
  const known = new Map(buildings.map((b) => [b.id, b]));
  const problems: Array<{ field: string; message: string }> = [];
  const seen = new Set<number>();
  input.matches.forEach((match, i) => {
    if (!known.has(match.buildingId)) problems.push({ field: `matches.${i}.buildingId`, message: 'No building has this id.' });
    if (seen.has(match.buildingId)) problems.push({ field: `matches.${i}.buildingId`, message: 'This building is listed twice.' });
    seen.add(match.buildingId);
    if (match.sourcedId !== null && !schoolIds.has(match.sourcedId)) {
      problems.push({ field: `matches.${i}.sourcedId`, message: 'The provider has no school with this sourcedId.' });
    }
  });
  if (problems.length > 0) throw errors.validation(problems, 'Some matches are not valid.');

  // The Building SIS values after the change: the new ones, and every other building's current one.
  const after = new Map<number, string | null>(buildings.map((b) => [b.id, b.sisId]));
  for (const match of input.matches) after.set(match.buildingId, match.sourcedId);
  const owners = new Map<string, number>();
  for (const [id, sisId] of after) {
    if (sisId === null) continue;
    if (owners.has(sisId)) {
      const school = schools.find((s) => s.sourcedId === sisId)?.name ?? sisId;
      throw errors.schoolMatchedTwice(school, { sourcedId: sisId, buildingIds: [owners.get(sisId), id] });
    }
    owners.set(sisId, id);
  }
  return input.matches
    .filter((match) => known.get(match.buildingId)!.sisId !== match.sourcedId)
    .map((match) => ({ id: match.buildingId, sisId: match.sourcedId }));
}
