// A moment on either side of a day boundary depending on the zone: shared by the HTTP and the browser time-zone tests.

/**
 * A moment that is "Today" in UTC but "Yesterday" in the zone returned, or the other way round, whatever the hour
 * the test runs at: just after UTC midnight is the evening before in Los Angeles (once it is past 09:00 UTC there is
 * a new day there too); just before it is the next morning in Tokyo (until 09:00 UTC, still the same day there).
 */
export function splitMoment(now = new Date()): { at: Date; zone: string; utc: string; there: string } {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (now.getUTCHours() >= 9) return { at: new Date(midnight + 60_000), zone: 'America/Los_Angeles', utc: 'Today', there: 'Yesterday' };
  return { at: new Date(midnight - 60_000), zone: 'Asia/Tokyo', utc: 'Yesterday', there: 'Today' };
}

/** When the time-zone tests' messages were written: 20:54 UTC on 1 Dec 2026 (21:54 in Paris, 05:54 on 2 Dec in Tokyo). */
export const WRITTEN_AT = new Date('2026-12-01T20:54:30Z');
