import type { UserIdStyle } from './ids';

/** Options of `startSandbox`, their defaults, and their checks. */
export interface SandboxOptions {
  /** TCP port; 0 picks a free one. Always binds 127.0.0.1. Defaults to 0. */
  port?: number;
  /** Same seed, same district. Defaults to 1. */
  seed?: number;
  /** Number of schools (at least 1). Defaults to 5. */
  schools?: number;
  /** Number of students. Defaults to 200. */
  students?: number;
  /** Number of staff. Defaults to about students/15, at least 5. */
  staff?: number;
  /** Number of guardians and parents. Defaults to about students/10. */
  guardians?: number;
  /** `limit` is silently capped to this, like real providers do. Defaults to 10000. */
  maxPageSize?: number;
  /** OAuth2 token lifetime in seconds. Defaults to 3600. */
  tokenTtlSeconds?: number;
  /** Allowed OAuth1 timestamp skew in seconds. Defaults to 300. */
  oauth1WindowSeconds?: number;
  /** dateLastModified of every generated record (changes get the district clock). Defaults to 2025-08-01T00:00:00.000Z. */
  baseDate?: string;
  /**
   * How user sourcedIds look: `short` (`usr-00000042`, 12 characters) or `uuid` (36 characters,
   * UUID-shaped, as ClassLink and Ed-Fi send; still sorting in generation order). Defaults to `short`.
   */
  idStyle?: UserIdStyle;
}

/** Every option filled in. */
export type ResolvedSandboxOptions = Required<SandboxOptions>;

/** The sandbox numbers its users with 8 digits, so the district stays below this size. */
export const MAX_PEOPLE = 50_000_000;

/** Fills defaults and throws a TypeError on nonsense, at start rather than per request. */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const students = options.students ?? 200;
  const resolved: ResolvedSandboxOptions = {
    port: options.port ?? 0,
    seed: options.seed ?? 1,
    schools: options.schools ?? 5,
    students,
    staff: options.staff ?? Math.max(5, Math.round(students / 15)),
    guardians: options.guardians ?? Math.round(students / 10),
    maxPageSize: options.maxPageSize ?? 10_000,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    oauth1WindowSeconds: options.oauth1WindowSeconds ?? 300,
    baseDate: options.baseDate ?? '2025-08-01T00:00:00.000Z',
    idStyle: options.idStyle ?? 'short',
  };
  if (resolved.idStyle !== 'short' && resolved.idStyle !== 'uuid') throw new TypeError(`sandbox option idStyle must be short or uuid`);
  const integers: Array<[keyof ResolvedSandboxOptions, number]> = [
    ['port', 0], ['seed', -(2 ** 31)], ['schools', 1], ['students', 0], ['staff', 0], ['guardians', 0],
    ['maxPageSize', 1], ['tokenTtlSeconds', 1], ['oauth1WindowSeconds', 1],
  ];
  for (const [name, min] of integers) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new TypeError(`sandbox option ${name} must be an integer >= ${min}, got ${String(value)}`);
    }
  }
  if (resolved.port > 65535) throw new TypeError(`sandbox option port must be <= 65535`);
  if (resolved.students + resolved.staff + resolved.guardians > MAX_PEOPLE) {
    throw new TypeError(`sandbox districts hold at most ${MAX_PEOPLE} people`);
  }
  if (Number.isNaN(Date.parse(resolved.baseDate))) throw new TypeError(`sandbox option baseDate is not a date`);
  resolved.baseDate = new Date(resolved.baseDate).toISOString();
  return resolved;
}
