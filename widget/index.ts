/**
 * Entry of the bundle: registers <oneroster-settings> and the internal elements it is made of.
 * Each element registers itself behind a guard, so this script may safely load twice.
 */
export { OneRosterSettings } from './oneroster-settings';
export type { ApiError } from './api-client';
