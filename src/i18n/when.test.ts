import { describe, expect, it } from 'vitest';
import { exactText, exactTime, relativeText, relativeTime } from './when.ts';
import { say } from './text.ts';
import { tFor } from './catalogue.ts';
import { localized } from './negotiate.ts';

describe('message times', () => {
  const now = new Date('2026-12-01T20:54:30.000Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const MIN = 60_000;

  it('says how long ago, in words, then gives a date', () => {
    expect(relativeTime(ago(0), now)).toBe('just now');
    expect(relativeTime(ago(59_000), now)).toBe('just now');
    expect(relativeTime(ago(-5000), now)).toBe('just now'); // a clock a little ahead
    expect(relativeTime(ago(MIN), now)).toBe('1 min ago');
    expect(relativeTime(ago(5 * MIN + 10_000), now)).toBe('5 min ago');
    expect(relativeTime(ago(59 * MIN), now)).toBe('59 min ago');
    expect(relativeTime(ago(3 * 60 * MIN), now)).toBe('3 h ago');
    expect(relativeTime(new Date('2026-12-01T00:00:00Z'), now)).toBe('20 h ago');
    expect(relativeTime(new Date('2026-11-30T23:59:00Z'), now)).toBe('yesterday');
    expect(relativeTime(new Date('2026-11-30T00:00:00Z'), now)).toBe('yesterday');
    expect(relativeTime(new Date('2026-11-29T23:59:00Z'), now)).toBe('29 Nov');
    expect(relativeTime(new Date('2026-01-05T10:00:00Z'), now)).toBe('5 Jan');
    expect(relativeTime(new Date('2025-12-31T10:00:00Z'), now)).toBe('31 Dec 2025');
    // Past midnight (UTC): an answer from 40 minutes ago is not "yesterday".
    expect(relativeTime(new Date('2026-12-01T23:50:00Z'), new Date('2026-12-02T00:30:00Z'))).toBe('40 min ago');
  });

  it('gives the exact date and time in UTC, saying so', () => {
    expect(exactTime(new Date('2026-12-01T20:54:30.123Z'))).toBe('1 Dec 2026, 20:54 UTC');
    expect(exactTime(new Date('2027-03-09T07:05:00Z'))).toBe('9 Mar 2027, 07:05 UTC');
    const en = tFor('en');
    expect({ relative: say(en, relativeText(ago(2 * MIN), now)), exact: say(en, exactText(ago(2 * MIN))) }).toEqual({ relative: '2 min ago', exact: '1 Dec 2026, 20:52 UTC' });
  });

  it('reads in the language of the page that shows it (French here)', () => {
    const fr = tFor('fr');
    expect(say(fr, relativeText(ago(2 * MIN), now))).toBe('il y a 2 min');
    expect(say(fr, relativeText(ago(0), now))).toBe('à l’instant');
    expect(say(fr, relativeText(new Date('2026-11-30T10:00:00Z'), now))).toBe('hier');
    expect(say(fr, relativeText(new Date('2026-02-05T10:00:00Z'), now))).toBe('5 févr.');
    expect(say(fr, exactText(new Date('2025-12-31T10:00:00Z'), 'UTC', 'fr'))).toBe('31 déc. 2025 à 10:00 UTC');
  });

  it('counts days and writes times in the reader’s zone, naming it in their language', () => {
    // 20:54 UTC on 1 Dec is 05:54 on 2 Dec in Tokyo: 10:00 UTC on 1 Dec (19:00 there) was yesterday in Tokyo and
    // 10 hours ago the same day in UTC; 14:00 UTC on 30 Nov (23:00 there) was yesterday in UTC, two days ago in Tokyo.
    expect(relativeTime(new Date('2026-12-01T10:00:00Z'), now, 'Asia/Tokyo')).toBe('yesterday');
    expect(relativeTime(new Date('2026-12-01T10:00:00Z'), now)).toBe('10 h ago');
    expect(relativeTime(new Date('2026-11-30T14:00:00Z'), now, 'Asia/Tokyo')).toBe('30 Nov');
    expect(relativeTime(new Date('2026-11-30T14:00:00Z'), now)).toBe('yesterday');
    // New York, 20:54 UTC = 15:54: 18:00 UTC the same day is 3 hours ago and the same day there too.
    expect(relativeTime(new Date('2026-12-01T04:00:00Z'), now, 'America/New_York')).toBe('yesterday');
    expect(relativeTime(new Date('2026-12-01T04:00:00Z'), now)).toBe('16 h ago');
    expect(exactTime(new Date('2026-12-01T20:54:30Z'), 'Europe/Paris')).toBe('1 Dec 2026, 21:54 GMT+1');
    expect(exactTime(new Date('2026-07-01T20:54:30Z'), 'Europe/Paris')).toBe('1 Jul 2026, 22:54 GMT+2');
    expect(exactTime(new Date('2026-12-01T02:05:00Z'), 'America/New_York')).toBe('30 Nov 2026, 21:05 EST');
    const fr = localized('fr', 'Europe/Paris').msgTime('2026-12-01T23:30:00Z');
    expect(fr.exact).toBe('2 déc. 2026 à 00:30 UTC+1');
    expect(localized('en', 'Asia/Kolkata').fmtDate(new Date('2026-12-01T20:54:30Z'))).toBe('2026-12-02 02:24 GMT+5:30');
    expect(localized('fr', 'UTC').fmtDate(new Date('2026-12-01T20:54:30Z'))).toBe('1 déc. 2026 à 20:54 UTC');
    // One form for a date and time in French: a share's date reads as a message's exact time.
    expect(localized('fr', 'Europe/Paris').fmtDate(new Date('2026-12-01T23:30:00Z'))).toBe(fr.exact);
  });
});
