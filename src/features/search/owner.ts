// The owner word of a searchable row (messages, threads, files: column `search_owner`, migrations 20261213000100 and
// 20261215000100). On MySQL/MariaDB every word of the text is indexed as `<owner>x<word>` (a generated column,
// `search_words`), so a word's document list in the FULLTEXT index holds one user's matches of one bucket only:
// - messages and threads: `u<user id>b<bucket>`, the bucket being the user's message count when the row was written
//   divided by BUCKET_SIZE (`users.search_seq`, counted by reserveSearchSeq). A search newest first asks the newest
//   buckets first and stops when a page is full, so it costs what a page costs, not what the user's history does.
// - files: `u<user id>` (a user's files are few; a file's hit takes the bucket of the message that carries it).
// SQLite stores the same values and ignores them: its FTS5 table has its own user token (see the search migration).
import type { Db } from '../../db.ts';

/**
 * 2,048: a common word's first bucket is a few hundred matches, a rare word's search a few statements over 100,000
 * messages (docs/PERFORMANCE.md, 256 and 1,024 measured too). Changing it needs a migration that rewrites every
 * search_owner (and users.search_seq stays): rows keep the bucket they were written with.
 */
export const BUCKET_SIZE = 2048;

/** The owner word of a message or thread written when the user's message count was `seq`. */
export const searchOwner = (userId: number, seq = 0): string => `u${userId}b${Math.floor(seq / BUCKET_SIZE)}`;
export const fileOwner = (userId: number): string => `u${userId}`;

/**
 * Counts `count` new messages of the user (inside the inserting transaction: the user's row stays locked until it
 * ends, so a user's concurrent sends take turns) and answers their owner word.
 */
export async function reserveSearchSeq(trx: Db, userId: number, count: number): Promise<string> {
  await trx('users').where({ id: userId }).increment('search_seq', count);
  const row = await trx('users').where({ id: userId }).first('search_seq');
  return searchOwner(userId, Math.max(0, Number(row?.search_seq ?? count) - count));
}

/** The owner word of a thread created now (the bucket its first messages will have). */
export async function threadOwner(db: Db, userId: number): Promise<string> {
  const row = await db('users').where({ id: userId }).first('search_seq');
  return searchOwner(userId, Number(row?.search_seq ?? 0));
}
