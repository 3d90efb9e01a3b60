// Messages of a thread, read by (thread_id, id) so that opening a long thread costs the same as a short one.
import { rawRows, type Db } from '../../db.ts';
import { readJson, writeJson } from '../../lib/json.ts';
import { toDate } from '../../lib/time.ts';
import { insertThread, type Thread } from '../threads/threads.repo.ts';
import { linkFiles, type Attachment } from '../files/files.repo.ts';
import type { Source, Step } from './tool-steps.ts';
import { claimSendKey, recordSent, releaseSendKey } from './send-keys.repo.ts';
import { reserveSearchSeq } from '../search/owner.ts';

export type MessageStatus = 'pending' | 'streaming' | 'complete' | 'stopped' | 'error' | 'interrupted';
export const LIVE_STATUSES: MessageStatus[] = ['pending', 'streaming'];
export const isFinal = (s: MessageStatus) => !LIVE_STATUSES.includes(s);

export type Usage = { promptTokens?: number; completionTokens?: number; totalTokens?: number; connectorTokens?: number; connectors?: Record<string, number> };
export type Message = {
  id: number; threadId: string; parentId: number | null; role: 'user' | 'assistant' | 'system'; content: string; thinking: string | null;
  status: MessageStatus; error: string | null; model: string | null; usage: Usage | null; createdAt: Date; updatedAt: Date;
  /** The files a question carries (messages.attachments; files.repo.ts). */
  attachments: Attachment[];
  /** An answer's tool uses and the references it cites (issue 14; tool-steps.ts); empty without tools. */
  steps: Step[]; sources: Source[];
};

export function toMessage(r: Record<string, unknown>): Message {
  return {
    id: Number(r.id), threadId: String(r.thread_id), parentId: r.parent_id == null ? null : Number(r.parent_id), role: r.role as Message['role'], content: String(r.content ?? ''),
    thinking: (r.thinking as string) ?? null, status: r.status as MessageStatus, error: (r.error as string) ?? null,
    model: (r.model as string) ?? null, usage: readJson<Usage | null>(r.usage, null), createdAt: toDate(r.created_at), updatedAt: toDate(r.updated_at),
    attachments: readJson<Attachment[]>(r.attachments, []), steps: readJson<Step[]>(r.steps, []), sources: readJson<Source[]>(r.sources, []),
  };
}

/** The leaf a thread shows: the remembered one (a bound id), if still a message of the thread, else the newest. */
export const LEAF_SQL = `COALESCE((SELECT l.id FROM messages l WHERE l.id = ? AND l.thread_id = ?), (SELECT MAX(n.id) FROM messages n WHERE n.thread_id = ?))`;
export const leafArgs = (threadId: string, leafOf: number | null) => [leafOf ?? 0, threadId, threadId];

/** The shown leaf (where a new question goes), or null for an empty thread. */
export async function shownLeaf(db: Db, threadId: string, leafOf: number | null): Promise<number | null> {
  const rows = rawRows(await db.raw(`SELECT ${LEAF_SQL} AS leaf`, leafArgs(threadId, leafOf)));
  return rows[0]?.leaf == null ? null : Number(rows[0].leaf);
}

export { rawRows } from '../../db.ts';

/** Locks the thread for the rest of the transaction (sends and retries in one thread take turns): its leaf and user. */
async function lockThread(trx: Db, threadId: string): Promise<{ leaf: number | null; userId: number }> {
  const row = await trx('threads').where({ id: threadId }).forUpdate().first('id', 'current_leaf_id', 'user_id');
  return { leaf: row?.current_leaf_id == null ? null : Number(row.current_leaf_id), userId: row ? Number(row.user_id) : 0 };
}

const liveIn = (trx: Db, threadId: string) => trx('messages').where({ thread_id: threadId }).whereIn('status', LIVE_STATUSES).first('id', 'updated_at');

/**
 * Whether an answer is still live in the thread, inside the caller's transaction. One older than `staleBefore` was
 * left by a crashed instance: it is marked interrupted here and does not count. (The write happens only then, so
 * a normal send costs one read, not a separate recovery transaction.)
 */
async function busyIn(trx: Db, threadId: string, staleBefore?: Date): Promise<boolean> {
  const live = await liveIn(trx, threadId);
  if (!live) return false;
  if (!staleBefore || toDate(live.updated_at) >= staleBefore) return true;
  await interruptAbandoned(trx, { threadId }, staleBefore);
  return Boolean(await liveIn(trx, threadId));
}

