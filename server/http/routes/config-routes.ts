import type { ConfigView } from '../../domain/contract';
import type { Route } from '../types';

/** Provider configuration: view, test, save, disable. */
export const configRoutes: Route[] = [
  {
    method: 'get',
    path: '/config',
    summary: 'The saved configuration (secrets masked), whether OneRoster is on, the last test and syncs',
    async handler({ services }) {
      const [config, status] = await Promise.all([services.config.view(), services.sync.status()]);
      const body: ConfigView = { ...config, ...status };
      return { status: 200, body };
    },
  },
  {
    method: 'post',
    path: '/config/test',
    summary: 'Tests the submitted settings (or the saved ones when the body is empty)',
    async handler({ services, body, user }) {
      return { status: 200, body: await services.config.test(body, user) };
    },
  },
  {
    method: 'put',
    path: '/config',
    summary: 'Validates, re-tests and saves the configuration, and enables OneRoster (409 while a sync runs)',
    async handler({ services, body, user }) {
      // Under the sync lease for the whole test-and-save: a sync mid-pull would mix two
      // configurations, and one starting mid-save would run on the old one.
      await services.sync.whileNoSyncRuns(async () => {
        const before = await services.sync.status();
        const hasSyncedData = before.lastSuccessfulSyncAt !== null || before.buildingsSynced;
        await services.config.save(body, user!, { hasSyncedData });
      });
      const [config, status] = await Promise.all([services.config.view(), services.sync.status()]);
      const view: ConfigView = { ...config, ...status };
      return { status: 200, body: view };
    },
  },
  {
    method: 'delete',
    path: '/config',
    summary: 'Disables OneRoster (manual roster management returns); keeps data and history; a running sync is stopped',
    async handler({ services, user }) {
      await services.sync.whileNoSyncRuns(() => services.config.disable(user!), async () => {
        // A run already pulling would go on writing the roster after the host took it back: turn
        // OneRoster off and stop that run (every start checks the switch under the lease, so no
        // new run can begin after this).
        await services.config.disable(user!);
        await services.sync.stopForDisable();
      });
      const [config, status] = await Promise.all([services.config.view(), services.sync.status()]);
      const view: ConfigView = { ...config, ...status };
      return { status: 200, body: view };
    },
  },
];

