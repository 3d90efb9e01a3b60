// CSRF protection in one file, so that csurf (archived upstream) can be swapped without touching routes.
import csurf from 'csurf';
import type { NextFunction, Request, Response } from 'express';

const protect = csurf({ cookie: false, sessionKey: 'session' });

/** A request authenticated by an Authorization: Bearer header carries no ambient credential, so it needs no token. */
export function isBearerRequest(req: Request): boolean {
  return /^Bearer\s+\S+/i.test(req.headers.authorization ?? '');
}

export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  if (isBearerRequest(req)) {
    res.locals.csrfToken = () => '';
    return next();
  }
  // Lazy: only a page that shows a form creates a session to hold the CSRF secret.
  // Set before checking, so that the error page for a rejected token can still render a fresh one.
  res.locals.csrfToken = () => (typeof req.csrfToken === 'function' ? req.csrfToken() : '');
  protect(req, res, next);
}

export function isCsrfError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EBADCSRFTOKEN';
}
