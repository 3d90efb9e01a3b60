// Which language a request is answered in: the signed-in user's saved choice > the `lang` cookie (set by the switch
// while signed out, or by a user who left theirs on "automatic") > Accept-Language > English. And in which time zone
// its dates are written (src/i18n/zones.ts).
import type { NextFunction, Request, Response } from 'express';
import type { TFunction } from 'i18next';
import { tFor } from './catalogue.ts';
import { dateTime, number } from './format.ts';
import { htmlT } from './html.ts';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, PSEUDO } from './languages.ts';
import { say, type Translatable } from './text.ts';
import { exactText, relativeText } from './when.ts';
import { chooseZone, DEFAULT_ZONE } from './zones.ts';
import type { HttpError } from '../http/http-error.ts';

export const LANG_COOKIE = 'lang';

export type Localized = {
  lang: string; zone: string; t: TFunction; th: ReturnType<typeof htmlT>;
  /** A Translatable (a flash, an HttpError's text) in this language; a plain string as is. */
  tx: (m: Translatable) => string;
  /** Intl helpers bound to the language (and zone): fmtDate(date), fmtNumber(n, digits). */
  fmtDate: (d: Date) => string; fmtNumber: (n: number, digits?: number) => string;
  /** A message's time (views/chat/_time.ejs): "5 min ago" and "1 Dec 2026, 20:54 GMT+1", in this language and zone. */
  msgTime: (at: Date | string) => { relative: string; exact: string };
};

const bundles = new Map<string, Localized>();
/**
 * Everything a template needs for one language and zone, made once for each pair (nothing is allocated per request;
 * zones are checked names, a few hundred at most).
 */
export function localized(lang: string, zone: string = DEFAULT_ZONE): Localized {
  const key = `${lang} ${zone}`;
  let b = bundles.get(key);
  if (!b) {
    const t = tFor(lang);
    b = {
      lang, zone, t, th: htmlT(t), tx: (m) => say(t, m),
      // English keeps its ISO-like dates; other languages write a date as their messages' exact time (one form).
      fmtDate: lang === DEFAULT_LANGUAGE ? (d) => dateTime(lang, d, zone) : (d) => say(t, exactText(d, zone, lang)),
      fmtNumber: (n, digits) => number(lang, n, digits),
      msgTime: (at) => {
        const d = new Date(at);
        return { relative: say(t, relativeText(d, new Date(), zone)), exact: say(t, exactText(d, zone, lang)) };
      },
    };
    bundles.set(key, b);
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

/** Sets res.locals (lang, zone, t, th, fmtDate, fmtNumber, msgTime); Vary: Accept-Language, since every answer depends on it. */
export function applyLanguage(req: Request, res: Response, opts: { pseudo?: boolean } = {}): Localized {
  const l = localized(chooseLanguage(req, opts), chooseZone(req));
  Object.assign(res.locals, l);
  // A zone saved on Account: the layout hands it to app.js (data-tz), which otherwise uses the browser's.
  const saved = (req.user as { timeZone?: string | null } | undefined)?.timeZone;
  if (saved && saved === l.zone) res.locals.savedZone = saved;
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

/** The reader's time zone (for a service that groups or formats dates itself, such as the sidebar's days). */
export const zoneOf = (res: Response): string => (res.locals.zone as string | undefined) ?? DEFAULT_ZONE;
