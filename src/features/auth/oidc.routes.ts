// Single sign-on (OpenID Connect) pages: GET /auth/oidc sends the browser to the provider (a plain link, so it works
// without JavaScript), GET /auth/oidc/callback comes back. The pending flow (state, nonce, PKCE verifier, redirect
// URI) lives in the server-side session, as Google's does (auth.controller.ts), for ten minutes and one use.
import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { safeLocalPath } from '../../http/base-path.ts';
import { HttpError } from '../../http/errors.ts';
import { render } from '../../http/htmx.ts';
import { OidcError, type Oidc, type OidcPending } from './oidc.ts';
import { signInWithOidc } from './oidc.service.ts';
import { isGuest } from './users.repo.ts';
import { appUrl, clientOf, nextPath, startSignedIn } from './web.ts';
import { english, tr, type Translatable } from '../../i18n/text.ts';
import { sayTo } from '../../i18n/negotiate.ts';

type PendingOidc = OidcPending & { next: string; invite: string | null; startedAt: number };

declare module 'express-session' {
  interface SessionData { oidc?: PendingOidc }
}

const FLOW_MS = 10 * 60 * 1000;

export function oidcRoutes({ config, db, oidc }: { config: Config; db: Db; oidc: Oidc }) {
  const r = Router();

  /** Same origin rule as Google's: PUBLIC_URL when set, else this request's; then BASE_PATH through appUrl. */
  const redirectUri = (req: Request) =>
    (config.publicUrl ? new URL(config.publicUrl).origin : `${req.protocol}://${req.get('host')}`) + appUrl(req, '/auth/oidc/callback');

  /** A page that says what went wrong, with a way to try again and a way back to the other sign-ins. */
  const fail = (req: Request, res: Response, status: number, message: Translatable, detail?: string) => {
    req.log?.warn({ oidc: detail ?? english(message) }, 'single sign-on did not complete');
    render(req, res, 'auth/oidc-error', { title: sayTo(res, tr('auth:oidc.pageTitle')), message: sayTo(res, message), label: oidc.buttonLabel }, { status });
  };

  r.get('/auth/oidc', async (req, res) => {
    if (!oidc.configured) throw new HttpError(404, tr('auth:oidc.notConfigured'));
    try {
      const { url, pending } = await oidc.start(redirectUri(req));
      const invite = typeof req.query.invite === 'string' && req.query.invite.length <= 200 ? req.query.invite : null;
      req.session.oidc = { ...pending, next: nextPath(req, config), invite, startedAt: Date.now() };
      res.redirect(303, url);
    } catch (err) {
      if (err instanceof OidcError) return fail(req, res, err.status, err.text, err.detail);
      throw err;
    }
  });

  r.get('/auth/oidc/callback', async (req, res) => {
    if (!oidc.configured) throw new HttpError(404, tr('auth:oidc.notConfigured'));
    const pending = req.session.oidc;
    delete req.session.oidc; // one use, whatever happens next
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    if (!pending || !state || !sameText(state, pending.state) || Date.now() - pending.startedAt > FLOW_MS) {
      return fail(req, res, 400, tr('auth:oidc.expired'));
    }
    try {
      const profile = await oidc.finish(req.query, pending);
      const guest = req.user && isGuest(req.user) ? req.user : undefined;
      const signedIn = await signInWithOidc(db, config, profile, clientOf(req), { guest, invite: pending.invite });
      await startSignedIn(req, res, config, signedIn);
      // pending.next was checked when the flow started; checked again, as the one rule for redirects.
      res.redirect(303, appUrl(req, safeLocalPath(pending.next, '', '/')));
    } catch (err) {
      if (err instanceof OidcError) return fail(req, res, err.status, err.text, err.detail);
      // The registration policy's refusal (closed, domains, invite) or a conflict: the person should read it.
      if (err instanceof HttpError && [403, 409, 422].includes(err.status)) {
        return fail(req, res, err.status, Object.values(err.fieldTexts ?? {})[0] ?? err.text);
      }
      throw err;
    }
  });

  return r;
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
