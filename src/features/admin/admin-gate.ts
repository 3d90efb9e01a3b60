// Who administers: users whose email is in ADMIN_EMAILS, or (single sign-on) in OIDC_ADMIN_GROUP; nobody else (no "first user is admin" race).
// Every admin route answers a non-admin exactly as an unknown route does (404), so the area's existence leaks nothing.
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config.ts';
import { HttpError } from '../../http/http-error.ts';
import { isGuest, normalizeEmail, type User } from '../auth/users.repo.ts';

type AdminConfig = Pick<Config, 'adminEmails'> & { oidc?: Pick<Config['oidc'], 'adminGroup'> };

export function isAdmin(user: Pick<User, 'email' | 'guestExpiresAt' | 'oidcAdmin'> | undefined, config: AdminConfig): boolean {
  if (!user || isGuest(user)) return false;
  // Single sign-on (OpenID Connect): members of OIDC_ADMIN_GROUP, as the provider said at their last OIDC sign-in;
  // only while OIDC_ADMIN_GROUP is set (removing it takes the rights back without touching rows).
  if (user.oidcAdmin && config.oidc?.adminGroup) return true;
  return config.adminEmails.includes(normalizeEmail(user.email));
}

/** Route guard: the same 404 as notFound (src/http/errors.ts) for anyone who is not an administrator. */
export function adminOnly(config: AdminConfig) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isAdmin(req.user, config)) return next();
    next(new HttpError(404, 'There is nothing here. The link may be old, or the item was deleted.'));
  };
}
