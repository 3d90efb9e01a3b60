// Threads, always scoped to their owner: a thread of someone else is simply not found.
import { selectRows, type Db } from '../../db.ts';
import { newId } from '../../lib/ids.ts';
import { toDate } from '../../lib/time.ts';
import { readJson } from '../../lib/json.ts';
import { toolsColumn, toolsOf, type ToolName } from '../../lib/tools.ts';
import { threadOwner } from '../search/owner.ts';

export type Thread = {
  id: string; userId: number; title: string | null; titleSetByUser: boolean; model: string | null; context: string | null;
  thinkHarder: boolean; createdAt: Date; updatedAt: Date;
  /** The end of the branch the thread shows (edits and regenerations branch it); null: its newest message. */
  currentLeafId: number | null;
  /** Mistral's built-in connectors switched on (issue 14); empty: answers go through chat completions. */
  tools: ToolName[];
  /** Organise (issue 15): when pinned / archived (null: not); a temporary chat's deadline (null: a kept chat). */
  pinnedAt: Date | null; archivedAt: Date | null; temporaryUntil: Date | null;
};

const dateOrNull = (v: unknown): Date | null => (v == null ? null : toDate(v));
/** A temporary chat lives this long from its start; the maintenance job deletes it after (purgeExpiredTemporary). */
export const TEMPORARY_MS = 3600_000;

export function toThread(r: Record<string, unknown>): Thread {
  return {
    id: String(r.id), userId: Number(r.user_id), title: (r.title as string) ?? null, titleSetByUser: Boolean(r.title_set_by_user),
    model: (r.model as string) ?? null, context: (r.context as string) ?? null, thinkHarder: Boolean(r.think_harder), createdAt: toDate(r.created_at), updatedAt: toDate(r.updated_at),
    currentLeafId: r.current_leaf_id == null ? null : Number(r.current_leaf_id), tools: toolsOf(readJson(r.tools, [])),
    pinnedAt: dateOrNull(r.pinned_at), archivedAt: dateOrNull(r.archived_at), temporaryUntil: dateOrNull(r.temporary_until),
  };
}

export type ThreadInput = { title?: string | null; model?: string | null; context?: string | null; thinkHarder?: boolean; tools?: ToolName[]; temporary?: boolean };

/** A thread that is not stored yet: a new chat is stored with its first message (insertExchange), or by createThread. */
export function newThread(userId: number, input: ThreadInput = {}): Thread {
  const now = new Date();
  return {
    id: newId(), userId, title: input.title ?? null, titleSetByUser: Boolean(input.title), model: input.model ?? null,
    context: input.context ?? null, thinkHarder: Boolean(input.thinkHarder), createdAt: now, updatedAt: now, currentLeafId: null,
    tools: input.tools ?? [], pinnedAt: null, archivedAt: null,
    temporaryUntil: input.temporary ? new Date(now.getTime() + TEMPORARY_MS) : null,
  };
}

/** Stores a thread from newThread (db may be a transaction). */
export async function insertThread(db: Db, t: Thread): Promise<void> {
  await db('threads').insert({
    id: t.id, user_id: t.userId, search_owner: await threadOwner(db, t.userId), title: t.title, title_set_by_user: t.titleSetByUser, model: t.model, context: t.context,
    think_harder: t.thinkHarder, created_at: t.createdAt, updated_at: t.updatedAt, tools: toolsColumn(t.tools),
    pinned_at: t.pinnedAt, archived_at: t.archivedAt, temporary_until: t.temporaryUntil,
  });
}

export async function createThread(db: Db, userId: number, input: ThreadInput = {}): Promise<Thread> {
  const thread = newThread(userId, input);
  await insertThread(db, thread);
  return thread;
}

// Performance (issue 18): the reads of every thread page and thread JSON are SQL written once (db.ts selectRows), the
// same text on both dialects, not built by knex's query builder on each call. The same rows and the same mapping.
const FIND_SQL = 'SELECT * FROM `threads` WHERE `id` = ? AND `user_id` = ? LIMIT 1';

export async function findThread(db: Db, userId: number, id: string): Promise<Thread | null> {
  const [row] = await selectRows(db, FIND_SQL, [id, userId]);
  return row ? toThread(row) : null;
}

export type Cursor = { updatedAt: number; id: string };

export function encodeCursor(t: { updatedAt: Date; id: string }): string {
  return Buffer.from(`${t.updatedAt.getTime()}.${t.id}`).toString('base64url');
}

export function decodeCursor(s: unknown): Cursor | null {
  if (typeof s !== 'string' || !s || s.length > 200) return null;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  return m ? { updatedAt: Number(m[1]), id: m[2] } : null;
}

const LIST_SQL = 'SELECT * FROM `threads` WHERE `user_id` = ? AND `temporary_until` IS NULL';

/**
 * Newest first, paged by (updated_at, id) on the (user_id, updated_at, id) index. Temporary chats are never listed;
 * `archived` lists only archived ones, else only the others, and pinned ones are left to listPinned (shown above the
 * pages, so a cursor never has to step over them).
 */
