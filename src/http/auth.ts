// Who is asking: the access_token cookie, or for scripts an Authorization: Bearer header (which then wins,
// so a Bearer request never rides on an ambient cookie). Pages that need a user send others to sign in.
// `authorizationOf` is the one reading of the Authorization header: CSRF (csrf.ts) and loadUser agree on it.
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../config.ts';
import type { Db } from '../db.ts';
import { userForToken } from '../features/auth/tokens.repo.ts';
import type { User } from '../features/auth/users.repo.ts';
import { cookiePath, safeLocalPath } from './base-path.ts';
import { HttpError } from './http-error.ts';
import { redirectToPage } from './htmx.ts';
import { tr } from '../i18n/text.ts';

export const TOKEN_COOKIE = 'access_token';

declare module 'express-serve-static-core' {
  interface Request { user?: User; tokenId?: number }
}

export type Authorization =
  | { kind: 'none' }
  /** A well-formed `Bearer <token>` (RFC 6750 token68): the only kind that may skip CSRF. */
  | { kind: 'bearer'; token: string }
  /** Says Bearer but is not one token (`Bearer`, `Bearer a b`): authenticates nobody, not even by cookie. */
  | { kind: 'malformed-bearer' }
  /** Another scheme (e.g. Basic from a proxy in front of us): ignored; the cookie is used, and CSRF applies. */
  | { kind: 'other' };

export function authorizationOf(req: Request): Authorization {
  const header = req.headers.authorization;
  if (header === undefined || header === '') return { kind: 'none' };
  if (!/^Bearer(\s|$)/i.test(header)) return { kind: 'other' };
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
  return m ? { kind: 'bearer', token: m[1] } : { kind: 'malformed-bearer' };
}

export function loadUser(db: Db, config: Config) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const auth = authorizationOf(req);
    if (auth.kind === 'malformed-bearer') return next();
    const fromCookie = auth.kind !== 'bearer';
    const token = auth.kind === 'bearer' ? auth.token : (req.cookies?.[TOKEN_COOKIE] as string | undefined);
    if (token) {
      const found = await userForToken(db, token, { ttlDays: config.tokenTtlDays });
      // A guest whose time is up is signed out even before the purge removes the row.
      if (found && !(found.user.guestExpiresAt && found.user.guestExpiresAt.getTime() <= Date.now())) {
        req.user = found.user;
        req.tokenId = found.tokenId;
        // The expiry slid in the database (at most once a day): the browser's cookie must live as long.
        if (found.renewed && fromCookie) setTokenCookie(req, res, token, config, found.user);
        res.locals.user = { id: found.user.id, email: found.user.email, name: found.user.name, picture: found.user.picture };
      }
    }
    next();
  };
}

/** The cookie lives as long as the token: a guest's ends with the guest (hours), a member's slides with use. */
export function setTokenCookie(req: Request, res: Response, token: string, config: Config, user: Pick<User, 'guestExpiresAt'>): void {
  const maxAge = user.guestExpiresAt ? Math.max(0, user.guestExpiresAt.getTime() - Date.now()) : config.tokenTtlDays * 24 * 3600 * 1000;
  res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: cookiePath(config.basePath), maxAge });
}

export function clearTokenCookie(res: Response, config: Config): void {
  res.clearCookie(TOKEN_COOKIE, { path: cookiePath(config.basePath) });
}

/** The path of an absolute URL from a header; anything malformed is no path at all. */
function pathOfUrl(value: string | undefined): string {
  if (!value || value.length > 2048 || !URL.canParse(value)) return '/';
  return new URL(value).pathname;
}

const isApi = (req: Request) => req.path === '/api' || req.path.startsWith('/api/');

/** Pages: signed-out visitors go to /login?next=<this page>; htmx gets HX-Redirect; the API gets 401 JSON. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (isApi(req)) return next(new HttpError(401, tr('errors:signInFirst')));
  const url = req.app.locals.url as (p: string) => string;
  const basePath = String(req.app.locals.basePath);
  // For htmx, the page the user is on (HX-Current-URL, a header anyone can send): kept only if it is a path of ours.
  const here = req.get('HX-Request') === 'true' ? pathOfUrl(req.get('HX-Current-URL')) : req.originalUrl;
  redirectToPage(req, res, `${url('/login')}?next=${encodeURIComponent(safeLocalPath(here, basePath, '/'))}`);
}
