// Search (issue 15): conversations written straight into the database, for the search tests and the benchmark.
import type { Db } from '../../src/db.ts';
import { newId } from '../../src/lib/ids.ts';
import { fileOwner, searchOwner } from '../../src/features/search/owner.ts';

export type SeedThread = { title?: string | null; messages: string[]; archived?: boolean; temporary?: boolean; at?: Date };

/** A thread with its messages as one path (question, answer, …), all final. Returns the ids. */
export async function seedThread(db: Db, userId: number, t: SeedThread): Promise<{ id: string; messageIds: number[] }> {
  const at = t.at ?? new Date();
  const id = newId();
  await db('threads').insert({
    id, user_id: userId, search_owner: searchOwner(userId), title: t.title ?? null, title_set_by_user: true, model: null, context: null, created_at: at, updated_at: at,
    archived_at: t.archived ? at : null, temporary_until: t.temporary ? new Date(at.getTime() + 86_400_000) : null,
  });
  const messageIds: number[] = [];
  let parent: number | null = null;
  for (const [i, content] of t.messages.entries()) {
    const [mid]: number[] = await db('messages').insert({
      thread_id: id, search_owner: searchOwner(userId), parent_id: parent, role: i % 2 ? 'assistant' : 'user', content, status: 'complete', thinking: null, error: null,
      model: i % 2 ? 'mistral-small-latest' : null, usage: null, created_at: new Date(at.getTime() + i), updated_at: new Date(at.getTime() + i),
    });
    parent = Number(mid);
    messageIds.push(parent);
  }
  return { id, messageIds };
}

/** A document with OCR text attached to a message (what files/ocr.ts stores), linked as a send links it. */
export async function attachDocument(db: Db, userId: number, messageId: number, text: string): Promise<number> {
  const [fileId] = await db('files').insert({ user_id: userId, search_owner: fileOwner(userId), name: 'scan.pdf', mime: 'application/pdf', kind: 'document', size: 100, pages: 1, text, created_at: new Date(), sent_at: new Date() });
  await db('message_files').insert({ message_id: messageId, file_id: Number(fileId), position: 0 });
  return Number(fileId);
}

/** Rows of the search index that mention a thread: SQLite's FTS5 table, or MySQL's FULLTEXT-indexed rows. */
export async function indexedRows(db: Db, word: string): Promise<number> {
  if (db.client.config.client === 'mysql2') {
    // The FULLTEXT-indexed column holds each word as `<owner>x<word>` (migration 20261215000100).
    const [m] = await db.raw('SELECT COUNT(*) AS n FROM messages WHERE search_words LIKE ?', [`%x${word}%`]);
    const [t] = await db.raw('SELECT COUNT(*) AS n FROM threads WHERE search_words LIKE ?', [`%x${word}%`]);
    return Number(m[0].n) + Number(t[0].n);
  }
  const rows = await db.raw('SELECT COUNT(*) AS n FROM search_index WHERE search_index MATCH ?', [`body : "${word}"`]);
  return Number(rows[0].n);
}

/** Queries that must never fail, whatever the engine makes of them. */
export const NASTY_QUERIES = [
  '"', '""', '"""', '*', '**', 'a*b*', '-', '--x', '+', '+-', '(', ')', '((a)', 'a)', 'OR', 'AND', 'NOT', 'NEAR', 'NEAR(a b)',
  'a OR b', 'a AND', 'body:x', 'uid:u1', 'u1', ':', '^', '^a', '~', '~a', '@', '@3', '<', '>', '<a>', 'a"b', '"unclosed phrase',
  "'", "';DROP TABLE messages;--", '\\', '%', '_', '%_%', 'x'.repeat(500), '\u0000', '\u200b', '😀', '東京', '*東京*', 'ß', 'İ',
  '{body}: x', '[a]', 'a & b', 'a | b', '$(a)', '?', '/', 'NULL', 'null', ' ', '\t\n',
];
