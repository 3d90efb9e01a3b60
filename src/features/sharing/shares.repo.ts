// Shares: read-only snapshots of a thread's shown branch behind /s/<code>. Only the code's SHA-256 is stored, and each
// share keeps its own copy of the title and messages, so it never changes after it was made (docs/architecture.md).
import type { Attachment } from '../files/files.repo.ts';
import { selectRows, type Db } from '../../db.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { readJson } from '../../lib/json.ts';
import { toDate } from '../../lib/time.ts';
import type { MessageStatus, Usage } from '../chat/messages.repo.ts';
import type { Source, Step } from '../chat/tool-steps.ts';

/** A message as a share keeps it: what the page shows and a fork copies. */
export type SharedMessage = {
  role: 'user' | 'assistant'; content: string; thinking: string | null; status: MessageStatus; error: string | null;
  model: string | null; usage: Usage | null; createdAt: string;
  /** A question's files (shown to the share's readers while the owner keeps them: /s/:code/files/:id). */
  attachments?: Attachment[];
  /** An answer's tool steps and sources (issue 14), when it used tools. */
  steps?: Step[]; sources?: Source[];
};

export type Share = {
  id: number; threadId: string; userId: number; title: string; lastMessageId: number | null;
  createdAt: Date; expiresAt: Date | null; revokedAt: Date | null;
};

/** What the Account page and the thread's Share menu list: the share and the title its thread has now. */
export type ShareListed = Share & { threadTitle: string };

const toShare = (r: Record<string, unknown>): Share => ({
  id: Number(r.id), threadId: String(r.thread_id), userId: Number(r.user_id), title: (r.title as string) || 'New chat',
  lastMessageId: r.last_message_id == null ? null : Number(r.last_message_id),
  createdAt: toDate(r.created_at), expiresAt: r.expires_at == null ? null : toDate(r.expires_at), revokedAt: r.revoked_at == null ? null : toDate(r.revoked_at),
});

/** Shares that still open: not revoked, not expired. */
const active = (q: ReturnType<Db>, now: Date) =>
  q.whereNull('s.revoked_at').andWhere((w) => { w.whereNull('s.expires_at').orWhere('s.expires_at', '>', now); });

export async function insertShare(db: Db, s: { threadId: string; userId: number; code: string; title: string; messages: SharedMessage[]; lastMessageId: number | null; expiresAt: Date | null }): Promise<Share> {
  const now = new Date();
  const [id] = await db('shares').insert({
    thread_id: s.threadId, user_id: s.userId, code_hash: sha256Hex(s.code), title: s.title, snapshot: JSON.stringify(s.messages),
    last_message_id: s.lastMessageId, created_at: now, expires_at: s.expiresAt, revoked_at: null,
  });
  return toShare(await db('shares').where({ id: Number(id) }).first());
}

/** The share behind a code, with its messages, if it still opens; anything else (revoked, expired, unknown) is null. */
export async function findOpenShare(db: Db, code: string, now = new Date()): Promise<{ share: Share; messages: SharedMessage[] } | null> {
  const row = await active(db('shares as s'), now).andWhere('s.code_hash', sha256Hex(code)).first('s.*');
  if (!row || row.snapshot == null) return null;
  return { share: toShare(row), messages: readJson<SharedMessage[]>(row.snapshot, []) };
}

// Performance (issue 18): the thread page's Share menu lists the thread's shares: SQL written once (db.ts selectRows),
// the conditions of `active` above.
const LIST_SQL = 'SELECT `s`.*, `t`.`title` AS `thread_title` FROM `shares` AS `s` INNER JOIN `threads` AS `t` ON `t`.`id` = `s`.`thread_id`'
  + ' WHERE `s`.`revoked_at` IS NULL AND (`s`.`expires_at` IS NULL OR `s`.`expires_at` > ?) AND `s`.`user_id` = ?';

/** A user's open shares, newest first (one thread's when `threadId` is given), with their threads' current titles. */
export async function listShares(db: Db, userId: number, opts: { threadId?: string; now?: Date } = {}): Promise<ShareListed[]> {
  const one = opts.threadId ? ' AND `s`.`thread_id` = ?' : '';
  const args = [opts.now ?? new Date(), userId, ...(opts.threadId ? [opts.threadId] : [])];
  const rows = await selectRows(db, `${LIST_SQL}${one} ORDER BY \`s\`.\`created_at\` DESC, \`s\`.\`id\` DESC`, args);
  return rows.map((r: Record<string, unknown>) => ({ ...toShare(r), threadTitle: (r.thread_title as string) || 'New chat' }));
}

/** Revokes one of the user's shares (another user's id is simply not found: false). */
export async function revokeShare(db: Db, userId: number, id: number, threadId?: string): Promise<boolean> {
  const q = db('shares').where({ id, user_id: userId }).whereNull('revoked_at');
  if (threadId) q.andWhere({ thread_id: threadId });
  return (await q.update({ revoked_at: new Date() })) > 0;
}

export async function revokeAllShares(db: Db, userId: number): Promise<number> {
  return db('shares').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: new Date() });
}

/**
 * Deletes revoked and expired shares (their copies of the messages with them): they answer 404 anyway, and a revoked
 * share's text should not outlive the revoke. Run by the periodic purge (src/maintenance.ts).
 */
export async function purgeClosedShares(db: Db, now = new Date()): Promise<number> {
  return db('shares').whereNotNull('revoked_at').orWhere('expires_at', '<=', now).delete();
}
