import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { OneRoster } from '../../server';
import { assertCanWriteSisFields, requireApiLogin } from './auth';
import { requireCsrfToken } from './csrf';
import { importPeople } from './csv-import';
import { asyncRoute, HttpError, validate } from './http-error';
import type { PersonKind, RosterQueries } from './roster-queries';
import { blankToNull, buildingListQuerySchema, createBuildingSchema, listQuerySchema, parseBuildingId, updateBuildingSchema } from './schemas';

/** Largest CSV an import takes (about 40,000 people). */
export const CSV_LIMIT = '5mb';

/**
 * The host's JSON API: buildings, students, staff and the CSV imports. Every route needs a
 * signed-in user (401) and, when it changes something, the session's CSRF token (403). Building
 * add/remove and imports carry the module's `rosterManagedGuard` (409 while OneRoster is on).
 */
export function createApiRoutes(deps: { sequelize: Sequelize; queries: RosterQueries; oneroster: OneRoster }): Router {
  const { sequelize, queries, oneroster } = deps;
  const router = express.Router();
  const guard = oneroster.rosterManagedGuard;

  router.use(requireApiLogin, requireCsrfToken);
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get(
    '/buildings',
    asyncRoute(async (req, res) => {
      const { limit, offset } = validate(buildingListQuerySchema, req.query);
      res.json(await queries.listBuildings({ limit, offset }));
    }),
  );

  router.post(
    '/buildings',
    guard,
    jsonBody,
    asyncRoute(async (req, res) => {
      const input = validate(createBuildingSchema, req.body);
      if (input.sisId) assertCanWriteSisFields(req);
      const building = await queries.createBuilding({ name: input.name, sisId: blankToNull(input.sisId), identifier: blankToNull(input.identifier) });
      res.status(201).json({ building });
    }),
  );

  router.patch(
    '/buildings/:id',
    jsonBody,
    asyncRoute(async (req, res) => {
      const id = parseBuildingId(req.params.id);
      const { sisId } = validate(updateBuildingSchema, req.body);
      assertCanWriteSisFields(req);
      res.json({ building: await queries.updateBuildingSisId(id, blankToNull(sisId)) });
    }),
  );

  router.delete(
    '/buildings/:id',
    guard,
    asyncRoute(async (req, res) => {
      await queries.deleteBuilding(parseBuildingId(req.params.id));
      res.status(204).end();
    }),
  );

  for (const kind of ['students', 'staff'] as const) {
    router.get(
      `/${kind}`,
      asyncRoute(async (req, res) => {
        const query = validate(listQuerySchema, req.query);
        res.json(await queries.listPeople(kind, query));
      }),
    );
    router.post(`/import/${kind}`, guard, csvBody, importRoute(sequelize, queries, kind));
  }

  router.use((_req: Request, _res: Response, next: NextFunction) => next(new HttpError(404, 'not_found', 'No such endpoint.')));
  return router;
}

function importRoute(sequelize: Sequelize, queries: RosterQueries, kind: PersonKind): RequestHandler {
  return asyncRoute(async (req, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    res.json(await importPeople(sequelize, queries, kind, text));
  });
}

const parseJson = express.json({ limit: '100kb', strict: true, type: () => true });
const parseCsvText = express.text({ limit: CSV_LIMIT, type: () => true, defaultCharset: 'utf-8' });

/** JSON only (415 otherwise), then parsed (400 `invalid_json` when malformed). */
const jsonBody: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) return next(new HttpError(415, 'unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).'));
  parseJson(req, res, next);
};

/** `text/csv` only (415 otherwise), then read as text. */
const csvBody: RequestHandler = (req, res, next) => {
  if (!req.is('text/csv')) return next(new HttpError(415, 'unsupported_media_type', 'Send the CSV as the body with Content-Type: text/csv.'));
  parseCsvText(req, res, next);
};
