import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errors, toErrorBody } from '../domain/errors';

/**
 * Middleware for the host's own building add/remove and CSV-import routes: answers
 * `409 roster_managed_by_oneroster` while OneRoster is the exclusive roster source.
 */
export function createRosterManagedGuard(isEnabled: () => Promise<boolean>): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    isEnabled().then(
      (enabled) => {
        if (!enabled) return next();
        const { status, body } = toErrorBody(errors.rosterManaged());
        res.status(status).json(body);
      },
      (err: unknown) => next(err),
    );
  };
}
