// What every import format is read into before anything is stored, and the errors that name what was wrong.
import { HttpError } from '../../http/http-error.ts';
import { tr, type Text } from '../../i18n/text.ts';
import type { MessageStatus, Usage } from '../chat/messages.repo.ts';

export type ImportMessage = {
  /** The message's id in the file (unique within its conversation); parentKey names another one, or null. */
  key: string; parentKey: string | null;
  role: 'user' | 'assistant' | 'system'; content: string; thinking: string | null; status: MessageStatus; error: string | null;
  model: string | null; usage: Usage | null; createdAt: Date;
};
export type ImportThread = {
  title: string | null; titleSetByUser: boolean; model: string | null; context: string | null; thinkHarder: boolean;
  createdAt: Date; updatedAt: Date;
  /** The message the thread shows (the format's current node), or null: its newest. */
  currentKey: string | null;
  messages: ImportMessage[];
};
export type ImportLimits = { maxConversations: number; maxMessages: number };
export type ImportFormat = 'mistralchat' | 'chatgpt' | 'openwebui';

/** A file we cannot import, and why (422; 413 for a limit). The text is a catalogue Text (transfer namespace). */
export class ImportError extends HttpError {
  constructor(message: Text, status = 422) {
    super(status, message, status === 413 ? 'too_large' : 'invalid_import');
  }
}

/** "Conversation 3 (“Title”)": how errors name a conversation (1-based, as a person counts). */
export function conversationName(index: number, title: unknown): Text {
  const t = typeof title === 'string' ? title.trim().slice(0, 60) : '';
  return t ? tr('transfer:where.titled', { n: index + 1, title: t }) : tr('transfer:where.conversation', { n: index + 1 });
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A title of at most 200 characters on one line, or null. */
export function cleanImportedTitle(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.slice(0, 2000).replace(/\s+/g, ' ').trim().slice(0, 200);
  return t || null;
}

/** Seconds (ChatGPT, Open WebUI) or milliseconds since the epoch, or an ISO string; null when absent or unreadable. */
export function readTime(v: unknown, unit: 's' | 'auto' = 'auto'): Date | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    const ms = unit === 's' || v < 1e11 ? v * 1000 : v;
    const d = new Date(Math.round(ms));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (typeof v === 'string' && v.length <= 40) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** A model name as stored (100 characters at most), or null. */
export const modelName = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 100) : null);

/** Token counts in our shape from ours ({promptTokens…}) or OpenAI's ({prompt_tokens…}); null when there are none. */
export function readUsage(v: unknown): Usage | null {
  if (!isObject(v)) return null;
  const n = (a: unknown, b: unknown) => (typeof a === 'number' && Number.isFinite(a) ? a : typeof b === 'number' && Number.isFinite(b) ? b : undefined);
  const u: Usage = {};
  const p = n(v.promptTokens, v.prompt_tokens); if (p !== undefined) u.promptTokens = p;
  const c = n(v.completionTokens, v.completion_tokens); if (c !== undefined) u.completionTokens = c;
  const t = n(v.totalTokens, v.total_tokens); if (t !== undefined) u.totalTokens = t;
  return Object.keys(u).length ? u : null;
}

/**
 * The messages in an order where every parent comes before its children, siblings and unrelated messages by time
 * (then by their order in the file), so the stored ids keep the file's order of versions. A parent that is not in the
 * conversation, or a loop, is an error naming the message.
 */
export function parentsFirst(messages: ImportMessage[], where: Text): ImportMessage[] {
  const byKey = new Map<string, ImportMessage>();
  for (const m of messages) {
    if (byKey.has(m.key)) throw new ImportError(tr('transfer:bad.sameId', { where, id: m.key.slice(0, 80) }));
    byKey.set(m.key, m);
  }
  for (const m of messages) {
    if (m.parentKey !== null && !byKey.has(m.parentKey)) throw new ImportError(tr('transfer:bad.parentMissing', { where, id: m.key.slice(0, 80), parent: m.parentKey.slice(0, 80) }));
  }
  const sorted = messages.map((m, i) => ({ m, i })).sort((a, b) => a.m.createdAt.getTime() - b.m.createdAt.getTime() || a.i - b.i).map((x) => x.m);
  const out: ImportMessage[] = [];
  const placed = new Set<string>();
  const waiting = new Map<string, ImportMessage[]>();
  const place = (first: ImportMessage) => {
    const stack = [first];
    while (stack.length) {
      const m = stack.shift()!;
      out.push(m);
      placed.add(m.key);
      const kids = waiting.get(m.key);
      if (kids) { waiting.delete(m.key); stack.unshift(...kids); }
    }
  };
  for (const m of sorted) {
    if (m.parentKey === null || placed.has(m.parentKey)) place(m);
    else waiting.set(m.parentKey, [...(waiting.get(m.parentKey) ?? []), m]);
  }
  if (out.length !== messages.length) {
    const stuck = messages.find((m) => !placed.has(m.key))!;
    throw new ImportError(tr('transfer:bad.loop', { where, id: stuck.key.slice(0, 80) }));
  }
  return out;
}
