import type { Db } from '../../db.ts';
import { toDate, toDateOrNull } from '../../lib/time.ts';
import { tr } from '../../i18n/text.ts';

export type User = {
  id: number; email: string; name: string | null; picture: string | null;
  passwordHash: string | null; googleSub: string | null; createdAt: Date; updatedAt: Date;
  /** Set only for a guest: the row (and everything of theirs) is purged after this. */
  guestExpiresAt?: Date | null;
  // Administration (issue 16): see migrations/20261210000100_administration.ts.
  disabledAt?: Date | null; lastActiveAt?: Date | null; emailVerifiedAt?: Date | null;
  // Single sign-on (OpenID Connect): in OIDC_ADMIN_GROUP at the last OIDC sign-in (src/features/auth/oidc.repo.ts).
  oidcAdmin?: boolean;
  // Languages (issue 17): 'en' | 'fr', or null for automatic (src/i18n/negotiate.ts).
  language?: string | null;
  /** An IANA zone ('Europe/Paris'), or null for automatic (src/i18n/zones.ts). */
  timeZone?: string | null;
};

export const isGuest = (u: Pick<User, 'guestExpiresAt'>): boolean => Boolean(u.guestExpiresAt);

export function toUser(row: Record<string, unknown>): User {
  return {
    id: Number(row.id), email: String(row.email), name: (row.name as string) ?? null, picture: (row.picture as string) ?? null,
    passwordHash: (row.password_hash as string) ?? null, googleSub: (row.google_sub as string) ?? null,
    createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at),
    guestExpiresAt: toDateOrNull(row.guest_expires_at),
    disabledAt: toDateOrNull(row.disabled_at), lastActiveAt: toDateOrNull(row.last_active_at), emailVerifiedAt: toDateOrNull(row.email_verified_at),
    // Single sign-on (OpenID Connect).
    oidcAdmin: Boolean(row.oidc_admin),
    // Languages (issue 17).
    language: (row.language as string) ?? null,
    timeZone: (row.time_zone as string) ?? null,
  };
}

/**
 * Emails are stored and compared in one form: trimmed, Unicode NFC (a precomposed "é" and "e" + combining accent
 * are the same typed text), then lower-cased. Nothing else is folded: "àlice@" and "alice@" are different mailboxes,
 * so they are different accounts. The column compares bytes on both dialects (utf8mb4_bin on MySQL), and this one
 * form is the key for look-up, uniqueness and rate limits alike.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/**
 * name@domain.tld: one "@", no white space, a dot inside the domain. Written without a regular expression: the
 * obvious pattern backtracks quadratically on "a@....@" (10 s of CPU for 100,000 dots). Linear in the length, and
 * anything over 320 characters (RFC 5321's limit) is refused before it is looked at.
 */
export function isEmailAddress(value: string): boolean {
  if (value.length > 320 || value.length < 5) return false;
  const at = value.indexOf('@');
  if (at < 1 || at !== value.lastIndexOf('@')) return false;
  if (/\s/.test(value)) return false; // one character class, no quantifier: a single linear scan
  const domain = value.slice(at + 1);
  const dot = domain.indexOf('.', 1);
  return dot > 0 && dot < domain.length - 1;
}

export async function findUserById(db: Db, id: number): Promise<User | null> {
  const row = await db('users').where({ id }).first();
  return row ? toUser(row) : null;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const row = await db('users').where({ email: normalizeEmail(email) }).first();
  return row ? toUser(row) : null;
}

export async function createUser(db: Db, input: { email: string; name?: string | null; passwordHash?: string | null; googleSub?: string | null; picture?: string | null; emailVerified?: boolean }): Promise<User> {
  const now = new Date();
  const [id] = await db('users').insert({
    email: normalizeEmail(input.email), name: input.name ?? null, picture: input.picture ?? null,
    password_hash: input.passwordHash ?? null, google_sub: input.googleSub ?? null, created_at: now, updated_at: now,
    // Administration: the address was vouched for by whoever created the account (Google, OIDC, the trusted proxy).
    email_verified_at: input.emailVerified ? now : null,
  });
  const user = await findUserById(db, Number(id));
  if (!user) throw new Error('user vanished after insert');
  return user;
}

/** Deleting the user row cascades to every row of theirs (tokens, threads, messages, settings, shares). */
export async function deleteUser(db: Db, id: number): Promise<void> {
  await db('users').where({ id }).delete();
}

export async function findUserByGoogleSub(db: Db, sub: string): Promise<User | null> {
  const row = await db('users').where({ google_sub: sub }).first();
  return row ? toUser(row) : null;
}

export type UserChanges = Partial<{
  email: string; name: string | null; picture: string | null; passwordHash: string | null; googleSub: string | null; guestExpiresAt: Date | null;
  disabledAt: Date | null; emailVerifiedAt: Date | null;
}>;

export async function updateUser(db: Db, id: number, changes: UserChanges): Promise<void> {
  const row: Record<string, unknown> = { updated_at: new Date() };
  if (changes.email !== undefined) row.email = normalizeEmail(changes.email);
  if (changes.name !== undefined) row.name = changes.name;
  if (changes.picture !== undefined) row.picture = changes.picture;
  if (changes.passwordHash !== undefined) row.password_hash = changes.passwordHash;
  if (changes.googleSub !== undefined) row.google_sub = changes.googleSub;
  if (changes.guestExpiresAt !== undefined) row.guest_expires_at = changes.guestExpiresAt;
  if (changes.disabledAt !== undefined) row.disabled_at = changes.disabledAt;
  if (changes.emailVerifiedAt !== undefined) row.email_verified_at = changes.emailVerifiedAt;
  await db('users').where({ id }).update(row);
}

/** A guest: an ordinary row with a placeholder address that can never receive mail, and an expiry. */
export async function createGuestUser(db: Db, input: { placeholderEmail: string; expiresAt: Date }): Promise<User> {
  const user = await createUser(db, { email: input.placeholderEmail, name: 'Guest' });
  await updateUser(db, user.id, { guestExpiresAt: input.expiresAt });
  return { ...user, guestExpiresAt: input.expiresAt };
}

/** Removes guests whose time is up; the cascade removes their tokens, threads and messages. */
export async function purgeExpiredGuests(db: Db, now = new Date()): Promise<number> {
  return db('users').whereNotNull('guest_expires_at').andWhere('guest_expires_at', '<', now).delete();
}

// Administration (issue 16): the last time a user was seen, written at most this often (a read stays a read).
export const LAST_ACTIVE_EVERY_MS = 3600 * 1000;

/** Records activity when the stored time is older than an hour; returns whether it wrote. */
export async function touchLastActive(db: Db, user: Pick<User, 'id' | 'lastActiveAt'>, now = new Date()): Promise<boolean> {
  if (user.lastActiveAt && now.getTime() - user.lastActiveAt.getTime() < LAST_ACTIVE_EVERY_MS) return false;
  await db('users').where({ id: user.id }).update({ last_active_at: now });
  return true;
}

export const DISABLED_MESSAGE = tr('auth:error.disabled');
