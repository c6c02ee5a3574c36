/**
 * Type-level proof, compiled by `npm run typecheck` (part of `npm test`), that a server error code
 * without widget words breaks the build. Nothing here runs: each line is a compile-time check.
 */
import type { OneRosterError } from '../../server/domain/errors';
import type { ApiErrorCode, ConnectionErrorCode } from '../../server/domain/contract';
import type { ProviderErrorCode } from '../../server/providers/types';
import type { ApiErrorWords } from '../../widget/messages';

/** `true` only when `T` is `never`. */
type IsNever<T> = [T] extends [never] ? true : false;

/** Every code a `OneRosterError` or a `ProviderError` can carry is an `ApiErrorCode`... */
export const errorCodesAreApiCodes: IsNever<Exclude<OneRosterError['code'] | ProviderErrorCode, ApiErrorCode>> = true;

/** ...and every `ApiErrorCode` has words: connection codes in their own table, the rest in `ApiErrorWords`. */
export const everyCodeHasWords: IsNever<Exclude<ApiErrorCode, ConnectionErrorCode | keyof ApiErrorWords>> = true;

/** A table of words that leaves out one code the server raises is refused by the compiler. */
declare const withoutPlanMissing: Omit<ApiErrorWords, 'plan_missing'>;
// @ts-expect-error `plan_missing` has no words, so this is not an ApiErrorWords (tsc fails if it ever compiles)
export const incomplete: ApiErrorWords = withoutPlanMissing;
