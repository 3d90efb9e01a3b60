import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { isCsrfError } from './csrf.ts';
import { csrfHeaderWanted, varyOnHtmx, wantsFragment } from './htmx.ts';

import { codeFor, HttpError } from './http-error.ts';
// Languages (issue 17): messages are catalogue keys (locales/*/errors.json), translated for the reader here.
import { tOf } from '../i18n/negotiate.ts';
import { say, tr, type Translatable } from '../i18n/text.ts';

export { HttpError };

const isApi = (req: Request) => req.path === '/api' || req.path.startsWith('/api/');

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(404, tr('errors:notFound')));
}

/** Page, htmx fragment or JSON, by what asked; a stack trace only outside production. */
export function errorHandler(opts: { logger: Logger; isProduction: boolean }) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    if (err instanceof HttpError) res.set(err.headers);
    const t = tOf(req, res);
    const { status, code, text, signIn } = describe(err, req);
    const { message, fields } = err instanceof HttpError ? err.localized(t) : { message: say(t, text), fields: undefined };
    if (status >= 500) opts.logger.error({ err, reqId: req.id }, 'request failed');
    const detail = !opts.isProduction && status >= 500 && err instanceof Error ? err.stack : undefined;
    if (isApi(req)) {
      res.status(status).json({ error: { code, message, ...(fields ? { fields } : {}) } });
      return;
    }
    const locals = { status, message, detail, title: t(status === 404 ? 'errors:title.notFound' : signIn ? 'errors:title.signedOut' : 'errors:title.failed'),
      signIn, dismissible: wantsFragment(req) };
    varyOnHtmx(res);
    if (wantsFragment(req)) {
      // The layout's htmx config shows a 4xx/5xx's .error-box in #flash (and nothing else); the headers say the same
      // to an htmx without that config.
      res.set('HX-Retarget', '#flash').set('HX-Reswap', 'innerHTML');
    }
    // If the error page itself cannot render, still answer plainly rather than fall through to a stack trace.
    res.render(wantsFragment(req) ? 'errors/_error' : 'errors/error', locals, (renderErr: Error | null, html: string) => {
      if (renderErr) return plain(res, status, message, opts.logger, renderErr);
      if (wantsFragment(req)) return void res.status(status).send(html);
      res.render('layout', { ...locals, body: html, csrfHeader: csrfHeaderWanted(req) }, (layoutErr: Error | null, page: string) => {
        if (layoutErr) return plain(res, status, message, opts.logger, layoutErr);
        res.status(status).send(page);
      });
    });
  };
}

function plain(res: Response, status: number, message: string, logger: Logger, err: Error): void {
  logger.error({ err }, 'the error page could not be rendered');
  res.status(status).type('text/plain').send(message);
}

/** Forms that work signed out: a refused token there is a form that expired, not a user who was signed out. */
const SIGNED_OUT_FORMS = new Set(['/login', '/register', '/logout', '/auth/guest', /* Languages (issue 17) */ '/language']);

type Described = { status: number; code: string; text: Translatable; signIn?: boolean };

function describe(err: unknown, req: Request): Described {
  if (err instanceof HttpError) return { status: err.status, code: err.code, text: err.text };
  // Signed out meanwhile ("sign out everywhere", another tab's sign-out): the session and its CSRF secret went with
  // the sign-in, so the token is refused; the reason to give is the sign-out, with the way back.
  // A browser that still sends cookies but is signed in as nobody was signed out; a script that sends no cookie at
  // all never was, and gets the plain CSRF answer.
  if (isCsrfError(err) && !req.user && req.headers.cookie && !SIGNED_OUT_FORMS.has(req.path)) {
    return { status: 403, code: 'signed_out', signIn: true, text: tr('errors:signedOut') };
  }
  if (isCsrfError(err)) {
    return { status: 403, code: 'csrf', text: tr('errors:csrf') };
  }
  const e = err as { status?: number; type?: string };
  if (e?.type === 'entity.too.large') return { status: 413, code: 'too_large', text: tr('errors:tooLarge') };
  if (e?.type === 'entity.parse.failed') return { status: 400, code: 'bad_request', text: tr('errors:badJson') };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, code: codeFor(e.status), text: tr('errors:badRequest') };
  return { status: 500, code: 'error', text: tr('errors:server') };
}
