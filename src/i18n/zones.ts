// The reader's time zone (issue 17): the user's saved choice (Account) > the zone public/js/app.js reports in the
// `tz` cookie > UTC. Dates on pages (src/i18n/format.ts), message times (when.ts) and the sidebar's Today/Yesterday
// follow it. Quotas keep UTC months: they reset for everyone at once (src/features/usage).
import type { Request } from 'express';

export const TZ_COOKIE = 'tz';
export const DEFAULT_ZONE = 'UTC';

/** What Account offers: UTC, then every IANA zone this Node knows (Africa/Abidjan … Pacific/Wallis). */
export const TIME_ZONES: readonly string[] = [DEFAULT_ZONE, ...Intl.supportedValuesOf('timeZone').filter((z) => z !== DEFAULT_ZONE)];

const known = new Map<string, boolean>();
/**
 * An IANA name Intl accepts, aliases included: a browser may report 'Asia/Calcutta' where the list has 'Asia/Kolkata'.
 * Remembered either way (there are a few hundred names; anything longer or odder is refused before it is tried).
 */
export function isTimeZone(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(v)) return false;
  let ok = known.get(v);
  if (ok === undefined) {
    try { ok = new Intl.DateTimeFormat('en', { timeZone: v }).resolvedOptions().timeZone !== undefined; } catch { ok = false; }
    if (known.size < 2000) known.set(v, ok);
  }
  return ok;
}

export function chooseZone(req: Request): string {
  const saved = (req.user as { timeZone?: string | null } | undefined)?.timeZone;
  if (isTimeZone(saved)) return saved;
  const reported = (req.cookies as Record<string, string> | undefined)?.[TZ_COOKIE];
  return isTimeZone(reported) ? reported : DEFAULT_ZONE;
}
