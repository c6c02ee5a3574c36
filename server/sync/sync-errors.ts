import { OneRosterError } from '../errors';

/** Errors the sync service answers with; stable codes the widget turns into words. */
export const syncErrors = {
  inProgress: (runId: number | null) =>
    new OneRosterError(409, 'sync_in_progress', 'A sync is already running. Wait for it to finish, then try again.', { runId }),
  settingsChanging: () =>
    new OneRosterError(409, 'settings_being_saved', 'The OneRoster configuration is being saved or turned off. Try again in a moment.'),
  buildingsNotSynced: () =>
    new OneRosterError(409, 'buildings_not_synced', 'Sync buildings first: people are tied to buildings, so a building sync must succeed before a user sync.'),
  nothingToSync: () =>
    new OneRosterError(409, 'nothing_to_sync', 'No kind of person was chosen, so there is nothing to sync. Choose students, staff or both.'),
  notHeld: (status: string) =>
    new OneRosterError(409, 'run_not_held', `Only a held run can be approved; this one is ${status}.`),
  notCancellable: (status: string) =>
    new OneRosterError(409, 'run_not_cancellable', `Only a queued, running or held run can be cancelled; this one is ${status}.`),
  disabled: () =>
    new OneRosterError(409, 'oneroster_disabled', 'OneRoster is turned off, so nothing is synced. Turn it on in the OneRoster settings first.'),
  planOutdated: () =>
    new OneRosterError(409, 'plan_outdated', 'The roster has changed since this run was planned (another sync has run). Cancel it and start a new sync.'),
};
