/**
 * Grades: what providers send, turned into CEDS codes (`IT, PR, PK, TK, KG, 01…13, PS, UG, Other`),
 * then through the district's Grade Level Matrix (incoming value or CEDS code → the district's
 * own label). Ed-Fi sends grade level descriptors ("First grade"), SIS exports send `K`, `1`,
 * `-1`, `0`; the roster column holds 16 characters, so "Preschool/Prekindergarten" never fits.
 */

/** Longest grade the roster stores. */
export const MAX_GRADE_LENGTH = 16;

const CEDS = new Set(['IT', 'PR', 'PK', 'TK', 'KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', 'PS', 'UG', 'Other']);

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth'];

/** Spelled-out values (folded: lower case, no spaces or punctuation) and the code they mean. */
const WORDS: Record<string, string> = {
  infanttoddler: 'IT', infant: 'IT', toddler: 'IT',
  preschool: 'PR', earlyeducation: 'PR',
  prekindergarten: 'PK', preschoolprekindergarten: 'PK', prek: 'PK',
  transitionalkindergarten: 'TK',
  kindergarten: 'KG', k: 'KG',
  postsecondary: 'PS',
  ungraded: 'UG',
  other: 'Other',
};
ORDINALS.forEach((word, i) => {
  WORDS[`${word}grade`] = String(i + 1).padStart(2, '0');
});

/** A value as a CEDS code, or null when it is no vocabulary this module knows. */
export function toCedsGrade(value: string): string | null {
  const trimmed = value.trim();
  if (CEDS.has(trimmed.toUpperCase()) || trimmed === 'Other') return trimmed === 'Other' ? 'Other' : trimmed.toUpperCase();
  const numeric = /^(?:grade\s*)?(-?\d{1,2})$/i.exec(trimmed);
  if (numeric) {
    const n = Number(numeric[1]);
    if (n === -1) return 'PK';
    if (n === 0) return 'KG';
    if (n >= 1 && n <= 13) return String(n).padStart(2, '0');
    return null;
  }
  return WORDS[trimmed.toLowerCase().replace(/[^a-z]/g, '')] ?? null;
}

/** What became of one record's grade. */
export interface GradeResult {
  /** What to store, or null (nothing sent, or too long to store). */
  grade: string | null;
  /** The value as sent when nothing mapped it (it is reported once per run, not per student). */
  unmapped: string | null;
}

/**
 * The grade to store: the matrix's label for the value as sent or for its CEDS code, else the
 * CEDS code, else the value as sent (reported as unmapped; dropped only when too long to store).
 */
export function resolveGrade(value: string | null, matrix: ReadonlyMap<string, string>): GradeResult {
  if (value === null) return { grade: null, unmapped: null };
  const ceds = toCedsGrade(value);
  const label = matrix.get(value) ?? (ceds !== null ? matrix.get(ceds) : undefined);
  if (label !== undefined) return { grade: label, unmapped: null };
  if (ceds !== null) return { grade: ceds, unmapped: null };
  return { grade: value.length <= MAX_GRADE_LENGTH ? value : null, unmapped: value };
}
