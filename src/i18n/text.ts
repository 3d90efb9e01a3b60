// A sentence to be translated later, when the reader's language is known: services and repositories have no request,
// so they throw or store `tr('auth:error.wrongCredentials')` and the page, the htmx box or the JSON answer translates it.
import type { TFunction } from 'i18next';
import { tFor } from './catalogue.ts';

export type Text = { key: string; values?: Record<string, unknown> };
/** A plain string is shown as is (not yet converted code, or user content); a Text is looked up in the catalogue. */
export type Translatable = string | Text;

/** Keep keys literal ('ns:key') so the catalogue test finds every use with a grep. */
export const tr = (key: string, values?: Record<string, unknown>): Text => (values ? { key, values } : { key });

export const isText = (v: unknown): v is Text => typeof v === 'object' && v !== null && typeof (v as Text).key === 'string';

/** Translates a Text (and any Text among its values: "Too many {{what}}…" with what = tr('errors:rateLimit.signInsFromNetwork')). */
export function say(t: TFunction, m: Translatable): string {
  if (!isText(m)) return m;
  const values = m.values ? Object.fromEntries(Object.entries(m.values).map(([k, v]) => [k, isText(v) ? say(t, v) : v])) : {};
  return (t as (k: string, v?: object) => string)(m.key, values);
}

/** In English: logs, Error.message, and what code written before i18n reads. */
export const english = (m: Translatable): string => say(tFor('en'), m);
