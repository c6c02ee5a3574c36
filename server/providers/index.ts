/** Provider clients: what the config service and the sync engine use. No database here. */
export { createProviderConnection } from './connection';
export { testProviderConnection } from './test-connection';
export { urlProblem } from './url-safety';
export { hintsFor } from './hints';
export * from './types';
