// One i18next instance for the whole process, read from locales/<lang>/<namespace>.json once, at start-up
// (synchronously: no backend, no watcher). Requests get a fixed t per language from a cache: no clone, no allocation.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, NAMESPACES, PSEUDO } from './languages.ts';
import { pseudoOf } from './pseudo.ts';

export const LOCALES_DIR = path.join(PROJECT_ROOT, 'locales');

type Tree = { [key: string]: string | Tree };

export function readCatalogue(lang: string, ns: string): Tree {
  return JSON.parse(readFileSync(path.join(LOCALES_DIR, lang, `${ns}.json`), 'utf8')) as Tree;
}

let instance: i18n | undefined;
const fixed = new Map<string, TFunction>();

/** The instance, built on first use (the app, a test, or an HttpError made before the app). */
export function catalogue(): i18n {
  if (instance) return instance;
  const resources: Record<string, Record<string, Tree>> = {};
  for (const lang of LANGUAGES) {
    resources[lang] = Object.fromEntries(NAMESPACES.map((ns) => [ns, readCatalogue(lang, ns)]));
  }
  resources[PSEUDO] = Object.fromEntries(NAMESPACES.map((ns) => [ns, pseudoOf(resources.en[ns])]));
  const i = i18next.createInstance();
  void i.init({
    resources,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES, PSEUDO],
    ns: [...NAMESPACES],
    defaultNS: 'common',
    // EJS escapes what <%= %> prints, so i18next must not escape values too (they would show as &amp;lt;).
    // Strings that carry markup are the keys ending in "Html", printed with th() (src/i18n/html.ts), which escapes values.
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  instance = i;
  return i;
}

/** The t of one language, made once per language and kept (getFixedT returns a new closure on every call). */
export function tFor(lang: string): TFunction {
  let t = fixed.get(lang);
  if (!t) {
    t = catalogue().getFixedT(lang);
    fixed.set(lang, t);
  }
  return t;
}
