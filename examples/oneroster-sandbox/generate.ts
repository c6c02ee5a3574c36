/**
 * The synthetic district: every base record is a pure function of (seed, index), so nothing is
 * stored per person. Quirks real feeds have are placed on purpose (see README "What the data holds").
 */
import { chance, hash3, pad, pick } from './hash';
import { DISTRICT_ID, ORPHAN_SCHOOL_ID, orgId, schoolId } from './ids';
import { Block, Layout, blockIndexAt } from './layout';
import { FAMILY_FOLDED, FAMILY_NAMES, GIVEN_FOLDED, GIVEN_NAMES, PLACE_NAMES } from './names';
import { SandboxOrg, SandboxPerson, SandboxRole } from './types';

/**
 * A person's data apart from their ids (which follow from index and id generation): the public
 * shape without ids, derived fields and orgs, with guardians' students as indices.
 */
export type PersonData = Omit<SandboxPerson, 'sourcedId' | 'legacySourcedId' | 'role' | 'orgs' | 'agents'> & {
  /** Indices of the people this person is a guardian of. */
  agents: number[];
};

/** What generation needs to know; built once per sandbox. */
export interface GenerationContext {
  seed: number;
  layout: Layout;
  baseDate: string;
  /** Base people whose index % 50 equals this are `tobedeleted` (arithmetic, so counts stay O(1)). */
  toBeDeletedResidue: number;
}

/** One in this many base people is `tobedeleted`. */
export const TO_BE_DELETED_PERIOD = 50;

/** The HTML-looking name a few records carry, to catch clients that render names as markup. */
export const HTML_NAME = '<img src=x onerror=alert(1)>';

const STAFF_DOMAIN = 'sandbox-district.example';
const STUDENT_DOMAIN = 'students.sandbox-district.example';
const GUARDIAN_DOMAIN = 'mail.example';

const ELEMENTARY = ['PK', 'TK', 'KG', '01', '02', '03', '04', '05'];
const MIDDLE = ['06', '07', '08'];
const HIGH = ['09', '10', '11', '12'];
const ALL_GRADES = [...ELEMENTARY, ...MIDDLE, ...HIGH];
const SCHOOL_LEVELS = [
  { grades: ELEMENTARY, label: 'Elementary School' },
  { grades: MIDDLE, label: 'Middle School' },
  { grades: HIGH, label: 'High School' },
];

/** Salts keep the hashed fields independent of each other. */
const enum Salt { Given = 1, Family, Middle, Preferred, Quirk, Email, Enabled, Grade, GuardianRole }

/** Builds the context for a seed and layout. */
export function createGenerationContext(seed: number, layout: Layout, baseDate: string): GenerationContext {
  return { seed, layout, baseDate, toBeDeletedResidue: hash3(seed, 0, 99) % TO_BE_DELETED_PERIOD };
}

/** Grades taught at 0-based school k. */
export function schoolGrades(k: number): string[] {
  return SCHOOL_LEVELS[k % SCHOOL_LEVELS.length].grades;
}

/** The district, its schools, a department and an `ext:` org. */
export function generateOrgs(seed: number, schools: number, baseDate: string): SandboxOrg[] {
  const town = pick(PLACE_NAMES, hash3(seed, -1, 1));
  const orgs: SandboxOrg[] = [
    {
      sourcedId: DISTRICT_ID, status: 'active', dateLastModified: baseDate, type: 'district',
      name: `${town} Unified School District`, identifier: `06${pad(hash3(seed, -1, 2) % 100_000, 5)}`,
    },
  ];
  for (let k = 0; k < schools; k++) {
    orgs.push({
      sourcedId: schoolId(k), status: 'active', dateLastModified: baseDate, type: 'school', parent: DISTRICT_ID,
      name: `${pick(PLACE_NAMES, hash3(seed, k, 3))} ${SCHOOL_LEVELS[k % SCHOOL_LEVELS.length].label}`,
      identifier: String(1001 + k),
    });
  }
  orgs.push(
    { sourcedId: orgId(schools + 1), status: 'active', dateLastModified: baseDate, type: 'department', parent: DISTRICT_ID, name: 'Technology Department', identifier: 'TECH' },
    { sourcedId: orgId(schools + 2), status: 'active', dateLastModified: baseDate, type: 'ext:program', parent: DISTRICT_ID, name: 'Virtual Learning Program', identifier: 'VLP' },
  );
  return orgs;
}

