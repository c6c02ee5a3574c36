/**
 * The district a sandbox serves: the generated base population plus an overlay of changes
 * (changed or added people in a Map, removed ones in a Set). Tests read the truth from here and
 * change it while the server runs.
 */
import { roleGroups } from './dialects';
import { GenerationContext, PersonData, createGenerationContext, generateNewPerson, generateOrgs, generatePerson } from './generate';
import { hash3, pad, pick } from './hash';
import { DISTRICT_ID, orgId, parseUserId, secondaryUserId, userId, type UserIdStyle } from './ids';
import { Layout, buildLayout } from './layout';
import { FAMILY_NAMES, GIVEN_NAMES } from './names';
import { ResolvedSandboxOptions } from './options';
import {
  SandboxCounts, SandboxOrg, SandboxOrgInput, SandboxPerson, SandboxPersonInput, SandboxRole, SandboxStatus, SandboxVersion,
} from './types';

/** Where `addPerson` and `addSchool` put the new record in sourcedId order. */
export interface SandboxAddOptions {
  /** `last` (default) sorts after everyone; `first` before everyone (what shifts pages under a client). */
  position?: 'first' | 'last';
}

/** Options of `people()`. */
export interface SandboxPeopleOptions {
  /** `1.2` (default): one record per person. `1.1`: one per 1.1 role, ids and role names as the 1.1 feed has them. */
  version?: SandboxVersion;
}

interface StoredPerson {
  data: PersonData;
  /** The id generation the person was added in (base people: 0); decides whether they have a legacy id. */
  createdGeneration: number;
}

/** The truth, and the knobs to change it. */
export class SandboxDistrict {
  /** @internal Generation inputs, shared with the feed index. */
  readonly context: GenerationContext;
  /** @internal Bumped by every change; caches key on it. */
  version = 0;
  /** @internal Lowest person index (negative once people were added `first`). */
  minIndex = 0;
  /** @internal One past the highest person index. */
  nextIndex: number;
  /** @internal Current id generation (bumped by switchToNewIds). */
  generation = 0;

  private readonly overrides = new Map<number, StoredPerson>();
  private readonly removed = new Set<number>();
  private readonly orgsById = new Map<string, SandboxOrg>();
  private nextOrgNumber: number;
  private firstOrgNumber = 0;
  private fixedNow: Date | undefined;
  private sortedOrgs: { version: number; list: SandboxOrg[] } | undefined;
  private exceptions: { version: number; indices: number[] } | undefined;

  /** How user sourcedIds look. */
  private readonly idStyle: UserIdStyle;

  constructor(options: ResolvedSandboxOptions) {
    this.idStyle = options.idStyle;
    const layout = buildLayout(options.schools, options.students, options.staff, options.guardians);
    this.context = createGenerationContext(options.seed, layout, options.baseDate);
    this.nextIndex = layout.total;
    for (const org of generateOrgs(options.seed, options.schools, options.baseDate)) this.orgsById.set(org.sourcedId, org);
    this.nextOrgNumber = options.schools + 3;
  }

  /** @internal The block layout of the base population. */
  get layout(): Layout {
    return this.context.layout;
  }

  // ---- clock -------------------------------------------------------------------------------

  /** The clock that stamps dateLastModified on changes (real time unless `setNow` fixed it). */
  now(): Date {
    return this.fixedNow ? new Date(this.fixedNow) : new Date();
  }

