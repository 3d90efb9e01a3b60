// Sign-in pages: email + password, register, guest, log out, and the Google code flow (state, nonce, PKCE).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { safeLocalPath } from '../../http/base-path.ts';
import { HttpError } from '../../http/errors.ts';
import { render } from '../../http/htmx.ts';
import * as auth from './auth.service.ts';
import { GoogleTokenError, type Google } from './google.ts';
import { RateLimitedError } from './rate-limits.ts';
import { inviteProblem } from './invites.repo.ts';
import { INVITE_NEEDED, REGISTRATION_CLOSED, registrationOffered } from './registration-policy.ts';
import { revokeToken } from './tokens.repo.ts';
import { isGuest } from './users.repo.ts';
import { addFlash, appUrl, clientOf, endSignedIn, goTo, nextPath, startSignedIn, takeFlash } from './web.ts';
import { tr, type Translatable } from '../../i18n/text.ts';
import { localizedError, sayTo } from '../../i18n/negotiate.ts';

const GOOGLE_FLOW_MS = 10 * 60 * 1000;
const FORM_STATUSES = new Set([401, 403, 409, 422, 429]);

type Mode = 'login' | 'register';

export function authController({ config, db, google }: { config: Config; db: Db; google: Google }) {
  // Administration (issue 16): an invite link's code rides along in the form (and in the Google flow's state).
  const inviteOf = (req: Request): string => {
    const v = (req.body as Record<string, unknown> | undefined)?.invite ?? req.query.invite;
    return typeof v === 'string' && v.length <= 200 ? v : '';
  };
  const pageLocals = (req: Request, res: Response, mode: Mode, extra: Record<string, unknown> = {}) => ({
    title: sayTo(res, mode === 'login' ? tr('auth:login.title') : tr('auth:register.title')),
    mode, next: nextPath(req, config), values: {}, errors: {}, formError: null,
    googleEnabled: google.configured, guestsAllowed: config.guests.allowed && !req.user,
    registrationOpen: registrationOffered(config, null), registrationDomains: config.registration.mode === 'invite' ? [] : config.registration.domains,
    invite: inviteOf(req), registrationOffered: registrationOffered(config, inviteOf(req)),
    registrationRefusal: sayTo(res, config.registration.mode === 'closed' ? REGISTRATION_CLOSED : INVITE_NEEDED),
    isGuest: Boolean(req.user && isGuest(req.user)),
    ...extra,
  });

  const showForm = (req: Request, res: Response, mode: Mode, err: unknown) => {
    if (!(err instanceof HttpError) || !FORM_STATUSES.has(err.status)) throw err;
    if (err instanceof RateLimitedError) res.set('Retry-After', String(err.retryAfterSeconds));
    const body = (req.body ?? {}) as Record<string, unknown>;
    // What was typed comes back, except the password.
    const values = { email: typeof body.email === 'string' ? body.email : '', name: typeof body.name === 'string' ? body.name : '' };
    const { message, fields } = localizedError(res, err);
    render(req, res, `auth/${mode}`, pageLocals(req, res, mode, { values, errors: fields ?? {}, formError: message }), { status: err.status });
  };

  const alreadyIn = (req: Request) => req.user && !isGuest(req.user);

  function redirectUri(req: Request): string {
    const origin = config.publicUrl ? new URL(config.publicUrl).origin : `${req.protocol}://${req.get('host')}`;
    return origin + appUrl(req, '/auth/google/callback');
  }

  async function startGoogle(req: Request, res: Response, linkUserId?: number) {
    if (!google.configured) throw new HttpError(404, tr('auth:google.notConfigured'));
    const { verifier, challenge } = await google.codeChallenge();
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    // The exchange must name the same redirect_uri as the consent request.
    const uri = redirectUri(req);
    req.session.google = { state, nonce, verifier, redirectUri: uri, next: nextPath(req, config), linkUserId, startedAt: Date.now(), invite: inviteOf(req) || undefined };
    res.redirect(303, google.authUrl({ redirectUri: uri, state, nonce, challenge }));
  }

  const sameState = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  return {
    showLogin(req: Request, res: Response) {
      if (alreadyIn(req)) return res.redirect(302, appUrl(req, nextPath(req, config)));
      takeFlash(req, res);
      render(req, res, 'auth/login', pageLocals(req, res, 'login'));
    },

    async login(req: Request, res: Response) {
      try {
        const signedIn = await auth.login(db, config, req.body, clientOf(req));
        await startSignedIn(req, res, config, signedIn);
        goTo(req, res, appUrl(req, nextPath(req, config)));
      } catch (err) {
        showForm(req, res, 'login', err);
      }
    },

    async showRegister(req: Request, res: Response) {
      if (alreadyIn(req)) return res.redirect(302, appUrl(req, nextPath(req, config)));
      // An invite that can no longer be used says so at once, not after the form is filled in.
      const invite = inviteOf(req);
      const problem = invite && config.registration.mode !== 'closed' ? await inviteProblem(db, invite) : null;
      render(req, res, 'auth/register', pageLocals(req, res, 'register', problem ? { formError: sayTo(res, problem) } : {}));
    },

    async register(req: Request, res: Response) {
      try {
        const signedIn = await auth.register(db, config, req.body, clientOf(req), req.user);
        await startSignedIn(req, res, config, signedIn);
        goTo(req, res, appUrl(req, nextPath(req, config)));
      } catch (err) {
        showForm(req, res, 'register', err);
      }
    },

    async guest(req: Request, res: Response) {
      // Someone already signed in (as a member or a guest) keeps that sign-in: no second user, no orphaned token.
      if (req.user) return goTo(req, res, appUrl(req, nextPath(req, config)));
      const signedIn = await auth.createGuest(db, config, clientOf(req));
      await startSignedIn(req, res, config, signedIn);
      goTo(req, res, appUrl(req, nextPath(req, config)));
    },

    async logout(req: Request, res: Response) {
      if (req.user && req.tokenId) await revokeToken(db, req.user.id, req.tokenId);
      await endSignedIn(req, res, config);
      goTo(req, res, appUrl(req, '/login'));
    },

    startGoogle: (req: Request, res: Response) => startGoogle(req, res),
    linkGoogle: (req: Request, res: Response) => startGoogle(req, res, req.user!.id),

    async googleCallback(req: Request, res: Response) {
      const pending = req.session.google;
      delete req.session.google;
      const fail = (status: number, message: Translatable) =>
        render(req, res, 'auth/login', pageLocals(req, res, 'login', { formError: sayTo(res, message) }), { status });
      const state = typeof req.query.state === 'string' ? req.query.state : '';
      if (!pending || !state || !sameState(state, pending.state) || Date.now() - pending.startedAt > GOOGLE_FLOW_MS) {
        return fail(400, tr('auth:google.expired'));
      }
      if (typeof req.query.code !== 'string') return fail(401, tr('auth:google.cancelled'));
      try {
        const idToken = await google.exchangeCode({ code: req.query.code, verifier: pending.verifier, redirectUri: pending.redirectUri });
        const profile = await google.verifyIdToken(idToken, { nonce: pending.nonce });
        if (pending.linkUserId !== undefined) {
          if (!req.user || req.user.id !== pending.linkUserId) return fail(401, tr('auth:google.signInToLink'));
          await auth.linkGoogle(db, req.user, profile);
          addFlash(req, 'ok', tr('auth:google.linked'));
          return res.redirect(303, appUrl(req, '/account'));
        }
        const signedIn = await auth.signInWithGoogle(db, config, profile, clientOf(req), req.user, { invite: pending.invite });
        await startSignedIn(req, res, config, signedIn);
        // pending.next was checked when the flow started; checked again, as the one rule for redirects.
        res.redirect(303, appUrl(req, safeLocalPath(pending.next, '', '/')));
      } catch (err) {
        if (err instanceof GoogleTokenError) return fail(401, err.text);
        // Administration: refused by the registration policy, or a disabled account: say why on the sign-in page.
        if (err instanceof HttpError && (err.status === 403 || err.status === 422) && pending.linkUserId === undefined) {
          return fail(err.status, err.fieldTexts?.email ?? err.text);
        }
        if (err instanceof HttpError && err.status === 409) {
          if (pending.linkUserId !== undefined) {
            addFlash(req, 'error', err.text);
            return res.redirect(303, appUrl(req, '/account'));
          }
          return fail(409, err.text);
        }
        throw err;
      }
    },
  };
}
