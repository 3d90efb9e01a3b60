// /reset/:code: where a person sets a new password from a link an administrator gave them. Works signed out, with
// JavaScript off (a plain form); a refused password shows the form again with the link still good.
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';
import { render } from '../../http/htmx.ts';
import { RESET_GONE, resetPassword, userForReset } from './password-resets.ts';
import { addFlash, appUrl, endSignedIn, goTo } from './web.ts';
import type { Config } from '../../config.ts';
import { tr } from '../../i18n/text.ts';
import { sayTo } from '../../i18n/negotiate.ts';

export function resetRoutes({ config, db }: { config: Config; db: Db }) {
  const r = Router();
  const page = (req: Request, res: Response, email: string, extra: Record<string, unknown> = {}) =>
    ({ title: sayTo(res, tr('auth:reset.title')), email, code: String(req.params.code), error: null, ...extra });

  r.get('/reset/:code', async (req: Request, res: Response) => {
    const user = await userForReset(db, String(req.params.code));
    if (!user) throw new HttpError(404, RESET_GONE);
    render(req, res, 'auth/reset', { ...page(req, res, user.email), noindex: true });
  });

  r.post('/reset/:code', async (req: Request, res: Response) => {
    try {
      await resetPassword(db, String(req.params.code), req.body);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 422) throw err;
      const user = await userForReset(db, String(req.params.code));
      if (!user) throw new HttpError(404, RESET_GONE);
      return render(req, res, 'auth/reset', { ...page(req, res, user.email, { error: sayTo(res, err.fieldTexts?.password ?? err.text) }), noindex: true }, { status: 422 });
    }
    // Every device of that account is signed out; so is this browser, whoever it was signed in as.
    await endSignedIn(req, res, config);
    addFlash(req, 'ok', tr('auth:reset.done'));
    goTo(req, res, appUrl(req, '/login'));
  });
  return r;
}
