// Rate limits on sign-in, registration and guest creation, by address and by account, counted in the database so
// they hold across instances. Sign-ins count while in flight and stay counted when they fail; a success takes its
// attempt back and clears the account's failures, so a user who finally remembers is not held back. Every
// registration and every guest creation counts.
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/errors.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { clearAttempts, countAttempts, deleteAttempts, purgeAttempts, recordAttempt } from './attempts.repo.ts';
import { normalizeEmail } from './users.repo.ts';
import { tr, type Translatable } from '../../i18n/text.ts';

const MINUTE = 60 * 1000;

export type Limit = { max: number; windowMs: number };
export const LIMITS = {
  loginPerAccount: { max: 5, windowMs: 15 * MINUTE },
  /** Failed password sign-ins and failed Google id_tokens together. */
  loginPerIp: { max: 30, windowMs: 15 * MINUTE },
  registerPerIp: { max: 20, windowMs: 60 * MINUTE },
  registerPerAccount: { max: 5, windowMs: 60 * MINUTE },
  guestPerIp: { max: 20, windowMs: 60 * MINUTE },
} satisfies Record<string, Limit>;
const LONGEST_WINDOW = Math.max(...Object.values(LIMITS).map((l) => l.windowMs));

export const ipBucket = (kind: 'login' | 'register' | 'guest', ip: string | undefined) => `${kind}:ip:${ip ?? 'unknown'}`;
// Hashed, so the table never holds an email address.
export const accountBucket = (email: string, kind: 'login' | 'register' = 'login') =>
  `${kind}:account:${sha256Hex(normalizeEmail(email)).slice(0, 40)}`;

/** Messages sent by a user (chat.service.ts counts them); keyed by id, so deleting the account can remove them. */
export const sendBucket = (userId: number) => `send:user:${userId}`;

export class RateLimitedError extends HttpError {
  constructor(public retryAfterSeconds: number, message: Translatable) {
    super(429, message, 'rate_limited');
  }
}

export type Check = { bucket: string; limit: Limit; what: Translatable };
/** An attempt that got through; `forget` takes it back (a sign-in that succeeded is not a failure). */
export type Attempt = { forget(): Promise<void> };

function limitedError(limit: Limit, what: Translatable, oldest: Date | null, now: number): RateLimitedError {
  const retryAfter = Math.max(1, Math.ceil(((oldest?.getTime() ?? now) + limit.windowMs - now) / 1000));
  const minutes = Math.ceil(retryAfter / 60);
  return new RateLimitedError(retryAfter, tr('errors:rateLimited', { what, count: minutes }));
}

/**
 * Counts one attempt against every bucket, so that it holds for simultaneous requests on any number of instances:
 * the attempt is written first, then each bucket is counted including it. Of N simultaneous attempts, the k-th to be
 * written sees at least k rows, so at most `max` get through. An attempt over a limit is deleted again (waiting
 * out a 429 is not prolonged by retrying) and RateLimitedError is thrown.
 */
export async function takeAttempt(db: Db, checks: Check[]): Promise<Attempt> {
  const at = new Date();
  const ids: number[] = [];
  for (const { bucket } of checks) ids.push(await recordAttempt(db, bucket, at));
  const forget = () => deleteAttempts(db, ids);
  for (const { bucket, limit, what } of checks) {
    const { count, oldest } = await countAttempts(db, bucket, new Date(at.getTime() - limit.windowMs));
    if (count > limit.max) {
      await forget();
      throw limitedError(limit, what, oldest, at.getTime());
    }
  }
  return { forget };
}

export const clearFailures = clearAttempts;

export async function purgeOldAttempts(db: Db): Promise<number> {
  return purgeAttempts(db, new Date(Date.now() - LONGEST_WINDOW));
}
