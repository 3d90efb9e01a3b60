// One-time keys of sends (table send_keys): the same key twice from the same user gives the first send's result.
import type { Db } from '../../db.ts';
import { newId } from '../../lib/ids.ts';

/** What a client may send as a key: a composer's own (22 base64url characters), a UUID, a script's label. */
export const SEND_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,64}$/;
/** A key is kept this long; the periodic purge deletes older ones. */
export const SEND_KEY_TTL_MS = 24 * 3600_000;

export const newSendKey = (): string => newId();

export type SentWith = { threadId: string; messageId: number; replyId: number };

/** The send a key already made, if any. */
export async function findSent(db: Db, userId: number, key: string): Promise<SentWith | null> {
  const row = await db('send_keys').where({ user_id: userId, send_key: key }).first('thread_id', 'message_id', 'reply_id');
  if (!row || row.message_id == null || row.reply_id == null) return null;
  return { threadId: String(row.thread_id), messageId: Number(row.message_id), replyId: Number(row.reply_id) };
}

/**
 * Claims the key inside the send's transaction, before anything else of it is checked: a second send with the key
 * (even a simultaneous one, which waits for the first's transaction) fails here on the unique index.
 */
export async function claimSendKey(trx: Db, userId: number, key: string, threadId: string): Promise<number> {
  const [id] = await trx('send_keys').insert({ user_id: userId, send_key: key, thread_id: threadId, created_at: new Date() });
  return Number(id);
}

export async function recordSent(trx: Db, claimId: number, messageId: number, replyId: number): Promise<void> {
  await trx('send_keys').where({ id: claimId }).update({ message_id: messageId, reply_id: replyId });
}

export async function releaseSendKey(trx: Db, claimId: number): Promise<void> {
  await trx('send_keys').where({ id: claimId }).delete();
}

/** SQLite's and MySQL's duplicate-key errors. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}

export async function purgeOldSendKeys(db: Db, now = Date.now()): Promise<number> {
  return db('send_keys').where('created_at', '<', new Date(now - SEND_KEY_TTL_MS)).delete();
}
