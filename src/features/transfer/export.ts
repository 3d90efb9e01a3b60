// Export: a thread as Markdown (the shown branch) or JSON (every branch), and a whole account as one JSON document
// written thread by thread. Messages are read in pages by keyset on (thread_id, id) and threads by (user_id, id), so
// an account of any size is written in constant memory; the writer waits for `drain` (backpressure).
import type { Writable } from 'node:stream';
import type { Db } from '../../db.ts';
import { pathUp } from '../chat/branches.repo.ts';
import { toMessage, type Message } from '../chat/messages.repo.ts';
import { toThread, type Thread } from '../threads/threads.repo.ts';
import type { TFunction } from 'i18next';
import { tFor } from '../../i18n/catalogue.ts';

export const EXPORT_FORMAT = 'mistralchat';
export const EXPORT_VERSION = 1;
const MESSAGE_PAGE = 500;
const THREAD_PAGE = 100;

export type ExportedMessage = ReturnType<typeof messageExport>;
export type ExportedThread = ReturnType<typeof threadHead> & { messages: ExportedMessage[] };

export const messageExport = (m: Message) => ({
  id: m.id, parentId: m.parentId, role: m.role, content: m.content, thinking: m.thinking, status: m.status, error: m.error,
  model: m.model, usage: m.usage, createdAt: m.createdAt.toISOString(),
  // A question's files are named (their bytes stay on the server; an import leaves them out).
  ...(m.attachments.length ? { attachments: m.attachments.map((a) => ({ name: a.name, type: a.mime, size: a.size, kind: a.kind, ...(a.pages != null ? { pages: a.pages } : {}) })) } : {}),
});

const threadHead = (t: Thread) => ({
  id: t.id, title: t.title, titleSetByUser: t.titleSetByUser, model: t.model, context: t.context, thinkHarder: t.thinkHarder,
  createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString(), currentLeafId: t.currentLeafId,
});

/** Every message of a thread, oldest first, a page at a time (keyset on the (thread_id, id) index). */
export async function* messagePages(db: Db, threadId: string): AsyncGenerator<Message[]> {
  let after = 0;
  for (;;) {
    const rows = await db('messages').where({ thread_id: threadId }).andWhere('id', '>', after).orderBy('id').limit(MESSAGE_PAGE);
    if (!rows.length) return;
    const page = rows.map(toMessage);
    yield page;
    if (rows.length < MESSAGE_PAGE) return;
    after = page[page.length - 1].id;
  }
}

/** A user's threads, a page at a time, by (user_id, id): a thread that changes meanwhile is neither skipped nor repeated. */
export async function* threadPages(db: Db, userId: number): AsyncGenerator<Thread[]> {
  let after = '';
  for (;;) {
    // Temporary chats (issue 15) are left out: they are not kept.
    const rows = await db('threads').where({ user_id: userId }).whereNull('temporary_until').andWhere('id', '>', after).orderBy('id').limit(THREAD_PAGE);
    if (!rows.length) return;
    const page = rows.map(toThread);
    yield page;
    if (rows.length < THREAD_PAGE) return;
    after = page[page.length - 1].id;
  }
}

const envelope = () => `"format":${JSON.stringify(EXPORT_FORMAT)},"version":${EXPORT_VERSION},"exportedAt":${JSON.stringify(new Date().toISOString())}`;

/** One thread with all its branches, as a document of its own (`{format, version, exportedAt, thread}`). */
export async function threadJsonExport(db: Db, thread: Thread): Promise<string> {
  const messages: ExportedMessage[] = [];
  for await (const page of messagePages(db, thread.id)) messages.push(...page.map(messageExport));
  return `{${envelope()},"thread":${JSON.stringify({ ...threadHead(thread), messages }, null, 1)}}\n`;
}

/** Writes, waiting while the destination's buffer is full. */
async function put(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed) throw new Error('export destination closed');
  if (!out.write(chunk)) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => { out.off('drain', done); out.off('close', closed); out.off('error', done); if (err) reject(err); else resolve(); };
      const closed = () => done(new Error('export destination closed'));
      out.on('drain', done); out.on('close', closed); out.on('error', done);
    });
  }
}

/**
 * The whole account (`{format, version, exportedAt, threads: [...]}`), written thread by thread and page by page:
 * memory holds one page of threads and one page of messages, whatever the account's size. Returns the threads written.
 */
export async function writeAccountExport(db: Db, userId: number, out: Writable): Promise<number> {
  let count = 0;
  await put(out, `{${envelope()},"threads":[`);
  for await (const threads of threadPages(db, userId)) {
    for (const t of threads) {
      const head = JSON.stringify(threadHead(t));
      await put(out, `${count ? ',' : ''}\n${head.slice(0, -1)},"messages":[`);
      let first = true;
      for await (const page of messagePages(db, t.id)) {
        const parts: string[] = [];
        for (const m of page) { parts.push(`${first ? '' : ','}\n${JSON.stringify(messageExport(m))}`); first = false; }
        await put(out, parts.join(''));
      }
      await put(out, ']}');
      count++;
    }
  }
  await put(out, '\n]}\n');
  return count;
}

// Languages (issue 17): the Markdown is written in the language of whoever downloads it (English by default).
const roleName = (m: Message, t: TFunction) => (m.role === 'user' ? t('transfer:markdown.you') : m.role === 'assistant' ? 'Mistral' : t('transfer:markdown.system'));
const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The shown branch as readable Markdown: the title, then each message under a heading with its role, model and time.
 * Contents are as written (math and code blocks unchanged); thinking is a quoted block before the answer.
 */
export async function threadMarkdownExport(db: Db, thread: Thread, t: TFunction = tFor('en')): Promise<string> {
  const { messages } = await pathUp(db, thread.id, { leafOf: thread.currentLeafId });
  const exported = thread.model ? t('transfer:markdown.exportedModel', { at: utc(new Date()), model: thread.model }) : t('transfer:markdown.exported', { at: utc(new Date()) });
  const lines = [`# ${thread.title || t('transfer:markdown.newChat')}`, '', exported, ''];
  for (const m of messages) {
    const model = m.role === 'assistant' && m.model ? ` (${m.model})` : '';
    lines.push('---', '', `## ${roleName(m, t)}${model} · ${utc(m.createdAt)}`, '');
    if (m.thinking) lines.push(`> **${t('transfer:markdown.thinking')}**`, '>', ...m.thinking.split('\n').map((l) => (l ? `> ${l}` : '>')), '');
    lines.push(m.content || (m.status === 'complete' ? '' : `*(${m.status}${m.error ? `: ${m.error}` : ''})*`), '');
    if (m.attachments.length) {
      const names = m.attachments.map((a) => (a.pages ? t('transfer:markdown.withPages', { name: a.name, count: a.pages }) : a.name)).join(', ');
      lines.push(`*${t('transfer:markdown.attached', { names })}*`, '');
    }
  }
  return lines.join('\n');
}

/** A download name of plain ASCII: `mistralchat-<title words>-<date>.<ext>`. */
export function downloadName(title: string | null, ext: 'md' | 'json', at = new Date()): string {
  // Linear: one pass of a character class over at most 400 characters.
  const words = (title ?? '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().slice(0, 400)
    .split(/[^a-z0-9]+/).filter(Boolean).join('-').slice(0, 60).replace(/-+$/, '');
  return `mistralchat-${words || 'chat'}-${at.toISOString().slice(0, 10)}.${ext}`;
}

export const attachment = (name: string) => `attachment; filename="${name}"`;
