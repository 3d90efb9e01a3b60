// Searching a user's conversations: SQLite through the FTS5 table `search_index` (migration 20261208000100),
// MySQL/MariaDB through FULLTEXT indexes over words prefixed with their owner and bucket (search-mysql.ts, migration
// 20261215000100). On both, the user's own word is part of the match, so the engine reads only the user's rows. Only
// the user's threads, never a temporary one, archived ones only when asked; one page of hits at a time, by keyset
// (newest) or by rank.
import type { Db } from '../../db.ts';
import { fts5Query, type Term } from './query.ts';
import { findMysql } from './search-mysql.ts';
import { plainStart, snippet } from './snippet.ts';
import { plainText } from './plain-text.ts';

export type Sort = 'newest' | 'relevance';
export type ArchivedFilter = 'exclude' | 'include' | 'only';
export type SearchHit = { threadId: string; title: string | null; messageId: number | null; role: string | null; snippet: string; at: Date | null };
export type SearchPage = { results: SearchHit[]; nextCursor: string | null };
export type SearchOptions = { sort: Sort; archived: ArchivedFilter; cursor?: string | null; limit: number };

/** Relevance pages are read by offset (a rank is not a stable key); past this many hits the list ends. */
export const MAX_RELEVANCE_OFFSET = 1000;

const rows = (r: unknown): Array<Record<string, any>> => (Array.isArray(r) ? (Array.isArray(r[0]) ? r[0] : r) : []);
const isMysql = (db: Db) => db.client.config.client === 'mysql2';

export function threadFilter(archived: ArchivedFilter): string {
  const a = archived === 'exclude' ? ' AND t.archived_at IS NULL' : archived === 'only' ? ' AND t.archived_at IS NOT NULL' : '';
  return ` AND t.temporary_until IS NULL${a}`;
}

export type Found = { threadId: string; messageId: number | null; key: string };

export async function searchUser(db: Db, userId: number, terms: Term[], opts: SearchOptions): Promise<SearchPage> {
  if (!terms.length) return { results: [], nextCursor: null };
  const cursor = decode(opts.cursor);
  const found = isMysql(db) ? await findMysql(db, userId, terms, opts, cursor) : await findSqlite(db, userId, terms, opts, cursor);
  const more = found.length > opts.limit;
  const page = found.slice(0, opts.limit);
  const results = await present(db, userId, page, terms);
  return { results, nextCursor: more ? encode(page.at(-1)!.key) : null };
}

async function findSqlite(db: Db, userId: number, terms: Term[], opts: SearchOptions, cursor: string | null): Promise<Found[]> {
  // The user's token is part of the MATCH: FTS5 intersects it with the words, so other users' rows are never read.
  const match = `uid : "u${userId}" AND body : (${fts5Query(terms)})`;
  const filter = threadFilter(opts.archived);
  if (opts.sort === 'relevance') {
    const offset = Math.min(Number(cursor ?? 0) || 0, MAX_RELEVANCE_OFFSET);
    const r = rows(await db.raw(`SELECT s.thread_id, s.message_id FROM search_index s JOIN threads t ON t.id = s.thread_id
      WHERE search_index MATCH ? AND t.user_id = ?${filter} ORDER BY s.rank, s.rowid DESC LIMIT ? OFFSET ?`, [match, userId, opts.limit + 1, offset]));
    return r.map((x, i) => ({ threadId: String(x.thread_id), messageId: x.message_id == null ? null : Number(x.message_id), key: String(offset + i + 1) }));
  }
  const before = cursor && /^\d+$/.test(cursor) ? ` AND s.rowid < ${cursor}` : '';
  // The rowid passes 2^53: read it as text, or the cursor is rounded and a page repeats or skips a hit.
  const r = rows(await db.raw(`SELECT CAST(s.rowid AS TEXT) AS k, s.thread_id, s.message_id FROM search_index s JOIN threads t ON t.id = s.thread_id
    WHERE search_index MATCH ?${before} AND t.user_id = ?${filter} ORDER BY s.rowid DESC LIMIT ?`, [match, userId, opts.limit + 1]));
  return r.map((x) => ({ threadId: String(x.thread_id), messageId: x.message_id == null ? null : Number(x.message_id), key: String(x.k) }));
}

/** Titles, texts and snippets of a page of hits: three reads by primary key, whatever the dialect. */
async function present(db: Db, userId: number, found: Found[], terms: Term[]): Promise<SearchHit[]> {
  if (!found.length) return [];
  const threadIds = [...new Set(found.map((f) => f.threadId))];
  const messageIds = found.map((f) => f.messageId).filter((id): id is number => id !== null);
  const [threads, messages, files] = await Promise.all([
    // By primary key only, the owner checked below: with `user_id = ?` in the WHERE, SQLite walks the user's index.
    db('threads').whereIn('id', threadIds).select('id', 'user_id', 'title'),
    messageIds.length ? db('messages').whereIn('id', messageIds).select('id', 'role', 'content', 'created_at') : [],
    messageIds.length ? db('message_files as mf').join('files as f', 'f.id', 'mf.file_id').whereIn('mf.message_id', messageIds)
      .andWhere('f.user_id', userId).orderBy('mf.position').select('mf.message_id', 'f.text') : [],
  ]);
  const threadById = new Map(threads.filter((t) => Number(t.user_id) === userId).map((t) => [String(t.id), t]));
  const messageById = new Map(messages.map((m: Record<string, any>) => [Number(m.id), m]));
  const out: SearchHit[] = [];
  for (const f of found) {
    const t = threadById.get(f.threadId);
    if (!t) continue;
    const title = (t.title as string | null) ?? null;
    if (f.messageId === null) {
      out.push({ threadId: f.threadId, title, messageId: null, role: null, snippet: snippet(title ?? '', terms) ?? plainStart(title ?? ''), at: null });
      continue;
    }
    const m = messageById.get(f.messageId);
    if (!m) continue;
    // Messages and their files' OCR text are Markdown: a snippet shows their words, not their syntax (plain-text.ts).
    const texts = [String(m.content ?? ''), ...files.filter((x: Record<string, any>) => Number(x.message_id) === f.messageId).map((x: Record<string, any>) => String(x.text ?? ''))].map(plainText);
    const s = texts.map((x) => snippet(x, terms)).find((x) => x !== null) ?? plainStart(texts[0]);
    out.push({ threadId: f.threadId, title, messageId: f.messageId, role: String(m.role), snippet: s, at: toDate(m.created_at) });
  }
  return out;
}

const toDate = (v: unknown) => (v instanceof Date ? v : new Date(typeof v === 'number' ? v : String(v)));
const encode = (key: string) => Buffer.from(key).toString('base64url');
function decode(c: unknown): string | null {
  if (typeof c !== 'string' || !c || c.length > 200) return null;
  return Buffer.from(c, 'base64url').toString();
}
