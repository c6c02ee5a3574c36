import express, { type Request, type Response, type Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { OneRoster } from '../../server';
import { assertCanWriteSisFields, currentUser, requirePageLogin } from './auth';
import { CSRF_FIELD, csrfToken, requireCsrfToken } from './csrf';
import { importPeople } from './csv-import';
import { setFlash, takeFlash } from './flash';
import { asyncRoute, HttpError, validate } from './http-error';
import type { PersonKind, RosterQueries } from './roster-queries';
import { blankToNull, createBuildingSchema, parseBuildingId, updateBuildingSchema } from './schemas';
import { canManageSettings, type HostUser } from './users';
import { renderBuildings } from './views/buildings';
import { renderHome } from './views/home';
import type { SafeHtml } from './views/html';
import { renderImport } from './views/import';
import { renderPage, type PageFrame } from './views/layout';
import { renderPeople } from './views/people';
import { renderSettings, widgetScript, type CredentialGroup } from './views/settings';

/** People per page on the Students and Staff pages. */
const PAGE_SIZE = 50;

/** What the pages need from the app. */
export interface PageDeps {
  sequelize: Sequelize;
  queries: RosterQueries;
  oneroster: OneRoster;
  /** Where the module's router is mounted. */
  mountPath: string;
  /** The sandbox's credentials to show on Settings, when it runs. */
  sandboxCredentials?: CredentialGroup[];
}

/**
 * The server-rendered pages and their forms. Forms post, then redirect with a one-time message
 * (so reloading never re-submits); every form carries the session's CSRF token.
 */
export function createPageRoutes(deps: PageDeps): Router {
  const { sequelize, queries, oneroster } = deps;
  const router = express.Router();
  const smallForm = express.urlencoded({ extended: false, limit: '20kb' });
  const importForm = express.urlencoded({ extended: false, limit: '6mb' });

  router.use(requirePageLogin);

  const send = (req: Request, res: Response, frame: Omit<PageFrame, 'user' | 'csrfToken' | 'flash'>, content: SafeHtml) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(renderPage({ ...frame, user: currentUser(req) as HostUser, csrfToken: csrfToken(req), flash: takeFlash(req) }, content));
  };

  router.get(
    '/',
    asyncRoute(async (req, res) => {
      const [counts, enabled] = await Promise.all([queries.counts(), oneroster.isEnabled()]);
      const user = currentUser(req) as HostUser;
      send(req, res, { title: 'Roster overview', section: 'home' }, renderHome({
        counts,
        oneRosterEnabled: enabled,
        canManageSettings: canManageSettings(user),
        sandboxRunning: Boolean(deps.sandboxCredentials),
      }));
    }),
  );

  router.get(
    '/buildings',
    asyncRoute(async (req, res) => {
      const [list, people, locked] = await Promise.all([queries.listBuildings(), queries.countPeopleByBuilding(), oneroster.isEnabled()]);
      send(req, res, { title: 'Buildings', section: 'buildings' }, renderBuildings({ buildings: list.items, people, locked, canEditSis: canManageSettings(currentUser(req)!), csrfToken: csrfToken(req) }));
    }),
  );

  router.post(
    '/buildings',
    smallForm,
    requireCsrfToken,
    formAction('/buildings', async (req) => {
      if (await oneroster.isEnabled()) throw lockedError();
      const input = validate(createBuildingSchema, formFields(req));
      if (input.sisId) assertCanWriteSisFields(req);
      const building = await queries.createBuilding({ name: input.name, sisId: blankToNull(input.sisId), identifier: blankToNull(input.identifier) });
      return `Added ${building.name}.`;
    }),
  );

  router.post(
    '/buildings/:id/sis',
    smallForm,
    requireCsrfToken,
    formAction('/buildings', async (req) => {
      const { sisId } = validate(updateBuildingSchema, formFields(req));
      assertCanWriteSisFields(req);
      const building = await queries.updateBuildingSisId(parseBuildingId(req.params.id), blankToNull(sisId));
      return building.sisId ? `${building.name} now has Building SIS ID ${building.sisId}.` : `Cleared the Building SIS ID of ${building.name}.`;
    }),
  );

  router.post(
    '/buildings/:id/delete',
    smallForm,
    requireCsrfToken,
    formAction('/buildings', async (req) => {
      if (await oneroster.isEnabled()) throw lockedError();
      await queries.deleteBuilding(parseBuildingId(req.params.id));
      return 'Removed the building.';
    }),
  );

  for (const kind of ['students', 'staff'] as const) {
    router.get(
      `/${kind}`,
      asyncRoute(async (req, res) => {
        const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
        const offset = lenientOffset(req.query.offset);
        const [page, buildings] = await Promise.all([queries.listPeople(kind, { q, offset, limit: PAGE_SIZE }), queries.listBuildings()]);
        send(req, res, { title: kind === 'students' ? 'Students' : 'Staff', section: kind }, renderPeople({
          kind,
          page,
          buildings: new Map(buildings.items.map((building) => [building.id, building])),
          q,
          offset,
          limit: PAGE_SIZE,
        }));
      }),
    );
  }

  router.get(
    '/import',
    asyncRoute(async (req, res) => {
      const kind: PersonKind = req.query.kind === 'staff' ? 'staff' : 'students';
      send(req, res, { title: 'CSV import', section: 'import' }, renderImport({ locked: await oneroster.isEnabled(), csrfToken: csrfToken(req), kind, csv: '' }));
    }),
  );

  router.post(
    '/import',
    importForm,
    requireCsrfToken,
    asyncRoute(async (req, res) => {
      const fields = formFields(req);
      const kind: PersonKind = fields.kind === 'staff' ? 'staff' : 'students';
      const csv = typeof fields.csv === 'string' ? fields.csv : '';
      const render = (content: SafeHtml) => send(req, res, { title: 'CSV import', section: 'import' }, content);
      if (await oneroster.isEnabled()) {
        setFlash(req, 'error', lockedError().message);
        return render(renderImport({ locked: true, csrfToken: csrfToken(req), kind, csv }));
      }
      try {
        const result = await importPeople(sequelize, queries, kind, csv);
        // Keep the text when lines were skipped, so they can be fixed and sent again.
        render(renderImport({ locked: false, csrfToken: csrfToken(req), kind, csv: result.errors.length > 0 ? csv : '', result }));
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        res.status(err.status);
        setFlash(req, 'error', describe(err));
        render(renderImport({ locked: false, csrfToken: csrfToken(req), kind, csv }));
      }
    }),
  );

  router.get(
    '/settings',
    asyncRoute(async (req, res) => {
      const user = currentUser(req) as HostUser;
      const allowed = canManageSettings(user);
      send(
        req,
        res,
        { title: 'Settings', section: 'settings', head: allowed ? widgetScript(deps.mountPath) : undefined },
        renderSettings({ apiBase: deps.mountPath, csrfToken: csrfToken(req), canManageSettings: allowed, sandbox: deps.sandboxCredentials }),
      );
    }),
  );

  return router;
}

