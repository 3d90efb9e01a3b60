// The JSON API for scripts (the original app's paths). Errors are { error: { code, message, fields? } }.
// Bearer requests need no CSRF token; cookie-authenticated writes do (src/http/csrf.ts).
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/errors.ts';
import * as auth from './auth.service.ts';
import type { Google } from './google.ts';
import { revokeToken } from './tokens.repo.ts';
import { clientOf, endSignedIn, publicUser, retryAfterHeader, startSignedIn } from './web.ts';
import { tr } from '../../i18n/text.ts';

type Deps = { config: Config; db: Db; google: Google };

/** The three routes that trade credentials for a token. */
function credentialRoutes({ config, db, google }: Deps) {
  const r = Router();
  const signedIn = async (req: Request, res: Response, status: number, result: auth.SignedIn) => {
    await startSignedIn(req, res, config, result);
    res.status(status).json({ user: publicUser(result.user), token: result.token });
  };
  r.post('/api/auth/email/register', async (req, res) => {
    await signedIn(req, res, 201, await auth.register(db, config, req.body, clientOf(req), req.user));
  });
  r.post('/api/auth/email/login', async (req, res) => {
    await signedIn(req, res, 200, await auth.login(db, config, req.body, clientOf(req)));
  });
  r.post('/api/auth/google/token', async (req, res) => {
    if (!google.configured) throw new HttpError(404, tr('auth:google.notConfigured'));
    const body = (req.body ?? {}) as Record<string, unknown>;
    // Administration: a first sign-in may come with an invite code (REGISTRATION=invite).
    const invite = typeof body.invite === 'string' ? body.invite : null;
    await signedIn(req, res, 200, await auth.signInWithIdToken(db, config, google, body.id_token, clientOf(req), req.user, { invite }));
  });
  r.use(retryAfterHeader);
  return r;
}

/**
 * A JSON request with no cookie at all carries no ambient credential, and no other site can send one without a CORS
 * preflight that we never grant: such credential exchanges are mounted before CSRF so scripts can sign in.
 * Everything else (a browser with cookies) goes through CSRF first.
 */
export function apiCredentialRoutesWithoutCookies(deps: Deps) {
  const inner = credentialRoutes(deps);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.headers.cookie || !req.is('application/json')) return next();
    return inner(req, res, next);
  };
}

export function authApiRoutes(deps: Deps) {
  const { config, db } = deps;
  const r = Router();
  r.use(credentialRoutes(deps));
  r.post('/api/auth/logout', async (req, res) => {
    if (req.user && req.tokenId) await revokeToken(db, req.user.id, req.tokenId);
    await endSignedIn(req, res, config);
    res.status(204).end();
  });
  r.get('/api/auth/validate', requireUser, (req, res) => { res.json({ valid: true, user: publicUser(req.user!) }); });
  r.get('/api/user', requireUser, (req, res) => { res.json(publicUser(req.user!)); });
  r.delete('/api/user', requireUser, async (req, res) => {
    await auth.deleteAccount(db, req.user!, (req.body as Record<string, unknown> | undefined)?.confirm);
    await endSignedIn(req, res, config);
    res.status(204).end();
  });
  return r;
}
