// Dates and numbers in the reader's language through Intl, one formatter per language, zone and style, made once.
// Dates are in the reader's time zone (src/i18n/zones.ts), UTC when it is not known, and always say which.
import { PSEUDO } from './languages.ts';
import { DEFAULT_ZONE } from './zones.ts';

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
/** Intl knows no pseudo-locale: it formats as English (the test allows digits and punctuation anyway). */
const intlLang = (lang: string) => (lang === PSEUDO ? 'en' : lang);

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) { f = make(); cache.set(key, f); }
  return f;
}

export type Parts = { year: number; month: number; day: number; hour: number; minute: number };
const DAY_MS = 86_400_000;

/** The calendar date and clock time of `d` in `zone` (month 1–12). UTC is read directly, without Intl. */
export function partsIn(d: Date, zone: string = DEFAULT_ZONE): Parts {
  if (zone === DEFAULT_ZONE) {
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
  }
  const f = cached(`parts:${zone}`, () => new Intl.DateTimeFormat('en-CA', {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23', timeZone: zone,
  }));
  const p: Record<string, number> = {};
  for (const x of f.formatToParts(d)) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute };
}

/** Days since 1970-01-01 of a calendar date: two dates a day apart in the reader's zone differ by one. */
export const dayNumber = (p: Parts): number => Date.UTC(p.year, p.month - 1, p.day) / DAY_MS;

/** The zone as people read it after a time: "UTC", "GMT+1" (English), "UTC+1" (French), "EST". */
export function zoneName(lang: string, d: Date, zone: string): string {
  if (zone === DEFAULT_ZONE) return 'UTC';
  const f = cached(`${lang}:zone:${zone}`, () => new Intl.DateTimeFormat(intlLang(lang), { timeZone: zone, timeZoneName: 'short' }));
  return f.formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? zone;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date and time with its zone in English's form, the ISO-like one it had before i18n ("2024-03-05 14:07 UTC", which
 * tests and users know), in the reader's zone. Other languages say a date and time as their messages' exact time does
 * (the catalogue's chat:time.exact, "5 mars 2024 à 15:07 UTC+1": see fmtDate in negotiate.ts), one form per language.
 */
export function dateTime(lang: string, d: Date, zone: string = DEFAULT_ZONE): string {
  const p = partsIn(d, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)} ${zoneName(lang, d, zone)}`;
}

/** A number with the language's separators ("1 234,5" in French); at most `digits` decimals. */
export function number(lang: string, n: number, digits = 0): string {
  const f = cached(`${lang}:n${digits}`, () => new Intl.NumberFormat(intlLang(lang), { maximumFractionDigits: digits }));
  return f.format(n);
}
