import { matchingSchema } from '../../sync/building-matching';
import type { RouteTable } from '../types';
import { joiRule } from './input-rules';
import { runId } from './sync-routes';

/** The admin console: status at a glance, automation health, building matching, issue export. */
export const consoleRoutes = {
  'GET /status': {
    summary: 'What needs attention: the running run, the held run, the last outcome, a stale daily sync',
    async handler({ services }) {
      return { status: 200, body: await services.console.status() };
    },
  },
  'GET /automation/status': {
    summary: 'Health of the daily sync over 30 days, and active people over time',
    async handler({ services }) {
      return { status: 200, body: await services.console.automationStatus() };
    },
  },
  'GET /buildings/matching': {
    summary: "The provider's schools beside the existing buildings, with proposed matches",
    async handler({ services }) {
      return { status: 200, body: await services.console.buildingMatching() };
    },
  },
  'PUT /buildings/matching': {
    summary: 'Writes the confirmed Building SIS values of existing buildings',
    body: joiRule(matchingSchema),
    async handler({ services, body, user }) {
      return { status: 200, body: await services.console.matchBuildings(body, user) };
    },
  },
  'GET /runs/:id/issues.csv': {
    summary: "A run's issues as CSV",
    async handler({ services, params }) {
      const id = runId(params);
      const csv = await services.console.issuesCsv(id);
      return {
        status: 200,
        raw: { content: csv, contentType: 'text/csv; charset=utf-8' },
        headers: { 'Content-Disposition': `attachment; filename="oneroster-run-${id}-issues.csv"`, 'Cache-Control': 'no-store' },
      };
    },
  },
} satisfies Partial<RouteTable>;
