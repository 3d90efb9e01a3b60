// Sign-in pages, the account page and the JSON auth API, as two routers (the API's alone is what an API call enters,
// see src/app.ts). Mounted after CSRF protection.
import { Router } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { requireUser } from '../../http/auth.ts';
import { accountController } from './account.controller.ts';
import { authApiRoutes } from './auth.api.ts';
import { authController } from './auth.controller.ts';
import type { Google } from './google.ts';
import { resetRoutes } from './reset.routes.ts';
import { retryAfterHeader } from './web.ts';

export function authRoutes(deps: { config: Config; db: Db; google: Google }) {
  const a = authController(deps);
  const acc = accountController(deps);
  const r = Router();
  r.get('/login', a.showLogin);
  r.post('/login', a.login);
  r.get('/register', a.showRegister);
  r.post('/register', a.register);
  r.post('/logout', a.logout);
  r.post('/auth/guest', a.guest);
  r.get('/auth/google', a.startGoogle);
  r.get('/auth/google/callback', a.googleCallback);

  r.get('/account', requireUser, acc.show);
  r.post('/account/name', requireUser, acc.updateName);
  r.post('/account/password', requireUser, acc.changePassword);
  r.post('/account/google', requireUser, a.linkGoogle);
  r.post('/account/sessions/revoke-all', requireUser, acc.revokeAll);
  r.post('/account/sessions/:id/revoke', requireUser, acc.revokeSession);
  r.post('/account/delete', requireUser, acc.destroy);

  // Administration (issue 16): /reset/:code, where a reset link made by an administrator is used.
  r.use(resetRoutes(deps));
  r.use(retryAfterHeader);
  return r;
}

/** The JSON auth API: no route of it is a page's, and no page's route is under /api. */
export function authApiRouter(deps: { config: Config; db: Db; google: Google }) {
  const r = Router();
  r.use(authApiRoutes(deps));
  r.use(retryAfterHeader);
  return r;
}
