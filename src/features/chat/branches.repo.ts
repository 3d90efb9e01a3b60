// The message tree of a thread. Every message points at the one it follows (parent_id); edits and regenerations are
// siblings under the same parent. A thread shows one path, root to leaf: the leaf it remembers (current_leaf_id),
// else its newest message. Paths are walked by recursive CTEs (MariaDB 10.2+, MySQL 8, SQLite 3.8+) on the primary
// key, and down a branch on the (thread_id, parent_id) index: a page of a 10,000-message thread costs what one of a
// 10-message thread does (bench/branches.ts).
import type { Db } from '../../db.ts';
import { leafArgs, LEAF_SQL, rawRows, toMessage, type Message } from './messages.repo.ts';

export type Siblings = { index: number; count: number; ids: number[] };

/**
 * Up to `limit` messages of a path ending at `from` (the thread's shown leaf when `from` is null), oldest first, and
 * whether older ones exist: one query whatever the thread's size. `limit` Infinity reads the whole path.
 * `withSiblings`: each message's siblings too, in the same statement (a page needs them: one round trip less).
 */
export async function pathUp(db: Db, threadId: string, from: { leafOf: number | null } | { id: number }, limit = Infinity,
  opts: { withSiblings?: boolean } = {}): Promise<{ messages: Message[]; hasOlder: boolean; siblings: Map<number, Siblings> }> {
  const anchor = 'id' in from ? '?' : LEAF_SQL;
  const anchorArgs = 'id' in from ? [from.id] : leafArgs(threadId, from.leafOf);
  const depth = Number.isFinite(limit) ? limit + 1 : Number.MAX_SAFE_INTEGER;
  // Performance (issue 18): the siblings of each message (its parent's children, on the (thread_id, parent_id) index),
  // as a list of ids; a root's siblings are the thread's other roots. Null-safe equality is spelled per dialect.
  const sameParent = db.client.dialect === 'mysql' ? 's.parent_id <=> m.parent_id' : 's.parent_id IS m.parent_id';
  const siblingsColumn = opts.withSiblings ? `, (SELECT GROUP_CONCAT(s.id) FROM messages s WHERE s.thread_id = ? AND ${sameParent}) AS sibling_ids` : '';
  const { rows } = await raw(db, `WITH RECURSIVE up (id, parent_id, n) AS (
      SELECT id, parent_id, 1 FROM messages WHERE id = ${anchor} AND thread_id = ?
      UNION ALL
      SELECT m.id, m.parent_id, up.n + 1 FROM messages m JOIN up ON m.id = up.parent_id WHERE up.n < ?
    ) SELECT m.*${siblingsColumn} FROM up JOIN messages m ON m.id = up.id ORDER BY up.n DESC`, [...anchorArgs, threadId, depth, ...(opts.withSiblings ? [threadId] : [])]);
  const hasOlder = rows.length > limit;
  const shown = hasOlder ? rows.slice(1) : rows;
  const siblings = new Map<number, Siblings>();
  if (opts.withSiblings) {
    for (const r of shown) {
      const ids = String(r.sibling_ids).split(',').map(Number).sort((x, y) => x - y);
      const id = Number(r.id);
      siblings.set(id, { index: ids.indexOf(id) + 1, count: ids.length, ids });
    }
  }
  return { messages: shown.map(toMessage), hasOlder, siblings };
}

/**
 * A page of the shown path: its latest `limit` messages, or (`beforeId`, "Show older messages") the `limit` before
 * that message on its path; oldest first, with whether older ones exist, and each message's siblings.
 */
export async function pagePath(db: Db, thread: { id: string; currentLeafId: number | null }, opts: { beforeId?: number; limit: number }): Promise<{ messages: Message[]; hasOlder: boolean; siblings: Map<number, Siblings> }> {
  if (opts.beforeId) {
    const { messages, hasOlder, siblings } = await pathUp(db, thread.id, { id: opts.beforeId }, opts.limit + 1, { withSiblings: true });
    // A `before` that is no message of the thread (an old link, a made-up id) gets the latest page.
    if (messages.length) return { messages: messages.slice(0, -1), hasOlder, siblings };
  }
  return pathUp(db, thread.id, { leafOf: thread.currentLeafId }, opts.limit, { withSiblings: true });
}

