// When a message was written, as the page shows it: a relative text ("5 min ago") and the exact date and time, in the
// reader's time zone (src/i18n/zones.ts; UTC when it is not known, and the exact one says which). public/js/app.js
// keeps the relative text current in the browser. Same rules there (keep the two in step).
// Both are Texts, translated by the page that shows them (views/chat/_time.ejs, through msgTime in negotiate.ts), so
// a message presented once reads in each reader's language and zone.
import { english, tr, type Text } from './text.ts';
import { dayNumber, partsIn, zoneName } from './format.ts';
import { DEFAULT_ZONE } from './zones.ts';

// Keys written out literally: the catalogue test finds them by grep.
const MONTHS = [
  tr('chat:time.month.jan'), tr('chat:time.month.feb'), tr('chat:time.month.mar'), tr('chat:time.month.apr'),
  tr('chat:time.month.may'), tr('chat:time.month.jun'), tr('chat:time.month.jul'), tr('chat:time.month.aug'),
  tr('chat:time.month.sep'), tr('chat:time.month.oct'), tr('chat:time.month.nov'), tr('chat:time.month.dec'),
];
const pad = (n: number) => String(n).padStart(2, '0');

/** "just now", "5 min ago", "3 h ago" (the same day), "yesterday", then a date ("28 Nov", with the year when not this one). */
export function relativeText(at: Date, now: Date, zone: string = DEFAULT_ZONE): Text {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return tr('chat:time.justNow');
  if (minutes < 60) return tr('chat:time.minutesAgo', { n: minutes });
  const a = partsIn(at, zone);
  const n = partsIn(now, zone);
  const days = dayNumber(n) - dayNumber(a);
  if (days === 0) return tr('chat:time.hoursAgo', { n: Math.floor(minutes / 60) });
  if (days === 1) return tr('chat:time.yesterday');
  const month = MONTHS[a.month - 1];
  return a.year === n.year ? tr('chat:time.dayMonth', { day: a.day, month }) : tr('chat:time.dayMonthYear', { day: a.day, month, year: a.year });
}

/** "1 Dec 2026, 20:54 UTC"; the zone's name is the reader's language's ("GMT+1" in English, "UTC+1" in French). */
export function exactText(at: Date, zone: string = DEFAULT_ZONE, lang = 'en'): Text {
  const a = partsIn(at, zone);
  return tr('chat:time.exact', { day: a.day, month: MONTHS[a.month - 1], year: a.year, time: `${pad(a.hour)}:${pad(a.minute)}`, zone: zoneName(lang, at, zone) });
}

export const relativeTime = (at: Date, now: Date, zone?: string): string => english(relativeText(at, now, zone));
export const exactTime = (at: Date, zone?: string): string => english(exactText(at, zone));
