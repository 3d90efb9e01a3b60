// Invite links (REGISTRATION=invite): made by an administrator, good for N registrations until they expire.
// Only the SHA-256 of the code is stored; the link is shown once, to the administrator who made it.
import type { Db } from '../../db.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import { toDate, toDateOrNull } from '../../lib/time.ts';
import { tr, type Text } from '../../i18n/text.ts';

const DAY = 24 * 3600 * 1000;
export const INVITE_LIMITS = { maxUses: 1000, maxDays: 365 };

export type Invite = { id: number; uses: number; usesLeft: number; expiresAt: Date; createdBy: number | null; createdAt: Date };

const toInvite = (r: Record<string, unknown>): Invite => ({
  id: Number(r.id), uses: Number(r.uses), usesLeft: Number(r.uses_left), expiresAt: toDate(r.expires_at),
  createdBy: r.created_by == null ? null : Number(r.created_by), createdAt: toDateOrNull(r.created_at) ?? new Date(0),
});

/** Creates an invite and returns its code in the clear, once. */
export async function createInvite(db: Db, input: { uses: number; expiresInDays: number; createdBy: number }): Promise<{ code: string; invite: Invite }> {
  const code = randomToken();
  const now = new Date();
  const [id] = await db('invites').insert({
    code_hash: sha256Hex(code), uses: input.uses, uses_left: input.uses, expires_at: new Date(now.getTime() + input.expiresInDays * DAY),
    created_by: input.createdBy, created_at: now,
  });
  return { code, invite: toInvite((await db('invites').where({ id: Number(id) }).first())!) };
}

export const INVITE_INVALID = tr('auth:error.inviteInvalid');
export const INVITE_EXPIRED = tr('auth:error.inviteExpired');
export const INVITE_USED_UP = tr('auth:error.inviteUsedUp');

/** Why an invite code cannot be used now, or null when it can (reads only: for showing the form). */
export async function inviteProblem(db: Db, code: string, now = new Date()): Promise<Text | null> {
  if (!code || code.length > 200) return INVITE_INVALID;
  const row = await db('invites').where({ code_hash: sha256Hex(code) }).first();
  if (!row) return INVITE_INVALID;
  if (toDate(row.expires_at).getTime() <= now.getTime()) return INVITE_EXPIRED;
  if (Number(row.uses_left) <= 0) return INVITE_USED_UP;
  return null;
}

/**
 * Takes one use in a single conditional UPDATE, so two registrations racing for the last use cannot both get it.
 * Returns null on success, or why the invite could not be used.
 */
export async function takeInviteUse(db: Db, code: string, now = new Date()): Promise<Text | null> {
  if (!code || code.length > 200) return INVITE_INVALID;
  const taken = await db('invites').where({ code_hash: sha256Hex(code) }).andWhere('uses_left', '>', 0).andWhere('expires_at', '>', now)
    .update({ uses_left: db.raw('uses_left - 1') });
  return taken > 0 ? null : (await inviteProblem(db, code, now)) ?? INVITE_USED_UP;
}

export async function listInvites(db: Db, now = new Date()): Promise<Invite[]> {
  const rows = await db('invites').where('expires_at', '>', now).andWhere('uses_left', '>', 0).orderBy('created_at', 'desc').limit(100);
  return rows.map(toInvite);
}

/** Withdraws an invite before it expires (no one can use it afterwards). */
export async function revokeInvite(db: Db, id: number): Promise<boolean> {
  return (await db('invites').where({ id }).update({ uses_left: 0 })) > 0;
}

/** Expired and used-up invites are of no use to anyone: the periodic purge removes them. */
export async function purgeDeadInvites(db: Db, now = new Date()): Promise<number> {
  return db('invites').where('expires_at', '<=', now).orWhere('uses_left', '<=', 0).delete();
}