/** The conversation up to and including `id`, root first (what the model is sent: one branch, never another). */
export async function pathTo(db: Db, threadId: string, id: number | null): Promise<Message[]> {
  return id === null ? [] : (await pathUp(db, threadId, { id })).messages;
}

/** The ids on the shown path after `afterId`, oldest first, up to `limit` (where an older page's "Newer" leads). */
export async function pathIdsAfter(db: Db, threadId: string, leafOf: number | null, afterId: number, limit: number): Promise<number[]> {
  // Walk up from the leaf until `afterId`: what was walked is what comes after it (nothing if it is not on the path).
  const { rows } = await raw(db, `WITH RECURSIVE up (id, parent_id) AS (
      SELECT id, parent_id FROM messages WHERE id = ${LEAF_SQL} AND thread_id = ?
      UNION ALL
      SELECT m.id, m.parent_id FROM messages m JOIN up ON m.id = up.parent_id WHERE up.id <> ?
    ) SELECT id FROM up`, [...leafArgs(threadId, leafOf), threadId, afterId]);
  const ids = rows.map((r) => Number(r.id)).reverse();
  if (ids[0] !== afterId) return [];
  return ids.slice(1, 1 + limit);
}

/** The latest message of the branch through `id` (the newest message below it is always a leaf), or null. */
export async function latestLeafUnder(db: Db, threadId: string, id: number): Promise<number | null> {
  const { rows } = await raw(db, `WITH RECURSIVE down (id) AS (
      SELECT id FROM messages WHERE id = ? AND thread_id = ?
      UNION ALL
      SELECT m.id FROM messages m JOIN down ON m.thread_id = ? AND m.parent_id = down.id
    ) SELECT MAX(id) AS leaf FROM down`, [id, threadId, threadId]);
  return rows[0]?.leaf == null ? null : Number(rows[0].leaf);
}

/** The siblings of each message (its parent's children, oldest first), in one query on (thread_id, parent_id). */
export async function siblingsOf(db: Db, threadId: string, messages: Array<Pick<Message, 'id' | 'parentId'>>): Promise<Map<number, Siblings>> {
  const out = new Map<number, Siblings>();
  if (!messages.length) return out;
  const parents = [...new Set(messages.map((m) => m.parentId).filter((p): p is number => p !== null))];
  // No ORDER BY (ids are sorted here): with one, SQLite walks the whole thread in id order to skip a sort instead of
  // reading the (thread_id, parent_id) index. The roots (parent NULL) are a query of their own for the same reason.
  // Performance (issue 18): SQL written once but for its number of placeholders, not knex's builder (same rows).
  const ids = parents.length ? parents : [0];
  let sql = `SELECT \`id\`, \`parent_id\` FROM \`messages\` WHERE \`thread_id\` = ? AND \`parent_id\` IN (${ids.map(() => '?').join(', ')})`;
  const args: unknown[] = [threadId, ...ids];
  if (messages.some((m) => m.parentId === null)) {
    sql += ' UNION ALL SELECT `id`, `parent_id` FROM `messages` WHERE `thread_id` = ? AND `parent_id` IS NULL';
    args.push(threadId);
  }
  const children = new Map<number | null, number[]>();
  for (const r of (await raw(db, sql, args)).rows) {
    const parent = r.parent_id == null ? null : Number(r.parent_id);
    children.set(parent, [...(children.get(parent) ?? []), Number(r.id)]);
  }
  for (const ids of children.values()) ids.sort((x, y) => x - y);
  for (const m of messages) {
    const ids = children.get(m.parentId) ?? [m.id];
    out.set(m.id, { index: ids.indexOf(m.id) + 1, count: ids.length, ids });
  }
  return out;
}

export async function rememberLeaf(db: Db, threadId: string, leafId: number): Promise<void> {
  await db('threads').where({ id: threadId }).update({ current_leaf_id: leafId });
}

async function raw(db: Db, sql: string, args: unknown[]): Promise<{ rows: Array<Record<string, any>> }> {
  return { rows: rawRows(await db.raw(sql, args as never[])) };
}
