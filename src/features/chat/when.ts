// When a message was written, as the page shows it: a relative text ("5 min ago") and the exact date and time. The
// server does not know the reader's time zone, so both are in UTC (the exact one says so); public/js/app.js rewrites
// them in the reader's own zone and keeps the relative text current. Same rules there (keep the two in step).

export type When = { iso: string; relative: string; exact: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** "just now", "5 min ago", "3 h ago" (the same day), "yesterday", then a date ("28 Nov", with the year when not this one). */
export function relativeTime(at: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const days = Math.floor(now.getTime() / DAY_MS) - Math.floor(at.getTime() / DAY_MS);
  if (days === 0) return `${Math.floor(minutes / 60)} h ago`;
  if (days === 1) return 'yesterday';
  const date = `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]}`;
  return at.getUTCFullYear() === now.getUTCFullYear() ? date : `${date} ${at.getUTCFullYear()}`;
}

/** "1 Dec 2026, 20:54 UTC" */
export function exactTime(at: Date): string {
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}, ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
}

export function whenOf(at: Date, now = new Date()): When {
  return { iso: at.toISOString(), relative: relativeTime(at, now), exact: exactTime(at) };
}
