import type { Request } from 'express';

/** A one-time message shown on the next page after a form post (post → redirect → get). */
export interface Flash {
  /** `ok` for a success, `error` for a refusal. */
  kind: 'ok' | 'error';
  text: string;
}

declare module 'express-session' {
  interface SessionData {
    /** The message waiting for the next page. */
    flash?: Flash;
  }
}

/** Leaves a message for the next page. */
export function setFlash(req: Request, kind: Flash['kind'], text: string): void {
  req.session.flash = { kind, text };
}

/** Takes the waiting message, if any (it is shown once). */
export function takeFlash(req: Request): Flash | undefined {
  const flash = req.session.flash;
  if (flash) delete req.session.flash;
  return flash;
}
