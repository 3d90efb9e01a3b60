// Import: read the file (formats.ts), then store every conversation in one transaction, so a file is imported
// whole or not at all. Each message gets a new id; its parent is the new id of its parent in the file, and the thread
// shows the format's current message.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { writeJson } from '../../lib/json.ts';
import { takeAttempt } from '../auth/rate-limits.ts';
import { newThread, insertThread } from '../threads/threads.repo.ts';
import { parseImportText, readImport } from './formats.ts';
import { ImportError, type ImportFormat, type ImportThread } from './import-model.ts';
import { reserveSearchSeq } from '../search/owner.ts';
import { tr } from '../../i18n/text.ts';

const HOUR = 60 * 60 * 1000;
export const importBucket = (userId: number) => `import:user:${userId}`;

export type Imported = { format: ImportFormat; threads: Array<{ id: string; title: string | null }> };

/** Stores the conversations for the user in one transaction; returns the new threads in the file's order. */
export async function storeThreads(db: Db, userId: number, threads: ImportThread[]): Promise<Array<{ id: string; title: string | null }>> {
  return db.transaction(async (trx) => {
    const out: Array<{ id: string; title: string | null }> = [];
    for (const t of threads) {
      const thread = { ...newThread(userId), title: t.title, titleSetByUser: t.titleSetByUser, model: t.model, context: t.context, thinkHarder: t.thinkHarder, createdAt: t.createdAt, updatedAt: t.updatedAt };
      // The user's row first: see insertExchange (messages.repo.ts).
      const owner = await reserveSearchSeq(trx, userId, t.messages.length);
      await insertThread(trx, thread);
      const ids = new Map<string, number>();
      for (const m of t.messages) {
        const [id] = await trx('messages').insert({
          thread_id: thread.id, search_owner: owner, parent_id: m.parentKey === null ? null : ids.get(m.parentKey)!, role: m.role, content: m.content,
          thinking: m.thinking, status: m.status, error: m.error, model: m.model, usage: writeJson(m.usage), created_at: m.createdAt, updated_at: m.createdAt,
        });
        ids.set(m.key, Number(id));
      }
      const leaf = t.currentKey === null ? null : ids.get(t.currentKey) ?? null;
      if (leaf !== null) await trx('threads').where({ id: thread.id }).update({ current_leaf_id: leaf });
      out.push({ id: thread.id, title: thread.title });
    }
    return out;
  });
}

/** Size check, rate limit, read and store: what both the form and the JSON API do with an upload. */
export async function importFile(db: Db, config: Config, userId: number, input: { text?: string; data?: unknown; bytes: number }): Promise<Imported> {
  const limits = config.transfer;
  if (input.bytes > limits.maxBytes) throw tooBig(limits.maxBytes);
  if (limits.importsPerHour > 0) {
    await takeAttempt(db, [{ bucket: importBucket(userId), limit: { max: limits.importsPerHour, windowMs: HOUR }, what: tr('errors:rateLimit.imports') }]);
  }
  const data = input.text !== undefined ? parseImportText(input.text) : input.data;
  const { format, threads } = readImport(data, { maxConversations: limits.maxConversations, maxMessages: limits.maxMessages });
  return { format, threads: await storeThreads(db, userId, threads) };
}

export function tooBig(maxBytes: number): ImportError {
  const mb = maxBytes / (1024 * 1024);
  return new ImportError(mb >= 1 ? tr('transfer:file.tooBigMb', { max: Math.round(mb * 10) / 10 }) : tr('transfer:file.tooBigBytes', { max: maxBytes }), 413);
}
