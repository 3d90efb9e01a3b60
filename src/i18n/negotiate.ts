// Which language a request is answered in: the signed-in user's saved choice > the `lang` cookie (set by the switch
// while signed out, or by a user who left theirs on "automatic") > Accept-Language > English.
import type { NextFunction, Request, Response } from 'express';
import type { TFunction } from 'i18next';
import { tFor } from './catalogue.ts';
import { dateTime, number } from './format.ts';
import { htmlT } from './html.ts';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, PSEUDO } from './languages.ts';
import { say, type Translatable } from './text.ts';
import type { HttpError } from '../http/http-error.ts';

export const LANG_COOKIE = 'lang';

export type Localized = {
  lang: string; t: TFunction; th: ReturnType<typeof htmlT>;
  /** A Translatable (a flash, an HttpError's text) in this language; a plain string as is. */
  tx: (m: Translatable) => string;
  /** Intl helpers bound to the language: fmtDate(date), fmtNumber(n, digits). */
  fmtDate: (d: Date) => string; fmtNumber: (n: number, digits?: number) => string;
};

const bundles = new Map<string, Localized>();
/** Everything a template needs for one language, made once per language (nothing is allocated per request). */
export function localized(lang: string): Localized {
  let b = bundles.get(lang);
  if (!b) {
    const t = tFor(lang);
    b = { lang, t, th: htmlT(t), tx: (m) => say(t, m), fmtDate: (d) => dateTime(lang, d), fmtNumber: (n, digits) => number(lang, n, digits) };
    bundles.set(lang, b);
  }
  return b;
}

export function chooseLanguage(req: Request, opts: { pseudo?: boolean } = {}): string {
  const saved = (req.user as { language?: string | null } | undefined)?.language;
  if (isLanguage(saved)) return saved;
  const cookie = (req.cookies as Record<string, string> | undefined)?.[LANG_COOKIE];
  if (isLanguage(cookie) || (opts.pseudo && cookie === PSEUDO)) return cookie;
  const offered: string[] = opts.pseudo ? [...LANGUAGES, PSEUDO] : [...LANGUAGES];
  // Express's negotiation (q-values; "fr-CA" matches "fr"). No header at all means English, as before i18n.
  if (!req.get('Accept-Language')) return DEFAULT_LANGUAGE;
  return req.acceptsLanguages(offered) || DEFAULT_LANGUAGE;
}

/** Sets res.locals (lang, t, th, fmtDate, fmtNumber); Vary: Accept-Language, since every answer depends on it. */
export function applyLanguage(req: Request, res: Response, opts: { pseudo?: boolean } = {}): Localized {
  const l = localized(chooseLanguage(req, opts));
  Object.assign(res.locals, l);
  res.vary('Accept-Language');
  return l;
}

export function languageOnEveryRequest(opts: { pseudo?: boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction): void => {
    applyLanguage(req, res, opts);
    next();
  };
}

/** The request's t (the error handler also runs for errors raised before the middleware: then it negotiates here). */
export function tOf(req: Request, res: Response): TFunction {
  return (res.locals.t as TFunction | undefined) ?? applyLanguage(req, res, { pseudo: req.app.get('env') === 'test' }).t;
}

/** A Text (or a plain string) in this response's language: for messages a controller puts in a page's locals. */
export function sayTo(res: Response, m: Translatable): string {
  return say((res.locals.t as TFunction | undefined) ?? tFor(DEFAULT_LANGUAGE), m);
}

/** An HttpError's message and fields in this response's language. */
export const localizedError = (res: Response, err: HttpError) =>
  err.localized((res.locals.t as TFunction | undefined) ?? tFor(DEFAULT_LANGUAGE));
