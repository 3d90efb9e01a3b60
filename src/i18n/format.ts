// Dates and numbers in the reader's language through Intl, one formatter per language and style, made once.
// Times are in UTC for now: the reader's time zone (a setting, or reported by JS) is a later step of issue 17.
import { PSEUDO } from './languages.ts';

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
/** Intl knows no pseudo-locale: it formats as English (the test allows digits and punctuation anyway). */
const intlLang = (lang: string) => (lang === PSEUDO ? 'en' : lang);

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) { f = make(); cache.set(key, f); }
  return f;
}

/**
 * A date and time with its zone: "5 mars 2024, 14:07 UTC" in French. English keeps the ISO-like form it had before
 * i18n ("2024-03-05 14:07 UTC", which tests and users know): Intl's en-CA numeric parts, joined the same way.
 */
export function dateTime(lang: string, d: Date): string {
  if (intlLang(lang) === 'en') {
    const f = cached('en:iso', () => new Intl.DateTimeFormat('en-CA', {
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC',
    }));
    const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} UTC`;
  }
  const f = cached(`${lang}:dt`, () => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }));
  return `${f.format(d)} UTC`;
}

/** A number with the language's separators ("1 234,5" in French); at most `digits` decimals. */
export function number(lang: string, n: number, digits = 0): string {
  const f = cached(`${lang}:n${digits}`, () => new Intl.NumberFormat(intlLang(lang), { maximumFractionDigits: digits }));
  return f.format(n);
}
