import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import Joi from 'joi';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { csrfToken, requireCsrfToken } from './csrf';
import { asyncRoute, HttpError, validate } from './http-error';
import { canManageSettings, checkCredentials, demoLogins, findUserById, type HostUser } from './users';
import { renderLogin } from './views/login';

/** The passport instance of one host app (never the global singleton: two apps share nothing). */
export type HostPassport = InstanceType<typeof passport.Passport>;

/** Builds a passport with the local strategy over the demo users, storing only the user id in the session. */
export function createPassport(): HostPassport {
  const auth = new passport.Passport();
  auth.use(
    new LocalStrategy((username, password, done) => {
      done(null, checkCredentials(username, password) ?? false);
    }),
  );
  auth.serializeUser((user, done) => done(null, (user as HostUser).id));
  auth.deserializeUser((id, done) => done(null, findUserById(id) ?? false));
  return auth;
}

/** The signed-in user, or undefined. */
export function currentUser(req: Request): HostUser | undefined {
  return (req.user as HostUser | undefined) ?? undefined;
}

/**
 * Building SIS values are the keys the OneRoster sync matches schools on: only someone with
 * Manage Settings may write one (403 otherwise).
 */
export function assertCanWriteSisFields(req: Request): void {
  const user = currentUser(req);
  if (!user || !canManageSettings(user)) {
    throw new HttpError(403, 'forbidden', 'Setting a Building SIS ID needs the Manage Settings permission.');
  }
}

/** For pages: sends a visitor who is not signed in to the login page, remembering where they were going. */
export const requirePageLogin: RequestHandler = (req, res, next) => {
  if (currentUser(req)) return next();
  const target = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(303, `/login${target}`);
};

/** For JSON endpoints: 401 in the error shape when nobody is signed in. */
export const requireApiLogin: RequestHandler = (req, _res, next) => {
  if (currentUser(req)) return next();
  next(new HttpError(401, 'unauthenticated', 'Sign in first.'));
};

const jsonLoginSchema = Joi.object({
  username: Joi.string().max(200).required(),
  password: Joi.string().max(1000).required(),
});

/**
 * `GET /login`, `POST /login` (a form: redirect; JSON: `{user, csrfToken}` or 401) and
 * `POST /logout`. A form sign-in must carry the login page's CSRF token (no login CSRF);
 * a JSON sign-in cannot be sent cross-site without CORS, so it needs none.
 */
export function createLoginRoutes(auth: HostPassport, options: { showDemoLogins: boolean }): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });
  const json = express.json({ limit: '10kb', strict: true });

  router.get('/login', (req, res) => {
    if (currentUser(req)) return res.redirect(303, '/');
    const error = req.query.error === 'credentials' ? 'That user name and password do not match.' : req.query.error === 'expired' ? 'The page had expired. Please sign in again.' : undefined;
    res.type('html').send(
      renderLogin({
        csrfToken: csrfToken(req),
        error,
        next: safeNext(req.query.next),
        demoLogins: options.showDemoLogins ? demoLogins() : [],
      }),
    );
  });

  router.post('/login', (req, res, next) => {
    if (req.is('application/json')) return json(req, res, (err?: unknown) => (err ? next(err) : loginWithJson(auth, req, res, next)));
    if (req.is('application/x-www-form-urlencoded')) return form(req, res, (err?: unknown) => (err ? next(err) : loginWithForm(auth, req, res, next)));
    next(new HttpError(415, 'unsupported_media_type', 'Send the sign-in as a form or as JSON.'));
  });

  router.post(
    '/logout',
    form,
    requireCsrfToken,
    asyncRoute(async (req, res) => {
      await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
      if (req.is('application/json') || req.accepts(['html', 'json']) === 'json') {
        res.status(204).end();
      } else {
        res.redirect(303, '/login');
      }
    }),
  );
  return router;
}

function loginWithJson(auth: HostPassport, req: Request, res: Response, next: NextFunction): void {
  try {
    validate(jsonLoginSchema, req.body);
  } catch (err) {
    return next(err);
  }
  authenticate(auth, req, res, next, (user) => {
    if (!user) return next(new HttpError(401, 'invalid_credentials', 'That user name and password do not match.'));
    signIn(req, user, next, () => {
      res.json({ user: { id: user.id, username: user.username, name: user.name, permissions: user.permissions }, csrfToken: csrfToken(req) });
    });
  });
}

function loginWithForm(auth: HostPassport, req: Request, res: Response, next: NextFunction): void {
  const body = req.body as Record<string, unknown>;
  const nextPath = safeNext(body.next);
  const back = (error: string) => res.redirect(303, `/login?error=${error}${nextPath ? `&next=${encodeURIComponent(nextPath)}` : ''}`);
  requireCsrfToken(req, res, (err?: unknown) => {
    if (err) return back('expired');
    authenticate(auth, req, res, next, (user) => {
      if (!user) return back('credentials');
      signIn(req, user, next, () => res.redirect(303, nextPath ?? '/'));
    });
  });
}

/** Runs passport-local and hands over the user (or null for a wrong or missing password). */
function authenticate(auth: HostPassport, req: Request, res: Response, next: NextFunction, then: (user: HostUser | null) => void): void {
  const body = req.body as Record<string, unknown>;
  if (typeof body?.username !== 'string' || typeof body?.password !== 'string') return then(null);
  auth.authenticate('local', { session: false }, (err: unknown, user: HostUser | false) => {
    if (err) return next(err);
    then(user || null);
  })(req, res, next);
}

/** Starts the session (passport makes a new session id, so a planted one is useless) with a fresh CSRF token. */
function signIn(req: Request, user: HostUser, next: NextFunction, then: () => void): void {
  req.logIn(user, (err) => {
    if (err) return next(err);
    csrfToken(req);
    then();
  });
}

/** A local path to return to after signing in, or undefined (never another site: no `//host` or `/\host`). */
export function safeNext(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 500) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (value.startsWith('/login') || value.startsWith('/logout')) return undefined;
  return value;
}
