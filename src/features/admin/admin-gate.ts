// Who administers: users whose email is in ADMIN_EMAILS, and nobody else (no "first user is admin" race).
// Every admin route answers a non-admin exactly as an unknown route does (404), so the area's existence leaks nothing.
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config.ts';
import { HttpError } from '../../http/http-error.ts';
import { isGuest, normalizeEmail, type User } from '../auth/users.repo.ts';

export function isAdmin(user: Pick<User, 'email' | 'guestExpiresAt'> | undefined, config: Pick<Config, 'adminEmails'>): boolean {
  if (!user || isGuest(user)) return false;
  return config.adminEmails.includes(normalizeEmail(user.email));
}

/** Route guard: the same 404 as notFound (src/http/errors.ts) for anyone who is not an administrator. */
export function adminOnly(config: Pick<Config, 'adminEmails'>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isAdmin(req.user, config)) return next();
    next(new HttpError(404, 'There is nothing here. The link may be old, or the item was deleted.'));
  };
}
