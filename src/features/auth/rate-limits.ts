// Rate limits on sign-in and registration, by address and by account. Failed sign-ins count; every registration
// attempt counts. A success clears the account's failures so a user who finally remembers is not held back.
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/errors.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { clearAttempts, countAttempts, purgeAttempts, recordAttempt } from './attempts.repo.ts';
import { normalizeEmail } from './users.repo.ts';

const MINUTE = 60 * 1000;

export type Limit = { max: number; windowMs: number };
export const LIMITS = {
  loginPerAccount: { max: 5, windowMs: 15 * MINUTE },
  loginPerIp: { max: 30, windowMs: 15 * MINUTE },
  registerPerIp: { max: 20, windowMs: 60 * MINUTE },
} satisfies Record<string, Limit>;
const LONGEST_WINDOW = Math.max(...Object.values(LIMITS).map((l) => l.windowMs));

export const ipBucket = (kind: 'login' | 'register', ip: string | undefined) => `${kind}:ip:${ip ?? 'unknown'}`;
// Hashed, so the table never holds an email address.
export const accountBucket = (email: string) => `login:account:${sha256Hex(normalizeEmail(email)).slice(0, 40)}`;

export class RateLimitedError extends HttpError {
  constructor(public retryAfterSeconds: number, message: string) {
    super(429, message, 'rate_limited');
  }
}

/** Throws RateLimitedError when any bucket is already full. */
export async function assertNotLimited(db: Db, checks: Array<{ bucket: string; limit: Limit; what: string }>): Promise<void> {
  const now = Date.now();
  for (const { bucket, limit, what } of checks) {
    const { count, oldest } = await countAttempts(db, bucket, new Date(now - limit.windowMs));
    if (count >= limit.max) {
      const retryAfter = Math.max(1, Math.ceil(((oldest?.getTime() ?? now) + limit.windowMs - now) / 1000));
      const minutes = Math.ceil(retryAfter / 60);
      throw new RateLimitedError(retryAfter, `Too many ${what}. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`);
    }
  }
}

export async function recordFailures(db: Db, buckets: string[]): Promise<void> {
  const at = new Date();
  for (const b of buckets) await recordAttempt(db, b, at);
}

export const clearFailures = clearAttempts;

export async function purgeOldAttempts(db: Db): Promise<number> {
  return purgeAttempts(db, new Date(Date.now() - LONGEST_WINDOW));
}
