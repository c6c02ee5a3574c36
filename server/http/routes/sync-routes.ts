import Joi from 'joi';
import { errors } from '../../domain/errors';
import type { ListResponse, RunResponse, RunSummary, UserSyncInput } from '../../domain/contract';
import type { Route } from '../types';
import { validate } from '../../domain/validate';

const userSyncSchema = Joi.object<UserSyncInput>({
  mode: Joi.string().valid('full', 'delta'),
  dryRun: Joi.boolean(),
  kinds: Joi.array().items(Joi.string().valid('students', 'staff')).min(1).unique(),
});

const emptySchema = Joi.object({});

const runQuerySchema = Joi.object({
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
export const syncRoutes: Route[] = [
  {
    method: 'post',
    path: '/sync/buildings',
    summary: 'Starts a building sync in the background',
    async handler({ services, body, user }) {
      validate(emptySchema, body);
      const run = await services.sync.startBuildingSync({ trigger: 'manual', user });
      const response: RunResponse = { run };
      return { status: 202, body: response };
    },
  },
  {
    method: 'post',
    path: '/sync/users',
    summary: 'Starts a student and staff sync in the background',
    async handler({ services, body, user }) {
      const input = validate(userSyncSchema, body);
      const run = await services.sync.startUserSync({ trigger: 'manual', user, mode: input.mode, dryRun: input.dryRun, kinds: input.kinds });
      const response: RunResponse = { run };
      return { status: 202, body: response };
    },
  },
  {
    method: 'get',
    path: '/runs',
    summary: 'Sync history, newest first',
    async handler({ services, query }) {
      const filter = validate(runQuerySchema, query);
      const page: ListResponse<RunSummary> = await services.sync.listRuns(filter);
      return { status: 200, body: page };
    },
  },
  {
    method: 'get',
    path: '/runs/:id',
    summary: 'One run with progress, counts and issues',
    async handler({ services, params }) {
      return { status: 200, body: await services.sync.getRun(runId(params)) };
    },
  },
  {
    method: 'post',
    path: '/runs/:id/approve',
    summary: 'Applies a held run exactly as planned',
    async handler({ services, params, body, user }) {
      validate(emptySchema, body);
      const response: RunResponse = { run: await services.sync.approve(runId(params), user!) };
      return { status: 200, body: response };
    },
  },
  {
    method: 'post',
    path: '/runs/:id/cancel',
    summary: 'Discards a held or queued run, or stops a running one at its next page or batch (it ends cancelled)',
    async handler({ services, params, body, user }) {
      validate(emptySchema, body);
      const response: RunResponse = { run: await services.sync.cancel(runId(params), user!) };
      return { status: 200, body: response };
    },
  },
];
