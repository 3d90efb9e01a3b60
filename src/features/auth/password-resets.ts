// Password reset links (issue 16): made by an administrator (or the operator's `npm run admin:reset-link`), shown
// once, good for one use within RESET_TTL_HOURS. Only the SHA-256 of the code is stored. Using one sets the password
// (the usual rules), counts as proof of the address (the link was handed to its owner), and signs out every device.
import { z } from 'zod';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import { toDate } from '../../lib/time.ts';
import { parse, passwordField, refuseWeakPassword } from './auth.service.ts';
import { hashPassword } from './passwords.ts';
import { revokeAllTokens } from './tokens.repo.ts';
import { findUserById, updateUser, type User } from './users.repo.ts';
import { tr } from '../../i18n/text.ts';

export const RESET_TTL_HOURS = 24;
export const RESET_GONE = tr('auth:reset.gone');

/** A new link for this user; any earlier link of theirs stops working (only the latest one is in anyone's hands). */
export async function createResetLink(db: Db, userId: number, now = new Date()): Promise<{ code: string; expiresAt: Date }> {
  const code = randomToken();
  const expiresAt = new Date(now.getTime() + RESET_TTL_HOURS * 3600 * 1000);
  await db.transaction(async (trx) => {
    await trx('password_resets').where({ user_id: userId }).delete();
    await trx('password_resets').insert({ user_id: userId, token_hash: sha256Hex(code), expires_at: expiresAt, created_at: now });
  });
  return { code, expiresAt };
}

/** The account a live link is for, or null (unknown, expired or used). */
export async function userForReset(db: Db, code: string, now = new Date()): Promise<User | null> {
  if (!code || code.length > 200) return null;
  const row = await db('password_resets').where({ token_hash: sha256Hex(code) }).first();
  if (!row || toDate(row.expires_at).getTime() <= now.getTime()) return null;
  return findUserById(db, Number(row.user_id));
}

/**
 * Sets the password from a link. The password is checked before the link is spent (a refused password leaves it
 * usable); the link is spent by one conditional DELETE, so two submissions cannot both use it.
 */
export async function resetPassword(db: Db, code: string, input: unknown, now = new Date()): Promise<User> {
  const user = await userForReset(db, code, now);
  if (!user) throw new HttpError(404, RESET_GONE);
  const { password } = parse(z.object({ password: passwordField }), input);
  refuseWeakPassword(password, user.email);
  const passwordHash = await hashPassword(password);
  const spent = await db('password_resets').where({ token_hash: sha256Hex(code) }).andWhere('expires_at', '>', now).delete();
  if (!spent) throw new HttpError(404, RESET_GONE);
  await updateUser(db, user.id, { passwordHash, ...(user.emailVerifiedAt ? {} : { emailVerifiedAt: now }) });
  await revokeAllTokens(db, user.id);
  return user;
}

export async function purgeExpiredResets(db: Db, now = new Date()): Promise<number> {
  return db('password_resets').where('expires_at', '<=', now).delete();
}
