// Languages (issue 17): the catalogues agree. Every key of English is in French and the other way round (with the
// plural forms each language needs), with the same {{values}}; every key is used in src/ or views/ (literally, as
// 'ns:key': no computed keys), and every key the code names exists. Markup only in keys ending in "Html".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalogue } from '../../src/i18n/catalogue.ts';
import { LANGUAGES, NAMESPACES } from '../../src/i18n/languages.ts';
import { PROJECT_ROOT } from '../../src/lib/paths.ts';

type Tree = { [key: string]: string | Tree };
const flatten = (tree: Tree, prefix = ''): Record<string, string> => Object.fromEntries(Object.entries(tree).flatMap(([k, v]) =>
  typeof v === 'string' ? [[prefix + k, v]] : Object.entries(flatten(v, `${prefix}${k}.`))));

const PLURAL = /_(zero|one|two|few|many|other)$/;
const keysOf = (lang: string) => Object.fromEntries(NAMESPACES.flatMap((ns) =>
  Object.entries(flatten(readCatalogue(lang, ns))).map(([k, v]) => [`${ns}:${k}`, v])));
/** A plural key stands for its base; the forms are checked apart. */
const baseOf = (key: string) => key.replace(PLURAL, '');
const valuesIn = (s: string) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

function codeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return codeFiles(full);
    return /\.(ts|ejs)$/.test(name) && !/\.test\.ts$/.test(name) ? [full] : [];
  });
}
const CODE = ['src', 'views'].flatMap((d) => codeFiles(path.join(PROJECT_ROOT, d))).map((f) => readFileSync(f, 'utf8')).join('\n');
const KEY_IN_CODE = new RegExp(`['"\`]((?:${NAMESPACES.join('|')}):[\\w.]+)['"\`]`, 'g');
const usedKeys = new Set([...CODE.matchAll(KEY_IN_CODE)].map((m) => m[1]));
/** Keys the code builds at run time, each listed here with where (none yet: keep it so). */
const COMPUTED_KEYS: string[] = [];

describe('catalogues', () => {
  const catalogues = Object.fromEntries(LANGUAGES.map((l) => [l, keysOf(l)]));

  it.each(LANGUAGES.filter((l) => l !== 'en'))('en and %s have the same keys, with the plural forms each language needs', (lang) => {
    const en = catalogues.en;
    const other = catalogues[lang];
    const bases = (c: Record<string, string>) => new Set(Object.keys(c).map(baseOf));
    expect([...bases(en)].filter((k) => !bases(other).has(k)), `missing from ${lang}`).toEqual([]);
    expect([...bases(other)].filter((k) => !bases(en).has(k)), `only in ${lang}`).toEqual([]);
    for (const [l, c] of [['en', en], [lang, other]] as const) {
      const forms = new Intl.PluralRules(l).resolvedOptions().pluralCategories.slice().sort();
      for (const base of new Set(Object.keys(c).filter((k) => PLURAL.test(k)).map(baseOf))) {
        const have = Object.keys(c).filter((k) => baseOf(k) === base && PLURAL.test(k)).map((k) => PLURAL.exec(k)![1]).sort();
        expect(have, `${l} ${base}`).toEqual(forms);
      }
    }
    for (const key of Object.keys(en).filter((k) => !PLURAL.test(k))) {
      expect(valuesIn(other[key]), `${lang} ${key} keeps the same {{values}}`).toEqual(valuesIn(en[key]));
    }
  });

  it('every key is used in src/ or views/, and every key the code names exists', () => {
    const all = new Set(Object.keys(catalogues.en).map(baseOf));
    const unused = [...all].filter((k) => !usedKeys.has(k) && !COMPUTED_KEYS.includes(k));
    expect(unused, 'keys no code uses (remove them, or name them literally)').toEqual([]);
    const unknown = [...usedKeys].filter((k) => !all.has(k));
    expect(unknown, 'keys the code names that English lacks').toEqual([]);
    expect(usedKeys.size).toBeGreaterThan(100);
  });

  it('only keys ending in "Html" carry markup, and no string is empty', () => {
    for (const lang of LANGUAGES) {
      for (const [key, value] of Object.entries(catalogues[lang])) {
        expect(value.trim(), `${lang} ${key}`).not.toBe('');
        if (!key.endsWith('Html')) expect(value, `${lang} ${key} has markup: name it …Html and print it with th()`).not.toMatch(/<[a-z/]/i);
      }
    }
  });

  // A no-break space before ":" and a narrow one before ; ? !, so the sign never starts a line on a phone.
  it('French uses typographic apostrophes and a no-break space before : ; ? ! (as French is written)', () => {
    for (const [key, value] of Object.entries(catalogues.fr)) {
      expect(value, `fr ${key}`).not.toMatch(/[A-Za-zÀ-ÿ]'[A-Za-zÀ-ÿ]/);
      expect(value.replace(/\{\{[^}]*\}\}|https?:\/\/\S+|<[^>]*>/g, ''), `fr ${key}`).not.toMatch(/(^|[^\u00a0\u202f\d])[:;?!](\s|$)/);
    }
  });
});
