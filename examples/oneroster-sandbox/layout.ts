/**
 * Where each generated person sits. The base population is a list of contiguous blocks of people
 * who share a kind and a school, so which endpoint lists a person, and how many rows an endpoint
 * has before a given index, is arithmetic on blocks rather than a scan of a million records.
 *
 * Index order: students school by school, then students of a closed school, then staff school by
 * school, then district staff, then guardians.
 */

/** What a generated person is; it fixes their roles and orgs. */
export type PersonKind =
  | 'student'
  | 'orphanStudent' // enrolled at a school that is not in /schools
  | 'teacher'
  | 'aide'
  | 'principal'
  | 'counselor'
  | 'districtAdministrator'
  | 'teacherParent' // two roles: teacher at one school, parent at another
  | 'unknownRole' // role outside the OneRoster vocabulary
  | 'guardian';

/** A run of people of one kind at one school. */
export interface Block {
  /** First index (inclusive). */
  start: number;
  /** Last index (exclusive). */
  end: number;
  /** The kind every member has. */
  kind: PersonKind;
  /** 0-based school number, or -1 for district-level people. */
  school: number;
  /** Index of `start` within its family (students, staff, guardians), for identifiers. */
  familyOffset: number;
}

/** The base population's shape. */
export interface Layout {
  /** Number of schools. */
  schools: number;
  /** Number of students (including orphans). */
  students: number;
  /** Number of staff. */
  staff: number;
  /** Number of guardians. */
  guardians: number;
  /** students + staff + guardians: base indices are 0..total-1. */
  total: number;
  /** Blocks in index order, without gaps. */
  blocks: Block[];
}

/** Splits `total` into `parts` near-equal shares. */
function share(total: number, parts: number, part: number): number {
  return Math.floor((total * (part + 1)) / parts) - Math.floor((total * part) / parts);
}

/** Builds the block list for a district of this size. */
export function buildLayout(schools: number, students: number, staff: number, guardians: number): Layout {
  const blocks: Block[] = [];
  let next = 0;
  let familyOffset = 0;
  const add = (kind: PersonKind, school: number, count: number): void => {
    if (count <= 0) return;
    blocks.push({ start: next, end: next + count, kind, school, familyOffset });
    next += count;
    familyOffset += count;
  };

  const orphans = students >= 40 ? 3 : students >= 10 ? 1 : 0;
  for (let k = 0; k < schools; k++) add('student', k, share(students - orphans, schools, k));
  add('orphanStudent', -1, orphans);

  familyOffset = 0;
  const districtLevel = staff >= 5;
  const districtAdministrators = districtLevel ? Math.max(1, Math.round(staff * 0.01)) : 0;
  const teacherParents = districtLevel ? Math.max(1, Math.round(staff * 0.02)) : 0;
  const unknownRole = districtLevel ? 1 : 0;
  const schoolStaff = staff - districtAdministrators - teacherParents - unknownRole;
  for (let k = 0; k < schools; k++) {
    const n = share(schoolStaff, schools, k);
    const principals = n >= 2 ? 1 : 0;
    const counselors = n >= 6 ? 1 : 0;
    const aides = n >= 3 ? Math.max(1, Math.floor(n * 0.12)) : 0;
    add('teacher', k, n - principals - counselors - aides);
    add('aide', k, aides);
    add('principal', k, principals);
    add('counselor', k, counselors);
  }
  add('districtAdministrator', -1, districtAdministrators);
  add('teacherParent', 0, teacherParents);
  add('unknownRole', -1, unknownRole);

  familyOffset = 0;
  add('guardian', -1, guardians);
  return { schools, students, staff, guardians, total: next, blocks };
}

/** The block holding a base index (binary search; the index must be in 0..total-1). */
export function blockIndexAt(layout: Layout, index: number): number {
  let low = 0;
  let high = layout.blocks.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (layout.blocks[mid].start <= index) low = mid;
    else high = mid - 1;
  }
  return low;
}
