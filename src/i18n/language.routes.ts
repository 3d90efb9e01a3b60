// The language switch, without JavaScript: plain CSRF-protected POSTs that answer 303 back to where the form was.
//   POST /language          anyone: sets (or, for "auto", clears) the `lang` cookie, under the base path
//   POST /account/language  signed in: saves users.language (null = automatic), and the cookie for after sign-out
//   POST /account/time-zone signed in: saves users.time_zone (null = automatic: the zone the browser reports)
import { Router, type Request, type Response } from 'express';
import type { Config } from '../config.ts';
import type { Db } from '../db.ts';
import { requireUser } from '../http/auth.ts';
import { cookiePath, safeLocalPath } from '../http/base-path.ts';
import { HttpError } from '../http/http-error.ts';
import { isLanguage } from './languages.ts';
import { isTimeZone } from './zones.ts';
import { addFlash } from '../features/auth/web.ts';
import { LANG_COOKIE } from './negotiate.ts';
import { tr } from './text.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export function languageRoutes({ config, db }: { config: Config; db: Db }) {
  const url = (p: string) => (config.basePath || '') + p;
  const chosen = (req: Request): string | null => {
    const v = (req.body as Record<string, unknown> | undefined)?.lang;
    if (v === 'auto') return null;
    if (!isLanguage(v)) throw new HttpError(422, tr('errors:language.unknown'), 'invalid', { lang: tr('errors:language.unknown') });
    return v;
  };
  const setCookie = (req: Request, res: Response, lang: string | null) => {
    const opts = { httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: cookiePath(config.basePath) };
    if (lang) res.cookie(LANG_COOKIE, lang, { ...opts, maxAge: YEAR_MS });
    else res.clearCookie(LANG_COOKIE, opts);
  };
  const back = (req: Request, res: Response, fallback: string) => {
    const next = safeLocalPath((req.body as Record<string, unknown> | undefined)?.next, config.basePath, fallback);
    // A whole page in the new language: htmx loads it as a page (its layout, <html lang>), a browser follows the 303.
    if (req.get('HX-Request') === 'true') return void res.set('HX-Redirect', url(next)).status(204).end();
    res.redirect(303, url(next));
  };

  const r = Router();
  r.post('/language', (req, res) => {
    setCookie(req, res, chosen(req));
    back(req, res, '/');
  });
  r.post('/account/language', requireUser, async (req, res) => {
    const lang = chosen(req);
    await db('users').where({ id: req.user!.id }).update({ language: lang });
    setCookie(req, res, lang);
    back(req, res, '/account');
  });
  r.post('/account/time-zone', requireUser, async (req, res) => {
    const v = (req.body as Record<string, unknown> | undefined)?.zone;
    if (v !== 'auto' && !isTimeZone(v)) throw new HttpError(422, tr('errors:timeZone.unknown'), 'invalid', { zone: tr('errors:timeZone.unknown') });
    const zone = v === 'auto' ? null : v;
    await db('users').where({ id: req.user!.id }).update({ time_zone: zone });
    addFlash(req, 'ok', zone ? tr('account:timeZone.saved', { zone }) : tr('account:timeZone.savedAuto'));
    back(req, res, '/account');
  });
  return r;
}