/**
 * Where a new question goes: after the thread's shown leaf, after the message the sending page showed last (if it is
 * a message of the thread: a tab left on another branch than the one the thread now remembers sends into the branch
 * it shows), or beside a question under its parent (an edit).
 */
export type Placement = { after: 'leaf' | number } | { parentId: number | null };

/**
 * Stores a question and its pending answer, unless an answer is still live in the thread (then null).
 * The check and the insert are one transaction under a lock on the thread row (SQLite has one writer anyway),
 * so two simultaneous sends (or a send and a retry) cannot both start an answer. A new chat's thread (`newThread`)
 * is stored in the same transaction, so a failure leaves no empty chat behind. A send key is claimed before the
 * busy check (after the thread lock, which the key's foreign key would otherwise take shared first): a repeat of
 * the key fails on its unique index (send-keys.repo.ts), whatever the thread's state. The answer becomes the
 * thread's shown leaf.
 */
export async function insertExchange(db: Db, threadId: string, content: string, model: string,
  opts: { newThread?: Thread; staleBefore?: Date; sendKey?: { userId: number; key: string }; place?: Placement; files?: Attachment[] } = {}): Promise<{ message: Message; reply: Message } | null> {
  return db.transaction(async (trx) => {
    // Locks in this order: the thread (a locking read: the transaction's snapshot starts after the sends before it
    // ended, so the busy check below sees their answers), then the user's row (their message count, for search:
    // owner.ts), before anything that refers to the user: on MySQL a reference takes a shared lock on their row, which
    // two of the user's sends could not both upgrade (a deadlock).
    const lock = opts.newThread ? null : await lockThread(trx, threadId);
    const owner = await reserveSearchSeq(trx, opts.newThread?.userId ?? lock!.userId, 2);
    if (opts.newThread) await insertThread(trx, opts.newThread);
    const locked = lock?.leaf ?? null;
    const claim = opts.sendKey ? await claimSendKey(trx, opts.sendKey.userId, opts.sendKey.key, threadId) : null;
    if (await busyIn(trx, threadId, opts.staleBefore)) {
      // Refused: the key stays unused, so the same form sends once the answer has ended.
      if (claim !== null) await releaseSendKey(trx, claim);
      return null;
    }
    const place = opts.place ?? { after: 'leaf' };
    const parentId = 'parentId' in place ? place.parentId : opts.newThread ? null
      : typeof place.after === 'number' && await trx('messages').where({ id: place.after, thread_id: threadId }).first('id') ? place.after
        : await shownLeaf(trx, threadId, locked);
    const now = new Date();
    const base = { thread_id: threadId, search_owner: owner, thinking: null, error: null, usage: null, created_at: now, updated_at: now };
    const [userId] = await trx('messages').insert({ ...base, parent_id: parentId, role: 'user', content, status: 'complete', model: null });
    const [replyId] = await trx('messages').insert({ ...base, parent_id: Number(userId), role: 'assistant', content: '', status: 'pending', model });
    await trx('threads').where({ id: threadId }).update({ updated_at: now, current_leaf_id: Number(replyId) });
    await linkFiles(trx, Number(userId), opts.files ?? []);
    if (claim !== null) await recordSent(trx, claim, Number(userId), Number(replyId));
    const rows = await trx('messages').whereIn('id', [Number(userId), Number(replyId)]).orderBy('id');
    return { message: toMessage(rows[0]), reply: toMessage(rows[1]) };
  });
}

/**
 * Stores a new pending answer to the question `questionId` (a regeneration: a sibling of the answers it already has)
 * and shows it, unless an answer is live in the thread (null). Same lock and check as insertExchange.
 */
export async function insertAnswer(db: Db, threadId: string, questionId: number, model: string, staleBefore?: Date): Promise<Message | null> {
  return db.transaction(async (trx) => {
    const { userId } = await lockThread(trx, threadId);
    const owner = await reserveSearchSeq(trx, userId, 1); // in insertExchange's order
    if (await busyIn(trx, threadId, staleBefore)) return null;
    const now = new Date();
    const [replyId] = await trx('messages').insert({
      thread_id: threadId, search_owner: owner, parent_id: questionId, role: 'assistant', content: '', thinking: null, status: 'pending', error: null,
      model, usage: null, created_at: now, updated_at: now,
    });
    await trx('threads').where({ id: threadId }).update({ updated_at: now, current_leaf_id: Number(replyId) });
    return toMessage(await trx('messages').where({ id: Number(replyId) }).first());
  });
}

