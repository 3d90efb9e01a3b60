// Access tokens: 256-bit random, stored only as SHA-256, with a sliding expiry.
import type { Db } from '../../db.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import { toDate } from '../../lib/time.ts';
import { touchLastActive, toUser, type User } from './users.repo.ts';

const DAY = 24 * 3600 * 1000;
// Last use is written at most this often, so reads stay reads.
const TOUCH_EVERY_MS = 60 * 1000;

export type AccessToken = { id: number; userId: number; userAgent: string | null; createdAt: Date; lastUsedAt: Date; expiresAt: Date };

const toToken = (r: Record<string, unknown>): AccessToken => ({
  id: Number(r.id), userId: Number(r.user_id), userAgent: (r.user_agent as string) ?? null,
  createdAt: toDate(r.created_at), lastUsedAt: toDate(r.last_used_at), expiresAt: toDate(r.expires_at),
});

/** Creates a token and returns it once, in the clear; only its hash is kept. */
export async function issueToken(db: Db, userId: number, opts: { ttlDays: number; userAgent?: string }): Promise<string> {
  const token = randomToken();
  const now = new Date();
  await db('access_tokens').insert({
    user_id: userId, token_hash: sha256Hex(token), user_agent: opts.userAgent?.slice(0, 512) ?? null,
    created_at: now, last_used_at: now, expires_at: new Date(now.getTime() + opts.ttlDays * DAY),
  });
  return token;
}

// Performance (issue 18): every signed-in request runs this query, so its SQL is written once here instead of built by
// knex's query builder each time (which cost several times the query itself). The same text on both dialects: both
// take backquoted names and `?` placeholders, and knex binds the Date as it would in the builder. Nothing is cached:
// a revoked token, an expired one or a disabled account is refused on the very next request, on every instance.
const TOKEN_USER_SQL = 'SELECT `u`.*, `t`.`id` AS `token_id`, `t`.`last_used_at` AS `token_last_used_at`, `t`.`expires_at` AS `token_expires_at`'
  + ' FROM `access_tokens` AS `t` INNER JOIN `users` AS `u` ON `u`.`id` = `t`.`user_id`'
  // Administration: a disabled account's tokens stop working at once, on every instance (its tokens are also deleted).
  + ' WHERE `t`.`token_hash` = ? AND `t`.`expires_at` > ? AND `u`.`disabled_at` IS NULL LIMIT 1';

/** The first row of a db.raw() SELECT: SQLite answers the rows, mysql2 [rows, fields]. */
function firstRow(db: Db, result: unknown): Record<string, unknown> | undefined {
  const rows = (db.client.dialect === 'mysql' ? (result as [unknown[]])[0] : result) as Array<Record<string, unknown>>;
  return rows[0];
}

/**
 * The user behind a token, if it exists and has not expired. Use slides the expiry to `ttlDays` from now, written
 * only when that moves it by more than a day (`renewed`: the caller re-sends the cookie then, not on every request).
 * A guest's token does not slide: the guest's own expiry is fixed.
 */
export async function userForToken(db: Db, token: string, opts: { ttlDays: number }): Promise<{ user: User; tokenId: number; renewed: boolean } | null> {
  if (!token || token.length > 200) return null;
  const now = new Date();
  const row = firstRow(db, await db.raw(TOKEN_USER_SQL, [sha256Hex(token), now]));
  if (!row) return null;
  const slidTo = new Date(now.getTime() + opts.ttlDays * DAY);
  const renewed = row.guest_expires_at == null && slidTo.getTime() - toDate(row.token_expires_at).getTime() > DAY;
  if (renewed || now.getTime() - toDate(row.token_last_used_at).getTime() > TOUCH_EVERY_MS) {
    await db('access_tokens').where({ id: row.token_id }).update({ last_used_at: now, ...(renewed ? { expires_at: slidTo } : {}) });
  }
  const tokenId = Number(row.token_id);
  delete row.token_id;
  delete row.token_last_used_at;
  delete row.token_expires_at;
  const user = toUser(row);
  // Administration: "last active" in the admin's user list, written at most once an hour.
  await touchLastActive(db, user, now);
  return { user, tokenId, renewed };
}

export async function revokeToken(db: Db, userId: number, tokenId: number): Promise<boolean> {
  return (await db('access_tokens').where({ id: tokenId, user_id: userId }).delete()) > 0;
}

export async function revokeAllTokens(db: Db, userId: number): Promise<void> {
  await db('access_tokens').where({ user_id: userId }).delete();
}

/** Signs out every other device (after a password change); with no token to keep, all of them. */
export async function revokeOtherTokens(db: Db, userId: number, keepTokenId?: number): Promise<void> {
  const q = db('access_tokens').where({ user_id: userId });
  if (keepTokenId !== undefined) q.whereNot({ id: keepTokenId });
  await q.delete();
}

export async function listTokens(db: Db, userId: number): Promise<AccessToken[]> {
  const now = new Date();
  const rows = await db('access_tokens').where({ user_id: userId }).andWhere('expires_at', '>', now).orderBy('last_used_at', 'desc');
  return rows.map(toToken);
}

export async function purgeExpiredTokens(db: Db, now = new Date()): Promise<number> {
  return db('access_tokens').where('expires_at', '<=', now).delete();
}