  /** Fixes the clock (deterministic dates in tests); `undefined` goes back to real time. */
  setNow(date: Date | string | undefined): void {
    this.fixedNow = date === undefined ? undefined : new Date(date);
    if (this.fixedNow && Number.isNaN(this.fixedNow.getTime())) throw new TypeError('setNow: not a date');
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  // ---- reading the truth -------------------------------------------------------------------

  /** Every org still in the feed (any status), sorted by sourcedId. */
  orgs(): SandboxOrg[] {
    if (this.sortedOrgs?.version !== this.version) {
      const list = [...this.orgsById.values()].sort((a, b) => compareIds(a.sourcedId, b.sourcedId));
      this.sortedOrgs = { version: this.version, list };
    }
    return this.sortedOrgs.list.map((org) => ({ ...org }));
  }

  /** Orgs of type `school` (any status), sorted by sourcedId. */
  schools(): SandboxOrg[] {
    return this.orgs().filter((org) => org.type === 'school');
  }

  /** One org, or undefined. */
  org(sourcedId: string): SandboxOrg | undefined {
    const org = this.orgsById.get(sourcedId);
    return org && { ...org };
  }

  /**
   * Every person still in the feed (any status), in sourcedId order. A generator: a million-person
   * district is produced one record at a time.
   */
  *people(options: SandboxPeopleOptions = {}): IterableIterator<SandboxPerson> {
    for (let index = this.minIndex; index < this.nextIndex; index++) {
      const data = this.personAt(index);
      if (!data) continue;
      const person = this.toPublic(index, data);
      if (options.version === '1.1') yield* splitFor11(person);
      else yield person;
    }
  }

  /** One person by current sourcedId (1.1 secondary-role ids give that record's view), or undefined. */
  person(sourcedId: string): SandboxPerson | undefined {
    const parsed = parseUserId(sourcedId, this.generation, this.idStyle);
    if (!parsed) return undefined;
    const data = this.personAt(parsed.index);
    if (!data) return undefined;
    const person = this.toPublic(parsed.index, data);
    if (parsed.roleLetter === undefined) return person;
    return splitFor11(person).find((record) => record.sourcedId === sourcedId);
  }

  /** Totals per primary role and per status. O(people): a million people take a second or two. */
  counts(): SandboxCounts {
    const byRole: Record<string, number> = {};
    const byStatus: Record<SandboxStatus, number> = { active: 0, tobedeleted: 0 };
    let people = 0;
    for (let index = this.minIndex; index < this.nextIndex; index++) {
      const data = this.personAt(index);
      if (!data) continue;
      people++;
      const role = data.roles[0]?.role ?? '';
      byRole[role] = (byRole[role] ?? 0) + 1;
      byStatus[data.status]++;
    }
    const orgs = [...this.orgsById.values()];
    const schools = orgs.filter((org) => org.type === 'school');
    const schoolsByStatus: Record<SandboxStatus, number> = { active: 0, tobedeleted: 0 };
    for (const school of schools) schoolsByStatus[school.status]++;
    return { people, byRole, byStatus, schools: schools.length, schoolsByStatus, orgs: orgs.length };
  }

  // ---- changing people ---------------------------------------------------------------------

  /** Adds a person (by default an active student at the first school) stamped with the clock. */
  addPerson(input: SandboxPersonInput = {}, options: SandboxAddOptions = {}): SandboxPerson {
    const index = options.position === 'first' ? --this.minIndex : this.nextIndex++;
    const data = this.applyInput(generateNewPerson(this.context, index, this.stamp()), input);
    this.overrides.set(index, { data, createdGeneration: this.generation });
    this.version++;
    return this.toPublic(index, data);
  }

  /** Changes any fields of a person and stamps dateLastModified. */
  updatePerson(sourcedId: string, patch: SandboxPersonInput): SandboxPerson {
    const index = this.requireIndex(sourcedId);
    const current = this.personAt(index)!;
    const data = this.applyInput({ ...current }, patch);
    data.dateLastModified = this.stamp();
    this.overrides.set(index, { data, createdGeneration: this.overrides.get(index)?.createdGeneration ?? 0 });
    this.version++;
    return this.toPublic(index, data);
  }

  /** Sets status `tobedeleted` (the record stays in the feed). */
  markToBeDeleted(sourcedId: string): SandboxPerson {
    return this.updatePerson(sourcedId, { status: 'tobedeleted' });
  }

  /** Takes a person out of the feed altogether (how Infinite Campus deletes). */
  removePerson(sourcedId: string): void {
    const index = this.requireIndex(sourcedId);
    this.overrides.delete(index);
    this.removed.add(index);
    this.version++;
  }

  /**
   * Changes about `fraction` of the people (names, emails, grades, enabled), stamped with the
   * clock: the daily delta of a benchmark. Returns the changed sourcedIds.
   */
  changeRandomPeople(fraction: number, seed: number): string[] {
    const span = this.nextIndex - this.minIndex;
    const target = Math.round(Math.max(0, Math.min(1, fraction)) * (span - this.removed.size));
    const chosen = new Set<number>();
    const stamp = this.stamp();
    for (let attempt = 0; chosen.size < target && attempt < target * 20 + 100; attempt++) {
      const index = this.minIndex + (hash3(seed, attempt, 77) % span);
      if (chosen.has(index)) continue;
      const current = this.personAt(index);
      if (!current) continue;
      chosen.add(index);
      const data = { ...current, dateLastModified: stamp };
      const roll = hash3(seed, index, 78);
      switch (roll % 4) {
        case 0: data.familyName = pick(FAMILY_NAMES, roll >>> 4); break;
        case 1: data.email = data.email ? `changed.${data.email}` : `changed${index}@sandbox-district.example`; break;
        case 2: data.middleName = pick(GIVEN_NAMES, roll >>> 4); break;
        default: data.enabled = !data.enabled;
      }
      this.overrides.set(index, { data, createdGeneration: this.overrides.get(index)?.createdGeneration ?? 0 });
    }
    this.version++;
    return [...chosen].sort((a, b) => a - b).map((index) => this.idOf(index));
  }

  /**
   * The Infinite Campus 1.1 → 1.2 move: every person gets a new sourcedId; the old one is kept as
   * `legacySourcedId` and published as `metadata.ic.legacysourceId`. Dates do not change (so a
   * delta pull sees nothing: only a full pull finds the new ids).
   */
  switchToNewIds(): void {
    this.generation++;
    this.version++;
  }

  // ---- changing orgs -----------------------------------------------------------------------

  /** Adds an org (by default an active school under the district), stamped with the clock. */
  addSchool(input: SandboxOrgInput = {}, options: SandboxAddOptions = {}): SandboxOrg {
    const sourcedId = options.position === 'first'
      ? `org-0-${pad(99_999 - this.firstOrgNumber++, 5)}`
      : orgId(this.nextOrgNumber++);
    const org: SandboxOrg = {
      sourcedId, status: 'active', dateLastModified: this.stamp(), type: 'school', parent: DISTRICT_ID,
      name: `New School ${sourcedId}`, identifier: sourcedId.replace(/\D/g, ''),
    };
    Object.assign(org, definedOnly(input));
    this.orgsById.set(sourcedId, org);
    this.version++;
    return { ...org };
  }

  /** Changes any fields of an org (any type) and stamps dateLastModified. */
  updateSchool(sourcedId: string, patch: SandboxOrgInput): SandboxOrg {
    const org = this.orgsById.get(sourcedId);
    if (!org) throw new Error(`sandbox: no org ${sourcedId}`);
    Object.assign(org, patch, { dateLastModified: this.stamp() });
    this.version++;
    return { ...org };
  }

  /** Sets an org's status to `tobedeleted` (it stays in the feed). */
  markSchoolToBeDeleted(sourcedId: string): SandboxOrg {
    return this.updateSchool(sourcedId, { status: 'tobedeleted' });
  }

  /** Takes an org out of the feed; its people keep pointing at it. */
  removeSchool(sourcedId: string): void {
    if (!this.orgsById.delete(sourcedId)) throw new Error(`sandbox: no org ${sourcedId}`);
    this.version++;
  }

  // ---- internals shared with the server ----------------------------------------------------

  /** @internal The person at an index, or undefined (removed, or no one there). */
  personAt(index: number): PersonData | undefined {
    if (this.removed.has(index)) return undefined;
    const stored = this.overrides.get(index);
    if (stored) return stored.data;
    if (index >= 0 && index < this.context.layout.total) return generatePerson(this.context, index);
    return undefined;
  }

  /** @internal Sorted indices whose person differs from the generated base (changed, added, removed). */
  exceptionIndices(): number[] {
    if (this.exceptions?.version !== this.version) {
      const indices = [...this.overrides.keys(), ...this.removed].sort((a, b) => a - b);
      this.exceptions = { version: this.version, indices };
    }
    return this.exceptions.indices;
  }

  /** @internal The current sourcedId of an index. */
  idOf(index: number): string {
    return userId(index, this.generation, this.idStyle);
  }

  /** @internal The id before the last switch, when the person existed then. */
  legacyIdOf(index: number): string | undefined {
    const created = this.overrides.get(index)?.createdGeneration ?? 0;
    return this.generation > created ? userId(index, this.generation - 1, this.idStyle) : undefined;
  }

  /** @internal Index of a current id, or undefined. */
  indexOf(sourcedId: string): { index: number; roleLetter?: string } | undefined {
    const parsed = parseUserId(sourcedId, this.generation, this.idStyle);
    return parsed && this.personAt(parsed.index) ? parsed : undefined;
  }

  /** @internal The normalized public view of a person. */
  toPublic(index: number, data: PersonData): SandboxPerson {
    const person: SandboxPerson = {
      sourcedId: this.idOf(index),
      status: data.status,
      dateLastModified: data.dateLastModified,
      role: data.roles[0]?.role ?? '',
      roles: data.roles.map((role) => ({ ...role })),
      orgs: distinctOrgs(data.roles),
      username: data.username,
      enabled: data.enabled,
      grades: [...data.grades],
      agents: data.agents.map((agent) => this.idOf(agent)),
    };
    const legacy = this.legacyIdOf(index);
    if (legacy) person.legacySourcedId = legacy;
    for (const key of ['givenName', 'familyName', 'middleName', 'preferredFirstName', 'identifier', 'email'] as const) {
      if (data[key] !== undefined) person[key] = data[key];
    }
    return person;
  }

  private requireIndex(sourcedId: string): number {
    const parsed = this.indexOf(sourcedId);
    if (!parsed) throw new Error(`sandbox: no person ${sourcedId}`);
    return parsed.index;
  }

  private applyInput(data: PersonData, input: SandboxPersonInput): PersonData {
    const { role, orgs, roles, agents, ...plain } = input;
    for (const [key, value] of Object.entries(plain)) {
      // Optional fields may be removed with undefined; required ones keep their value.
      if (value === undefined && REQUIRED_FIELDS.has(key)) continue;
      (data as unknown as Record<string, unknown>)[key] = value;
    }
    if (roles) {
      data.roles = roles.map((r) => ({ ...r }));
    } else if (role !== undefined || orgs !== undefined) {
      const newRole = role ?? data.roles[0]?.role ?? 'student';
      const newOrgs = orgs ?? distinctOrgs(data.roles);
      data.roles = newOrgs.map((org, i): SandboxRole => ({ roleType: i === 0 ? 'primary' : 'secondary', role: newRole, org }));
    }
    if (agents) {
      data.agents = agents.flatMap((id) => {
        const parsed = parseUserId(id, this.generation, this.idStyle);
        return parsed ? [parsed.index] : [];
      });
    }
    if (input.grades) data.grades = [...input.grades];
    return data;
  }
}

const REQUIRED_FIELDS = new Set(['status', 'username', 'enabled', 'grades']);

/** The 1.1 records of a person: one per distinct 1.1 role. */
function splitFor11(person: SandboxPerson): SandboxPerson[] {
  return roleGroups(person.roles, '1.1').map((group) => ({
    ...person,
    sourcedId: group.letter ? secondaryUserId(person.sourcedId, group.letter) : person.sourcedId,
    role: group.role,
    roles: group.roles,
    orgs: distinctOrgs(group.roles),
  }));
}

function distinctOrgs(roles: SandboxRole[]): string[] {
  return [...new Set(roles.map((role) => role.org))];
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Plain code-unit order, the order the server sorts sourcedIds in. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