export async function listThreads(db: Db, userId: number, opts: { cursor?: Cursor | null; limit: number; archived?: boolean }): Promise<{ threads: Thread[]; nextCursor: string | null }> {
  const args: unknown[] = [userId];
  let sql = LIST_SQL + (opts.archived ? ' AND `archived_at` IS NOT NULL' : ' AND `archived_at` IS NULL AND `pinned_at` IS NULL');
  if (opts.cursor) {
    const at = new Date(opts.cursor.updatedAt);
    sql += ' AND (`updated_at` < ? OR (`updated_at` = ? AND `id` < ?))';
    args.push(at, at, opts.cursor.id);
  }
  const rows = await selectRows(db, `${sql} ORDER BY \`updated_at\` DESC, \`id\` DESC LIMIT ?`, [...args, opts.limit + 1]);
  const threads = rows.slice(0, opts.limit).map(toThread);
  return { threads, nextCursor: rows.length > opts.limit ? encodeCursor(threads[threads.length - 1]) : null };
}

const PINNED_SQL = 'SELECT * FROM `threads` WHERE `user_id` = ? AND `pinned_at` IS NOT NULL AND `archived_at` IS NULL'
  + ' AND `temporary_until` IS NULL ORDER BY `pinned_at` DESC, `id` DESC LIMIT ?';

/** Pinned (not archived) threads, the latest pinned first: a small list shown above the paged one. */
export async function listPinned(db: Db, userId: number, limit = 100): Promise<Thread[]> {
  return (await selectRows(db, PINNED_SQL, [userId, limit])).map(toThread);
}

// listPinned's query and listThreads' first page, each with its own order and limit, in one statement: the outer order
// keeps each part's own order (the pinned first, by pinned_at; then the others, by updated_at), and a row is told apart
// by pinned_at, which only the pinned have.
const FIRST_PAGE_SQL = `SELECT * FROM (SELECT * FROM (${PINNED_SQL}) AS \`p\` UNION ALL SELECT * FROM (${LIST_SQL}`
  + ' AND `archived_at` IS NULL AND `pinned_at` IS NULL ORDER BY `updated_at` DESC, `id` DESC LIMIT ?) AS `l`) AS `f`'
  + ' ORDER BY (`pinned_at` IS NULL), COALESCE(`pinned_at`, `updated_at`) DESC, `id` DESC';

/**
 * The sidebar of every page and the API's first page: listPinned and listThreads' first page (no cursor, not archived),
 * the same threads in the same order, in one query instead of two (each query is a round trip on MySQL).
 */
export async function listFirstPage(db: Db, userId: number, limit: number, pinnedLimit = 100): Promise<{ pinned: Thread[]; threads: Thread[]; nextCursor: string | null }> {
  const pinned: Thread[] = [];
  const listed: Thread[] = [];
  for (const r of await selectRows(db, FIRST_PAGE_SQL, [userId, pinnedLimit, userId, limit + 1])) (r.pinned_at == null ? listed : pinned).push(toThread(r));
  const threads = listed.slice(0, limit);
  return { pinned, threads, nextCursor: listed.length > limit ? encodeCursor(threads[threads.length - 1]) : null };
}

/** Pins or archives (true: now, false: clears) the caller's own threads among `ids`; how many were theirs. */
export async function markThreads(db: Db, userId: number, ids: string[], what: 'pinned_at' | 'archived_at', on: boolean): Promise<number> {
  if (!ids.length) return 0;
  // A temporary chat is never listed, so it is neither pinned nor archived.
  return db('threads').where({ user_id: userId }).whereIn('id', ids).whereNull('temporary_until').update({ [what]: on ? new Date() : null });
}

/**
 * Edits a thread's own fields. updated_at is left alone: it orders the list by the last message, so renaming a
 * thread or changing its model does not move it to the top.
 */
export async function updateThread(db: Db, userId: number, id: string, input: ThreadInput & { titleSetByUser?: boolean }): Promise<Thread | null> {
  const patch: Record<string, unknown> = {};
  if (input.title !== undefined) patch.title = input.title;
  if (input.titleSetByUser !== undefined) patch.title_set_by_user = input.titleSetByUser;
  if (input.model !== undefined) patch.model = input.model;
  if (input.context !== undefined) patch.context = input.context;
  if (input.thinkHarder !== undefined) patch.think_harder = input.thinkHarder;
  if (input.tools !== undefined) patch.tools = toolsColumn(input.tools);
  if (Object.keys(patch).length) await db('threads').where({ id, user_id: userId }).update(patch);
  // Read back rather than trust the update count: an edit that changes nothing still names an existing thread.
  return findThread(db, userId, id);
}

/** A generated title never replaces one the user typed, even if they typed it while the title was being made. */
export async function setGeneratedTitle(db: Db, id: string, title: string): Promise<boolean> {
  return (await db('threads').where({ id, title_set_by_user: false }).whereNull('title').update({ title })) > 0;
}

export async function touchThread(db: Db, id: string, at = new Date()): Promise<void> {
  await db('threads').where({ id }).update({ updated_at: at });
}

export async function deleteThread(db: Db, userId: number, id: string): Promise<boolean> {
  return (await db('threads').where({ id, user_id: userId }).delete()) > 0;
}

/** Deletes the caller's own threads among `ids` (anyone else's are left alone); how many went. */
export async function deleteThreads(db: Db, userId: number, ids: string[]): Promise<number> {
  return ids.length ? db('threads').where({ user_id: userId }).whereIn('id', ids).delete() : 0;
}

/** Maintenance: temporary chats past their hour (messages go by foreign keys; their files by the files purge after). */
export async function purgeExpiredTemporary(db: Db, now = new Date()): Promise<number> {
  return db('threads').where('temporary_until', '<', now).delete();
}

/** Unscoped: only for the server's own jobs (titles), never for a request. */
export async function findThreadById(db: Db, id: string): Promise<Thread | null> {
  const row = await db('threads').where({ id }).first();
  return row ? toThread(row) : null;
}