/** The school (org id) a base student at this index is enrolled at. */
function studentSchool(block: Block): string {
  return block.kind === 'orphanStudent' ? ORPHAN_SCHOOL_ID : schoolId(block.school);
}

/** Roles of a base person, which depend only on their block (the server's arithmetic relies on it). */
function baseRoles(ctx: GenerationContext, block: Block, index: number): SandboxRole[] {
  const primary = (role: string, org: string): SandboxRole => ({ roleType: 'primary', role, org });
  switch (block.kind) {
    case 'student':
    case 'orphanStudent':
      return [primary('student', studentSchool(block))];
    case 'teacher':
    case 'aide':
    case 'principal':
    case 'counselor':
      return [primary(block.kind, schoolId(block.school))];
    case 'districtAdministrator':
      return [primary('districtAdministrator', DISTRICT_ID)];
    case 'teacherParent':
      return [
        primary('teacher', schoolId(0)),
        { roleType: 'secondary', role: 'parent', org: schoolId(Math.min(1, ctx.layout.schools - 1)) },
      ];
    case 'unknownRole':
      return [primary('volunteer', DISTRICT_ID)];
    case 'guardian': {
      const child = guardianChild(ctx, index - block.start + block.familyOffset);
      const childSchool = child === undefined ? DISTRICT_ID : studentSchool(ctx.layout.blocks[blockIndexAt(ctx.layout, child)]);
      const roll = hash3(ctx.seed, index, Salt.GuardianRole) % 100;
      return [primary(roll < 70 ? 'parent' : roll < 95 ? 'guardian' : 'relative', childSchool)];
    }
  }
}

/** The student a guardian (by guardian number) looks after. */
function guardianChild(ctx: GenerationContext, guardianNumber: number): number | undefined {
  const { students, guardians } = ctx.layout;
  if (students === 0) return undefined;
  return Math.floor((guardianNumber * students) / Math.max(1, guardians));
}

interface Names { given?: string; family: string; givenFolded: string; familyFolded: string }

function hashedNames(seed: number, index: number): Names {
  const g = hash3(seed, index, Salt.Given) % GIVEN_NAMES.length;
  const f = hash3(seed, index, Salt.Family) % FAMILY_NAMES.length;
  return { given: GIVEN_NAMES[g], family: FAMILY_NAMES[f], givenFolded: GIVEN_FOLDED[g], familyFolded: FAMILY_FOLDED[f] };
}

/** The email a person would have without any quirk. */
function plainEmail(ctx: GenerationContext, index: number): string {
  const block = ctx.layout.blocks[blockIndexAt(ctx.layout, index)];
  const number = index - block.start + block.familyOffset;
  const names = hashedNames(ctx.seed, index);
  if (block.kind === 'student' || block.kind === 'orphanStudent') return `${1_000_000 + number}@${STUDENT_DOMAIN}`;
  if (block.kind === 'guardian') return `${names.givenFolded}.${names.familyFolded}${number}@${GUARDIAN_DOMAIN}`;
  return `${names.givenFolded}.${names.familyFolded}${number}@${STAFF_DOMAIN}`;
}

/**
 * Quirks placed on the first ten students of every district (so even a tiny district has each
 * one), then sprinkled by hash over everyone.
 */
type Quirk = 'zoe' | 'jose' | 'wang' | 'html' | 'noGivenName' | 'noAt' | 'duplicateEmail' | 'noEmail' | 'disabled' | 'none';
const FIRST_STUDENT_QUIRKS: Quirk[] = ['zoe', 'jose', 'wang', 'html', 'noGivenName', 'noAt', 'none', 'duplicateEmail', 'noEmail', 'disabled'];

