// The administrator's view of accounts: a page of users (newest first, cursor = the last id shown), with when each
// was last active and the tokens they used this UTC month (read from usage_monthly, which the usage feature fills).
import type { Db } from '../../db.ts';
import { toDate, toDateOrNull } from '../../lib/time.ts';

export const USERS_PAGE = 50;

export type AdminUserRow = {
  id: number; email: string; name: string | null; createdAt: Date; lastActiveAt: Date | null; disabledAt: Date | null;
  emailVerifiedAt: Date | null; hasPassword: boolean; hasGoogle: boolean; tokensThisMonth: number;
};

/** 'YYYY-MM' of a date in UTC: usage_monthly's month. */
export const monthOf = (d: Date) => d.toISOString().slice(0, 7);

/** LIKE pattern for a piece of text: % and _ are matched literally. The escape is '!', not a backslash, which MySQL
 * would read as escaping the closing quote of ESCAPE '\'. */
const contains = (q: string) => `%${q.replace(/[!%_]/g, (c) => `!${c}`)}%`;

export function decodeUserCursor(raw: unknown): number | null {
  return typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

/** One page of members (guests are temporary and not listed), searched by name or email. */
export async function listUsers(db: Db, opts: { q?: string; cursor?: number | null; limit?: number; now?: Date }): Promise<{ users: AdminUserRow[]; nextCursor: string | null }> {
  const limit = opts.limit ?? USERS_PAGE;
  const month = monthOf(opts.now ?? new Date());
  const usage = db('usage_monthly').where({ month }).groupBy('user_id')
    .select('user_id', db.raw('SUM(prompt_tokens + completion_tokens) as tokens')).as('um');
  const q = db('users as u').leftJoin(usage, 'um.user_id', 'u.id').whereNull('u.guest_expires_at')
    .select('u.id', 'u.email', 'u.name', 'u.created_at', 'u.last_active_at', 'u.disabled_at', 'u.email_verified_at',
      'u.password_hash', 'u.google_sub', 'um.tokens')
    .orderBy('u.id', 'desc').limit(limit + 1);
  if (opts.cursor) q.where('u.id', '<', opts.cursor);
  const text = opts.q?.trim().toLowerCase().slice(0, 200);
  // Emails are stored lower-cased; names are compared lower-cased too.
  if (text) q.where((w) => w.whereRaw("u.email LIKE ? ESCAPE '!'", [contains(text)]).orWhereRaw("LOWER(u.name) LIKE ? ESCAPE '!'", [contains(text)]));
  const rows = await q;
  const users = rows.slice(0, limit).map((r: Record<string, unknown>): AdminUserRow => ({
    id: Number(r.id), email: String(r.email), name: (r.name as string) ?? null, createdAt: toDate(r.created_at),
    lastActiveAt: toDateOrNull(r.last_active_at), disabledAt: toDateOrNull(r.disabled_at), emailVerifiedAt: toDateOrNull(r.email_verified_at),
    hasPassword: Boolean(r.password_hash), hasGoogle: Boolean(r.google_sub), tokensThisMonth: Number(r.tokens ?? 0),
  }));
  return { users, nextCursor: rows.length > limit ? String(users[users.length - 1].id) : null };
}

export async function findAdminUserRow(db: Db, id: number): Promise<AdminUserRow | null> {
  const { users } = await listUsers(db, { cursor: id + 1, limit: 1 });
  return users[0]?.id === id ? users[0] : null;
}
