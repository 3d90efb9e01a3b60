// CSRF protection in one file, so that csurf (archived upstream) can be swapped without touching routes.
import csurf from 'csurf';
import type { NextFunction, Request, Response } from 'express';
import { authorizationOf } from './auth.ts';

// The token is read from the form body or the X-CSRF-Token header only. csurf's default also reads ?_csrf= from the
// query string, which puts the token in access logs, proxy logs and Referer headers.
const tokenOf = (req: Request): string => {
  const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
  return typeof fromBody === 'string' ? fromBody : req.get('X-CSRF-Token') ?? '';
};
const protect = csurf({ cookie: false, sessionKey: 'session', value: tokenOf });
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request authenticated by an Authorization: Bearer header carries no ambient credential, so it needs no token.
 * Only a well-formed Bearer header counts (the same reading loadUser uses); anything else goes through CSRF.
 */
export function isBearerRequest(req: Request): boolean {
  return authorizationOf(req).kind === 'bearer';
}

export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  if (isBearerRequest(req)) {
    res.locals.csrfToken = () => '';
    return next();
  }
  if (SAFE_METHODS.has(req.method)) {
    // Nothing to check, and csurf would store a secret in the session at once (a session row for every visitor):
    // run it only when a page asks for a token (csurf is synchronous for these methods).
    // One token per page: every form of it may carry the same (a thread page has a form per answer, and each new
    // token costs a salt and a hash).
    let token: string | undefined;
    res.locals.csrfToken = () => {
      if (typeof req.csrfToken !== 'function') protect(req, res, () => {});
      token ??= typeof req.csrfToken === 'function' ? req.csrfToken() : '';
      return token;
    };
    return next();
  }
  // Set before checking, so that the error page for a rejected token can still render a fresh one.
  res.locals.csrfToken = () => (typeof req.csrfToken === 'function' ? req.csrfToken() : '');
  protect(req, res, next);
}

export function isCsrfError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EBADCSRFTOKEN';
}
