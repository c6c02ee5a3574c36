import { automationPatchSchema } from '../../schedule/automation-schema';
import type { RouteTable } from '../types';
import { joiRule } from './input-rules';

/** Daily automation settings. */
export const automationRoutes = {
  'GET /automation': {
    summary: 'Daily automation settings and the next run time',
    async handler({ services }) {
      return { status: 200, body: await services.automation.get() };
    },
  },
  'PUT /automation': {
    summary: 'Changes any subset of the automation settings',
    body: joiRule(automationPatchSchema),
    async handler({ services, body, user }) {
      return { status: 200, body: await services.automation.update(body, user) };
    },
  },
} satisfies Partial<RouteTable>;
