// A short title for a new chat, from a small non-streamed call made while the first answer streams (the call reads
// only the first message). If that call fails or says nothing, the chat is named from its first message, so a chat
// whose first answer failed is not "New chat" forever. A title the user typed is never replaced.
import { Mistral } from '@mistralai/mistralai';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import type { Logger } from '../../http/logger.ts';
import { findThreadById, setGeneratedTitle, type Thread } from '../threads/threads.repo.ts';
import { firstUserMessage } from './messages.repo.ts';
import type { ModelRequest } from './model-choice.ts';
import { countTokens } from '../usage/record.ts';

const PROMPT = 'Name this conversation in at most five words. Answer with the title only: no quotes, no punctuation at the end.';

/** Names an untitled thread; resolves to the title it stored, or null (already titled, or nothing to name it by). */
export async function nameThreadIfNew(deps: { db: Db; config: Config; logger: Logger }, thread: Thread, choice: ModelRequest,
  onError: (err: unknown) => void = () => {}): Promise<string | null> {
  const current = await findThreadById(deps.db, thread.id);
  if (!current || current.title || current.titleSetByUser) return null;
  const first = await firstUserMessage(deps.db, thread.id);
  if (!first) return null;
  let title = '';
  if (choice.apiKey) {
    try {
      const client = new Mistral({ apiKey: choice.apiKey, serverURL: deps.config.mistral.serverUrl });
      const res = await client.chat.complete({
        model: choice.model, maxTokens: 20,
        messages: [{ role: 'system', content: PROMPT }, { role: 'user', content: first.content.slice(0, 2000) }],
      }, { timeoutMs: 20_000, retries: { strategy: 'none' } });
      title = cleanTitle(answerText(res.choices?.[0]?.message?.content));
      // The title call spends tokens too: counted like an answer's, on the same model and key (not as an answer).
      await countTokens(deps, thread.userId, choice, res.usage, false);
    } catch (err) {
      onError(err);
    }
  }
  title ||= cleanTitle(first.content);
  return title && await setGeneratedTitle(deps.db, thread.id, title) ? title : null;
}

/** A plain string, or (reasoning models) an array of parts: the `text` parts are the answer, `thinking` is not. */
export function answerText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((p): p is { type: 'text'; text: string } => p?.type === 'text' && typeof p.text === 'string').map((p) => p.text).join('');
}

export function cleanTitle(raw: string): string {
  // Cut first: a title is at most 80 characters, and /[.!?:;,]+$/ is quadratic on a long run of dots that does not
  // end the line (it retries the run from every dot). On 400 characters that is nothing.
  const line = (raw.split('\n').map((l) => l.trim()).find(Boolean) ?? '').slice(0, 400);
  const words = line.replace(/["'“”‘’*#`]/g, '').replace(/^(title:\s*)/i, '').replace(/[.!?:;,]+$/, '').split(/\s+/).filter(Boolean);
  return words.slice(0, 5).join(' ').slice(0, 80);
}
