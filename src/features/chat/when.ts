// When a message was written, as the page shows it: a relative text ("5 min ago") and the exact date and time. The
// server does not know the reader's time zone, so both are in UTC (the exact one says so); public/js/app.js rewrites
// them in the reader's own zone and keeps the relative text current. Same rules there (keep the two in step).
// Languages (issue 17): both are Texts, translated by the page that shows them (views/chat/_time.ejs uses tx), so a
// message presented once reads in each reader's language; the English functions below are what they were.
import { english, tr, type Text } from '../../i18n/text.ts';

export type When = { iso: string; relative: Text; exact: Text };

// Keys written out literally: the catalogue test finds them by grep.
const MONTHS = [
  tr('chat:time.month.jan'), tr('chat:time.month.feb'), tr('chat:time.month.mar'), tr('chat:time.month.apr'),
  tr('chat:time.month.may'), tr('chat:time.month.jun'), tr('chat:time.month.jul'), tr('chat:time.month.aug'),
  tr('chat:time.month.sep'), tr('chat:time.month.oct'), tr('chat:time.month.nov'), tr('chat:time.month.dec'),
];
const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** "just now", "5 min ago", "3 h ago" (the same day), "yesterday", then a date ("28 Nov", with the year when not this one). */
export function relativeText(at: Date, now: Date): Text {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return tr('chat:time.justNow');
  if (minutes < 60) return tr('chat:time.minutesAgo', { n: minutes });
  const days = Math.floor(now.getTime() / DAY_MS) - Math.floor(at.getTime() / DAY_MS);
  if (days === 0) return tr('chat:time.hoursAgo', { n: Math.floor(minutes / 60) });
  if (days === 1) return tr('chat:time.yesterday');
  const day = at.getUTCDate();
  const month = MONTHS[at.getUTCMonth()];
  return at.getUTCFullYear() === now.getUTCFullYear() ? tr('chat:time.dayMonth', { day, month }) : tr('chat:time.dayMonthYear', { day, month, year: at.getUTCFullYear() });
}

/** "1 Dec 2026, 20:54 UTC" */
export function exactText(at: Date): Text {
  return tr('chat:time.exact', { day: at.getUTCDate(), month: MONTHS[at.getUTCMonth()], year: at.getUTCFullYear(), time: `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}` });
}

export const relativeTime = (at: Date, now: Date): string => english(relativeText(at, now));
export const exactTime = (at: Date): string => english(exactText(at));

export function whenOf(at: Date, now = new Date()): When {
  return { iso: at.toISOString(), relative: relativeText(at, now), exact: exactText(at) };
}
