import Joi from 'joi';
import type { RunListQuery, UserSyncInput } from '../../domain/contract';
import { errors } from '../../domain/errors';
import type { RouteTable } from '../types';
import { emptyBody, joiRule } from './input-rules';

const userSyncSchema = Joi.object<UserSyncInput>({
  mode: Joi.string().valid('full', 'delta'),
  dryRun: Joi.boolean(),
  kinds: Joi.array().items(Joi.string().valid('students', 'staff')).min(1).unique(),
});

const runQuerySchema = Joi.object<RunListQuery>({
  limit: Joi.number().integer().min(1).max(200).default(20),
  offset: Joi.number().integer().min(0).max(1_000_000_000).default(0),
  kind: Joi.string().valid('buildings', 'users'),
  status: Joi.string().valid('queued', 'running', 'succeeded', 'failed', 'held', 'cancelled', 'superseded'),
  trigger: Joi.string().valid('manual', 'schedule', 'cli'),
});

/** The run id of a `/runs/:id` path (404 for anything but a plain number). */
export function runId(params: Record<string, string>): number {
  const id = Number(params.id);
  if (!/^\d{1,15}$/.test(params.id ?? '') || !Number.isSafeInteger(id)) throw errors.notFound('run');
  return id;
}

/** Sync runs: start, history, one run, approve and cancel a held run. */
export const syncRoutes = {
  'POST /sync/buildings': {
    summary: 'Starts a building sync in the background',
    body: emptyBody,
    async handler({ services, user }) {
      return { status: 202, body: { run: await services.sync.startBuildingSync({ trigger: 'manual', user }) } };
    },
  },
  'POST /sync/users': {
    summary: 'Starts a student and staff sync in the background',
    body: joiRule(userSyncSchema),
    async handler({ services, body, user }) {
      const run = await services.sync.startUserSync({ trigger: 'manual', user, mode: body.mode, dryRun: body.dryRun, kinds: body.kinds });
      return { status: 202, body: { run } };
    },
  },
  'GET /runs': {
    summary: 'Sync history, newest first',
    query: joiRule(runQuerySchema),
    async handler({ services, query }) {
      return { status: 200, body: await services.sync.listRuns(query) };
    },
  },
  'GET /runs/:id': {
    summary: 'One run with progress, counts and issues',
    async handler({ services, params }) {
      return { status: 200, body: await services.sync.getRun(runId(params)) };
    },
  },
  'POST /runs/:id/approve': {
    summary: 'Applies a held run exactly as planned',
    body: emptyBody,
    async handler({ services, params, user }) {
      return { status: 200, body: { run: await services.sync.approve(runId(params), user) } };
    },
  },
  'POST /runs/:id/cancel': {
    summary: 'Discards a held or queued run, or stops a running one at its next page or batch (it ends cancelled)',
    body: emptyBody,
    async handler({ services, params, user }) {
      return { status: 200, body: { run: await services.sync.cancel(runId(params), user) } };
    },
  },
} satisfies Partial<RouteTable>;