/** A message inside a thread that belongs to the user; anything else is not found. */
export async function findUserMessage(db: Db, userId: number, threadId: string, id: number): Promise<Message | null> {
  const row = await db('messages as m').join('threads as t', 't.id', 'm.thread_id')
    .where({ 'm.id': id, 'm.thread_id': threadId, 't.user_id': userId }).first('m.*');
  return row ? toMessage(row) : null;
}

export async function findMessage(db: Db, id: number): Promise<Message | null> {
  const row = await db('messages').where({ id }).first();
  return row ? toMessage(row) : null;
}

/** The id of a thread's first answer (the one that names a new chat), or null. */
export async function firstAnswerId(db: Db, threadId: string): Promise<number | null> {
  const row = await db('messages').where({ thread_id: threadId, role: 'assistant' }).orderBy('id').first('id');
  return row ? Number(row.id) : null;
}

export async function firstUserMessage(db: Db, threadId: string): Promise<Message | null> {
  const row = await db('messages').where({ thread_id: threadId, role: 'user' }).orderBy('id').first();
  return row ? toMessage(row) : null;
}

/**
 * Saves a live answer's progress only while it is still live: 0 rows means someone stopped it
 * (possibly on another instance), and the job should end.
 */
export async function saveProgress(db: Db, id: number, p: { content: string; thinking: string | null; status: MessageStatus; tools?: ToolParts }): Promise<boolean> {
  const n = await db('messages').where({ id }).whereIn('status', LIVE_STATUSES)
    .update({ content: p.content, thinking: p.thinking, status: p.status, ...toolColumns(p.tools), updated_at: new Date() });
  return n > 0;
}

export async function saveFinal(db: Db, id: number, p: { content: string; thinking: string | null; status: MessageStatus; error?: string | null; usage?: Usage | null; tools?: ToolParts }): Promise<void> {
  await db('messages').where({ id }).update({
    content: p.content, thinking: p.thinking, status: p.status, error: p.error ?? null, usage: writeJson(p.usage ?? null), ...toolColumns(p.tools), updated_at: new Date(),
  });
}

/** Steps and sources as columns, only for an answer that went through a conversation (a plain answer writes neither). */
type ToolParts = { steps: Step[]; sources: Source[] };
const toolColumns = (t?: ToolParts) => t ? { steps: t.steps.length ? JSON.stringify(t.steps) : null, sources: t.sources.length ? JSON.stringify(t.sources) : null } : {};

/** Marks a live answer stopped in the database, for a job that runs on another instance (or none). */
export async function markStopped(db: Db, id: number): Promise<boolean> {
  return (await db('messages').where({ id }).whereIn('status', LIVE_STATUSES).update({ status: 'stopped', updated_at: new Date() })) > 0;
}

/**
 * Puts a failed or stopped answer back to pending for a retry, unless another answer of the thread is live.
 * Check and change run in one transaction under the thread lock that sending takes (insertExchange).
 */
export async function resetForRetry(db: Db, threadId: string, id: number, model: string, staleBefore?: Date): Promise<'ok' | 'busy' | 'not_retryable'> {
  return db.transaction(async (trx) => {
    await lockThread(trx, threadId);
    if (await busyIn(trx, threadId, staleBefore)) return 'busy';
    const n = await trx('messages').where({ id, thread_id: threadId, role: 'assistant' }).whereIn('status', ['stopped', 'error', 'interrupted'])
      .update({ content: '', thinking: null, error: null, usage: null, steps: null, sources: null, attachments: null, status: 'pending', model, updated_at: new Date() });
    // Images a tool made for the failed attempt go with it (the files are purged once no message carries them).
    if (n > 0) await trx('message_files').where({ message_id: id }).delete();
    return n > 0 ? 'ok' : 'not_retryable';
  });
}

export async function stillLive(db: Db, id: number): Promise<boolean> {
  const row = await db('messages').where({ id }).first('status');
  return Boolean(row && LIVE_STATUSES.includes(row.status));
}

export const ABANDONED_MESSAGE = 'This answer stopped when the server restarted. Retry to get a full answer.';

/**
 * A live answer whose row has not changed for longer than any running job allows (it would have saved, or timed
 * out and saved) was left by a crashed instance: mark it interrupted so the thread is not stuck.
 */
export async function interruptAbandoned(db: Db, where: { threadId?: string; id?: number }, staleBefore: Date): Promise<number> {
  const q = db('messages').whereIn('status', LIVE_STATUSES).andWhere('updated_at', '<', staleBefore);
  if (where.threadId) q.andWhere({ thread_id: where.threadId });
  if (where.id) q.andWhere({ id: where.id });
  return q.update({ status: 'interrupted', error: ABANDONED_MESSAGE, updated_at: new Date() });
}
