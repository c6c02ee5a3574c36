/**
 * Type-level proof, compiled by `npm run typecheck` (part of `npm test`), that a provider gets only
 * its slice of the module options. Nothing here runs: each line is a compile-time check.
 */
import type { ResolvedOptions } from '../../server/options';
import type { ProviderDeps } from '../../server/providers/types';

/** `true` only when `T` is `never`. */
type IsNever<T> = [T] extends [never] ? true : false;

/** The options a provider reads are exactly these three (a new key must be added here on purpose). */
export const onlyTheSlice: IsNever<Exclude<keyof ProviderDeps['options'], 'http' | 'network' | 'classlink'>> = true;

/** Neither the encryption key nor the Sequelize instance is a key of a provider's options. */
export const noSecrets: IsNever<Extract<keyof ProviderDeps['options'], 'encryptionKey' | 'sequelize'>> = true;

declare const deps: ProviderDeps;
// @ts-expect-error a provider cannot read the encryption key (tsc fails if this ever compiles)
export const key: string = deps.options.encryptionKey;
// @ts-expect-error nor the Sequelize instance
export const sequelize: ResolvedOptions['sequelize'] = deps.options.sequelize;
