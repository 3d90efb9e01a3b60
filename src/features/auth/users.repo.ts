import type { Db } from '../../db.ts';
import { toDate } from '../../lib/time.ts';

export type User = {
  id: number; email: string; name: string | null; picture: string | null;
  passwordHash: string | null; googleSub: string | null; createdAt: Date; updatedAt: Date;
};

export function toUser(row: Record<string, unknown>): User {
  return {
    id: Number(row.id), email: String(row.email), name: (row.name as string) ?? null, picture: (row.picture as string) ?? null,
    passwordHash: (row.password_hash as string) ?? null, googleSub: (row.google_sub as string) ?? null,
    createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at),
  };
}

/** Emails are compared in one form: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserById(db: Db, id: number): Promise<User | null> {
  const row = await db('users').where({ id }).first();
  return row ? toUser(row) : null;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const row = await db('users').where({ email: normalizeEmail(email) }).first();
  return row ? toUser(row) : null;
}

export async function createUser(db: Db, input: { email: string; name?: string | null; passwordHash?: string | null; googleSub?: string | null; picture?: string | null }): Promise<User> {
  const now = new Date();
  const [id] = await db('users').insert({
    email: normalizeEmail(input.email), name: input.name ?? null, picture: input.picture ?? null,
    password_hash: input.passwordHash ?? null, google_sub: input.googleSub ?? null, created_at: now, updated_at: now,
  });
  const user = await findUserById(db, Number(id));
  if (!user) throw new Error('user vanished after insert');
  return user;
}

/** Deleting the user row cascades to every row of theirs (tokens, threads, messages, settings, shares). */
export async function deleteUser(db: Db, id: number): Promise<void> {
  await db('users').where({ id }).delete();
}
