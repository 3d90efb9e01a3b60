// Who administers: users whose email is in ADMIN_EMAILS, or (single sign-on) in OIDC_ADMIN_GROUP; nobody else (no "first user is admin" race).
// Every admin route answers a non-admin exactly as an unknown route does (404), so the area's existence leaks nothing.
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config.ts';
import { HttpError } from '../../http/http-error.ts';
import { tr } from '../../i18n/text.ts';
import { isGuest, normalizeEmail, type User } from '../auth/users.repo.ts';

/** OIDC_ADMIN_GROUP (single sign-on) is a second way in; the config of a caller that has none is enough too. */
export type AdminConfig = Pick<Config, 'adminEmails'> & { oidc?: Pick<Config['oidc'], 'adminGroup'> };
export type AdminCandidate = Pick<User, 'email' | 'guestExpiresAt'> & Partial<Pick<User, 'emailVerifiedAt' | 'disabledAt' | 'oidcAdmin'>>;

/**
 * An administrator: a member (not a guest, not disabled) whose address is in ADMIN_EMAILS *and* was shown to be
 * theirs (emailVerifiedAt: Google, OpenID Connect, the trusted proxy, or a password set through a reset link).
 * Someone who registered an administrator's address with the email form before its owner is never one.
 */
export function isAdmin(user: AdminCandidate | undefined, config: AdminConfig): boolean {
  if (!user || isGuest(user) || user.disabledAt) return false;
  if (config.adminEmails.includes(normalizeEmail(user.email)) && user.emailVerifiedAt) return true;
  // Single sign-on (OpenID Connect): members of OIDC_ADMIN_GROUP, as the provider said at their last OIDC sign-in;
  // only while OIDC_ADMIN_GROUP is set (removing it takes the rights back without touching rows).
  return Boolean(user.oidcAdmin && config.oidc?.adminGroup);
}

/** Route guard: the same 404 as notFound (src/http/errors.ts) for anyone who is not an administrator. */
export function adminOnly(config: AdminConfig) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (isAdmin(req.user, config)) return next();
    next(new HttpError(404, tr('errors:notFound')));
  };
}
