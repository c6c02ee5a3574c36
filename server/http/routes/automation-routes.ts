import type { Route } from '../types';

/** Daily automation settings. */
export const automationRoutes: Route[] = [
  {
    method: 'get',
    path: '/automation',
    summary: 'Daily automation settings and the next run time',
    async handler({ services }) {
      return { status: 200, body: await services.automation.get() };
    },
  },
  {
    method: 'put',
    path: '/automation',
    summary: 'Changes any subset of the automation settings',
    async handler({ services, body, user }) {
      return { status: 200, body: await services.automation.update(body, user) };
    },
  },
];
