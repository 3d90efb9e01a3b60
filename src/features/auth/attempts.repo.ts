// Attempts counted in the database, so limits hold across instances.
import type { Db } from '../../db.ts';
import { toDate } from '../../lib/time.ts';

/** Writes one attempt and returns its id (so that the attempt can be taken back). */
export async function recordAttempt(db: Db, bucket: string, at = new Date()): Promise<number> {
  const [id] = await db('auth_attempts').insert({ bucket, created_at: at });
  return Number(id);
}

/** How many attempts since `since`, and when the oldest of them was made. */
export async function countAttempts(db: Db, bucket: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
  const row = await db('auth_attempts').where({ bucket }).andWhere('created_at', '>', since)
    .first(db.raw('count(*) as n'), db.raw('min(created_at) as oldest'));
  const count = Number(row?.n ?? 0);
  return { count, oldest: count > 0 && row?.oldest != null ? toDate(row.oldest) : null };
}

export async function deleteAttempts(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await db('auth_attempts').whereIn('id', ids).delete();
}

export async function clearAttempts(db: Db, bucket: string): Promise<void> {
  await db('auth_attempts').where({ bucket }).delete();
}

export async function purgeAttempts(db: Db, olderThan: Date): Promise<number> {
  return db('auth_attempts').where('created_at', '<', olderThan).delete();
}
