import { describe, expect, it } from 'vitest';
import { exactTime, relativeTime, whenOf } from './when.ts';
import { say } from '../../i18n/text.ts';
import { tFor } from '../../i18n/catalogue.ts';

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
    const w = whenOf(ago(2 * MIN), now);
    const en = tFor('en');
    expect({ iso: w.iso, relative: say(en, w.relative), exact: say(en, w.exact) }).toEqual({ iso: '2026-12-01T20:52:30.000Z', relative: '2 min ago', exact: '1 Dec 2026, 20:52 UTC' });
  });

  it('reads in the language of the page that shows it (French here)', () => {
    const fr = tFor('fr');
    expect(say(fr, whenOf(ago(2 * MIN), now).relative)).toBe('il y a 2 min');
    expect(say(fr, whenOf(ago(0), now).relative)).toBe('à l’instant');
    expect(say(fr, whenOf(new Date('2026-11-30T10:00:00Z'), now).relative)).toBe('hier');
    expect(say(fr, whenOf(new Date('2026-02-05T10:00:00Z'), now).relative)).toBe('5 févr.');
    expect(say(fr, whenOf(new Date('2025-12-31T10:00:00Z'), now).exact)).toBe('31 déc. 2025 à 10:00 UTC');
  });
});
