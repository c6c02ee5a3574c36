import type { SandboxOptions } from '../examples/oneroster-sandbox';
import type { UserIdStyle } from '../examples/oneroster-sandbox/ids';

/** The seed every benchmark district is generated from, so runs are comparable. */
export const BENCH_SEED = 7;

/**
 * The sandbox district of a benchmark size: `users` people in `/users`, split the way a large
 * district is (90 % students, 4 % staff, 6 % guardians), about one school per 3,500 people.
 * The benchmark worker rebuilds the same truth from these options, so they must stay pure.
 */
export function districtOptions(users: number, idStyle: UserIdStyle = 'short'): SandboxOptions {
  const students = Math.round(users * 0.9);
  const staff = Math.round(users * 0.04);
  return {
    seed: BENCH_SEED,
    schools: Math.max(5, Math.round(users / 3500)),
    students,
    staff,
    guardians: users - students - staff,
    // Well above the client's page size: the provider never caps a page.
    maxPageSize: 10_000,
    idStyle,
  };
}