/** Runs a form's action, leaves its outcome as the next page's message, and redirects back. */
function formAction(back: string, action: (req: Request) => Promise<string>) {
  return asyncRoute(async (req, res) => {
    try {
      setFlash(req, 'ok', await action(req));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      setFlash(req, 'error', describe(err));
    }
    res.redirect(303, back);
  });
}

/** The submitted fields without the CSRF token (validation refuses unknown fields). */
function formFields(req: Request): Record<string, unknown> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  // fromEntries defines own properties, so a field named __proto__ stays a field (and is refused).
  return Object.fromEntries(Object.entries(body).filter(([name]) => name !== CSRF_FIELD));
}

/** An error in words, with the field problems of a validation error. */
function describe(err: HttpError): string {
  const details = Array.isArray(err.details) ? (err.details as Array<{ message?: unknown }>) : [];
  const fields = details.map((detail) => detail.message).filter((message): message is string => typeof message === 'string');
  return fields.length > 0 ? `${err.message} ${fields.join('; ')}.` : err.message;
}

function lockedError(): HttpError {
  return new HttpError(409, 'roster_managed_by_oneroster', 'OneRoster manages the roster. Turn OneRoster off in Settings to change it by hand.');
}

/** Pages forgive a bad `offset` (start at the top); the JSON API refuses it. */
function lenientOffset(value: unknown): number {
  const offset = typeof value === 'string' ? Number.parseInt(value, 10) : 0;
  return Number.isSafeInteger(offset) && offset > 0 ? Math.min(offset, 1_000_000_000) : 0;
}
