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
    t = remembered(catalogue().getFixedT(lang));
    fixed.set(lang, t);
  }
  return t;
}

// Performance (issue 18): i18next's fixed t copies all its options into a new object on every call (~4 KB; a thread
// page makes ~280 calls, which was a third of its garbage and most of its CPU). The catalogue is read once and never
// changes while the process runs, so an answer depends only on the language, the key and the values: it is kept when
// the values are plain strings, numbers or booleans and the answer is a string. Bounded: cleared at MEMO_ENTRIES.
const MEMO_ENTRIES = 20_000;
const isScalar = (v: unknown) => v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
function remembered(t: TFunction): TFunction {
  const memo = new Map<string, string>();
  const call = t as unknown as (key: unknown, ...rest: unknown[]) => unknown;
  const fast = (key: unknown, values?: unknown, ...rest: unknown[]): unknown => {
    if (typeof key !== 'string' || rest.length || !(values === undefined || (typeof values === 'object' && values !== null
      && Object.getPrototypeOf(values) === Object.prototype && Object.values(values).every(isScalar)))) return call(key, values, ...rest);
    const id = values === undefined ? key : `${key}\u0000${JSON.stringify(values)}`;
    const known = memo.get(id);
    if (known !== undefined) return known;
    const answer = call(key, values);
    if (typeof answer === 'string') {
      if (memo.size >= MEMO_ENTRIES) memo.clear();
      memo.set(id, answer);
    }
    return answer;
  };
  const { lng, ns, keyPrefix } = t as unknown as Record<string, unknown>;
  return Object.assign(fast, { lng, ns, keyPrefix }) as unknown as TFunction;
}
