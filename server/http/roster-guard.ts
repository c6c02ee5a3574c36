import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errors, OneRosterError, toErrorBody } from '../domain/errors';

/**
 * Middleware for the host's own building add/remove and CSV-import routes: answers
 * `409 roster_managed_by_oneroster` while OneRoster is the exclusive roster source of the request's district.
 */
export function createRosterManagedGuard(isEnabled: (req: Request) => Promise<boolean>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // Through a promise chain, so a throwing district(req) reaches the host's error handler too.
    Promise.resolve(req).then(isEnabled).then(
      (enabled) => {
        if (!enabled) return next();
        const { status, body } = toErrorBody(errors.rosterManaged());
        res.status(status).json(body);
      },
      (err: unknown) => {
        // A request naming no district the module serves (400 invalid_district) is answered as such.
        if (!(err instanceof OneRosterError)) return next(err);
        const { status, body } = toErrorBody(err);
        res.status(status).json(body);
      },
    );
  };
}
