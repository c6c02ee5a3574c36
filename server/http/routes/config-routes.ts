import { configInputSchema } from '../../config/config-schema';
import type { ConfigInput, ConfigView } from '../../domain/contract';
import { validate } from '../../domain/validate';
import type { Services } from '../../services';
import type { RouteTable } from '../types';
import { joiRule } from './input-rules';

/** The configuration with the freshness of runs, as `GET /config` and every change answer it. */
async function presentConfig(services: Services): Promise<ConfigView> {
  const [config, status] = await Promise.all([services.config.view(), services.sync.status()]);
  return { ...config, ...status };
}

/** Provider configuration: view, test, save, disable. */
export const configRoutes = {
  'GET /config': {
    summary: 'The saved configuration (secrets masked), whether OneRoster is on, the last test and syncs',
    async handler({ services }) {
      return { status: 200, body: await presentConfig(services) };
    },
  },
  'POST /config/test': {
    summary: 'Tests the submitted settings (or the saved ones when the body is empty)',
    // An empty body means "the saved configuration": read as null, not validated as a new one.
    body: (options) => {
      const schema = configInputSchema(options.network);
      return (raw): ConfigInput | null => (isEmptyBody(raw) ? null : validate(schema, raw));
    },
    async handler({ services, body, user }) {
      return { status: 200, body: await services.config.test(body, user) };
    },
  },
  'PUT /config': {
    summary: 'Validates, re-tests and saves the configuration, and enables OneRoster (409 while a sync runs)',
    body: joiRule((options) => configInputSchema(options.network)),
    async handler({ services, body, user }) {
      // Under the sync lease for the whole test-and-save: a sync mid-pull would mix two
      // configurations, and one starting mid-save would run on the old one.
      await services.sync.whileNoSyncRuns(async () => {
        const before = await services.sync.status();
        const hasSyncedData = before.lastSuccessfulSyncAt !== null || before.buildingsSynced;
        await services.config.save(body, user, { hasSyncedData });
      });
      return { status: 200, body: await presentConfig(services) };
    },
  },
  'DELETE /config': {
    summary: 'Disables OneRoster (manual roster management returns); keeps data and history; a running sync is stopped',
    async handler({ services, user }) {
      await services.sync.whileNoSyncRuns(() => services.config.disable(user), async () => {
        // A run already pulling would go on writing the roster after the host took it back: turn
        // OneRoster off and stop that run (every start checks the switch under the lease, so no
        // new run can begin after this).
        await services.config.disable(user);
        await services.sync.stopForDisable();
      });
      return { status: 200, body: await presentConfig(services) };
    },
  },
} satisfies Partial<RouteTable>;

function isEmptyBody(input: unknown): boolean {
  return input === undefined || input === null || (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0);
}
