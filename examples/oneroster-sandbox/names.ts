/**
 * Name lists for the synthetic district. They mix plain ASCII with accents, non-Latin scripts and
 * apostrophes on purpose: clients must store and show them unchanged.
 */

/** Given names. */
export const GIVEN_NAMES: readonly string[] = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Zoë', 'José', 'Chloé', 'Mateo',
  'Ava', 'Lucas', 'Mia', 'Ethan', 'Aaliyah', 'Mohammed', 'Siobhán', 'Björn', 'Nguyễn', 'Priya', 'Aarav', 'Fatima',
  'Kai', 'Leilani', 'Hiroshi', 'Yuki', 'Dmitri', 'Anaïs', 'Renée', 'Søren', 'Ximena', 'Santiago', 'Isabella',
  'Grace', 'Jack', 'Harper', 'Henry', 'Evelyn', 'Daniel', 'Abigail', 'Samuel', 'Emily', 'Wyatt', 'Ella', 'Owen',
  'Scarlett', 'Jayden', 'Camila', 'Luca', 'Madison', 'Levi', 'Luna', 'Isaac', 'Nora', 'Gabriel', 'Hazel', 'Julian',
  '小明', 'Ana-María', "D'Andre", 'Nikolai', 'Thandiwe', 'Oluwaseun', 'Ngozi', 'Ayşe', 'Łukasz', 'Zoltán',
];

/** Family names. */
export const FAMILY_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernández', 'López', 'González', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee',
  'Pérez', 'Thompson', 'White', 'Harris', 'Sánchez', 'Clark', 'Ramírez', 'Lewis', 'Robinson', 'Walker', 'Young',
  "O'Brien", 'Nguyen', 'Kim', 'Patel', 'Chen', '王', '李', '김', 'Müller', 'Schröder', 'Østergaard', 'Dubois',
  'Van der Berg', 'Okafor', 'Adeyemi', 'Kowalski', 'Novák', 'Yılmaz', 'Papadopoulos', 'Ivanov', 'Cohen', 'Rossi',
  'Silva', 'Santos', 'Tanaka', 'Suzuki', 'Hall', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nakamura', 'Muñoz',
];

/** Town names for the district and school names. */
export const PLACE_NAMES: readonly string[] = [
  'Maple Grove', 'Riverside', 'Cedar Falls', 'Lakeview', 'Oak Ridge', 'Pine Hill', 'Fairview', 'Springfield',
  'Brookside', 'Hillcrest', 'Sunnyvale', 'Westwood', 'Eastgate', 'Northfield', 'Southport', 'Willow Creek',
  'Cesar Chávez', 'José Martí', 'Sacajawea', 'Marie Curie', 'Frederick Douglass', 'Ellen Ochoa', 'Sequoyah',
];

/** The same names folded to lowercase ASCII letters, for usernames and email addresses. */
export function asciiFold(name: string): string {
  const folded = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
  return folded || 'user';
}

/** Folded lists computed once, because folding is the costliest step of generating a person. */
export const GIVEN_FOLDED: readonly string[] = GIVEN_NAMES.map(asciiFold);
/** See GIVEN_FOLDED. */
export const FAMILY_FOLDED: readonly string[] = FAMILY_NAMES.map(asciiFold);