function hashedQuirk(ctx: GenerationContext, index: number, isGuardian: boolean): Quirk {
  const roll = hash3(ctx.seed, index, Salt.Quirk) % 10_000;
  if (roll < 5) return 'html';
  if (roll < 10) return 'noGivenName';
  if (roll < 20) return 'noAt';
  if (roll < 70) return 'duplicateEmail';
  if (roll < (isGuardian ? 1070 : 270)) return 'noEmail';
  return 'none';
}

/** Generates the base person at `index` (0 <= index < layout.total). */
export function generatePerson(ctx: GenerationContext, index: number): PersonData {
  const block = ctx.layout.blocks[blockIndexAt(ctx.layout, index)];
  const number = index - block.start + block.familyOffset;
  const isStudent = block.kind === 'student' || block.kind === 'orphanStudent';
  const isGuardian = block.kind === 'guardian';
  const quirk = isStudent && number < FIRST_STUDENT_QUIRKS.length ? FIRST_STUDENT_QUIRKS[number] : hashedQuirk(ctx, index, isGuardian);
  const names = hashedNames(ctx.seed, index);
  let givenName: string | undefined = names.given;
  let familyName = names.family;
  if (quirk === 'zoe') givenName = 'Zoë';
  if (quirk === 'jose') { givenName = 'José'; familyName = 'Muñoz'; }
  if (quirk === 'wang') { givenName = '小明'; familyName = '王'; }
  if (quirk === 'html') givenName = HTML_NAME;
  if (quirk === 'noGivenName') givenName = undefined;

  const identifier = isStudent ? String(1_000_000 + number) : isGuardian ? undefined : `E${pad(number + 1, 5)}`;
  let email: string | undefined = plainEmail(ctx, index);
  if (quirk === 'noAt') email = email.replace('@', '.');
  if (quirk === 'duplicateEmail' && index > 0) email = plainEmail(ctx, index - 1);
  if (quirk === 'noEmail') email = undefined;

  const username = isStudent
    ? `s${identifier}`
    : `${names.givenFolded}.${names.familyFolded}${number}`;
  const middleRoll = hash3(ctx.seed, index, Salt.Middle);
  const preferredRoll = hash3(ctx.seed, index, Salt.Preferred);
  const grades = isStudent
    ? [pick(block.kind === 'orphanStudent' ? ALL_GRADES : schoolGrades(block.school), hash3(ctx.seed, index, Salt.Grade))]
    : [];
  const person: PersonData = {
    status: index % TO_BE_DELETED_PERIOD === ctx.toBeDeletedResidue ? 'tobedeleted' : 'active',
    dateLastModified: ctx.baseDate,
    roles: baseRoles(ctx, block, index),
    givenName,
    familyName,
    username,
    identifier,
    email,
    enabled: quirk !== 'disabled' && !chance(hash3(ctx.seed, index, Salt.Enabled), 2),
    grades,
    agents: [],
  };
  if (chance(middleRoll, 30)) person.middleName = pick(GIVEN_NAMES, middleRoll >>> 8);
  if (chance(preferredRoll, 3)) person.preferredFirstName = pick(GIVEN_NAMES, preferredRoll >>> 8);
  if (isGuardian) {
    const child = guardianChild(ctx, number);
    if (child !== undefined) person.agents = [child];
  }
  return person;
}

/** A fresh person for `addPerson` when the caller leaves fields out: a student at the first school. */
export function generateNewPerson(ctx: GenerationContext, index: number, now: string): PersonData {
  const names = hashedNames(ctx.seed, index);
  // Far above generated student numbers (at most 51,000,000), so identifiers stay unique.
  const number = 90_000_000 + index;
  return {
    status: 'active',
    dateLastModified: now,
    roles: [{ roleType: 'primary', role: 'student', org: schoolId(0) }],
    givenName: names.given,
    familyName: names.family,
    username: `s${number}`,
    identifier: String(number),
    email: `${number}@${STUDENT_DOMAIN}`,
    enabled: true,
    grades: [schoolGrades(0)[0]],
    agents: [],
  };
}

/** Every grade code the generator uses. */
export const GRADES: readonly string[] = ALL_GRADES;
