// Reads an uploaded file into conversations: our own export, a ChatGPT conversations.json or an Open WebUI chat
// export, told apart by their shape. Nothing is stored here; any problem is an ImportError that names the
// conversation (index and title) and the field.
import { isFinal, type MessageStatus } from '../chat/messages.repo.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from './export.ts';
import { readChatGpt, readOpenWebUi } from './foreign-formats.ts';
import {
  cleanImportedTitle, conversationName, ImportError, isObject, modelName, parentsFirst, readTime, readUsage,
  type ImportFormat, type ImportLimits, type ImportMessage, type ImportThread,
} from './import-model.ts';
import { tr, type Text } from '../../i18n/text.ts';

export const UNKNOWN_FORMAT = tr('transfer:file.unknownFormat');

/** Parses the text of a file; `JSON.parse` errors become a sentence. */
export function parseImportText(text: string): unknown {
  const t = text.replace(/^\uFEFF/, '');
  if (!t.trim()) throw new ImportError(tr('transfer:file.empty'));
  try {
    return JSON.parse(t);
  } catch (err) {
    throw new ImportError(tr('transfer:file.notJson', { reason: (err as Error).message.slice(0, 120) }));
  }
}

export function detectFormat(data: unknown): ImportFormat {
  if (isObject(data) && data.format === EXPORT_FORMAT) return 'mistralchat';
  const first = Array.isArray(data) ? data[0] : data;
  if (!isObject(first)) throw new ImportError(Array.isArray(data) && !data.length ? tr('transfer:file.noConversations') : UNKNOWN_FORMAT);
  if (isObject(first.mapping)) return 'chatgpt';
  const chat = isObject(first.chat) ? first.chat : first;
  if (isObject(chat.history) || Array.isArray(chat.messages)) return 'openwebui';
  throw new ImportError(UNKNOWN_FORMAT);
}

/** The conversations in the file, checked against the limits before any is read in full. */
export function readImport(data: unknown, limits: ImportLimits): { format: ImportFormat; threads: ImportThread[] } {
  const format = detectFormat(data);
  const list = format === 'mistralchat' ? ourThreads(data as Record<string, unknown>) : Array.isArray(data) ? data : [data];
  if (list.length > limits.maxConversations) {
    throw new ImportError(tr('transfer:file.tooManyConversations', { count: list.length, max: limits.maxConversations }), 413);
  }
  let messages = 0;
  const threads: ImportThread[] = [];
  list.forEach((item, i) => {
    const t = format === 'mistralchat' ? readOurThread(item, i) : format === 'chatgpt' ? readChatGpt(item, i) : readOpenWebUi(item, i);
    messages += t.messages.length;
    if (messages > limits.maxMessages) throw new ImportError(tr('transfer:file.tooManyMessages', { max: limits.maxMessages }), 413);
    threads.push({ ...t, messages: parentsFirst(t.messages, conversationName(i, t.title)) });
  });
  if (!threads.length) throw new ImportError(tr('transfer:file.noConversations'));
  return { format, threads };
}

function ourThreads(doc: Record<string, unknown>): unknown[] {
  if (typeof doc.version !== 'number' || doc.version > EXPORT_VERSION) {
    throw new ImportError(tr('transfer:file.version', { version: JSON.stringify(doc.version), ours: EXPORT_VERSION }));
  }
  if (isObject(doc.thread)) return [doc.thread];
  if (Array.isArray(doc.threads)) return doc.threads;
  throw new ImportError(tr('transfer:file.noThreads'));
}

const STATUSES: MessageStatus[] = ['pending', 'streaming', 'complete', 'stopped', 'error', 'interrupted'];
const ROLES = ['user', 'assistant', 'system'] as const;

function readOurThread(item: unknown, i: number): ImportThread {
  if (!isObject(item)) throw new ImportError(tr('transfer:bad.notObject', { where: conversationName(i, null) }));
  const where = conversationName(i, item.title);
  // "{{where}}: {{field}} {{what}}.", each part a Text: the field ("message 2’s “role”") and what is wrong with it.
  const bad = (field: Text, what: Text): never => { throw new ImportError(tr('transfer:bad.field', { where, field, what })); };
  const named = (name: string) => tr('transfer:field.named', { name });
  const optString = (v: unknown, field: Text, max: number) => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') return bad(field, tr('transfer:what.notText'));
    if (v.length > max) return bad(field, tr('transfer:what.tooLong', { max }));
    return v;
  };
  if (!Array.isArray(item.messages)) bad(named('messages'), tr('transfer:what.missingOrNotList'));
  const messages = (item.messages as unknown[]).map((m, j): ImportMessage => {
    const field = (name: string) => tr('transfer:field.ofMessage', { n: j + 1, name });
    if (!isObject(m)) return bad(tr('transfer:field.message', { n: j + 1 }), tr('transfer:what.notObject'));
    if (typeof m.id !== 'number' && typeof m.id !== 'string') bad(field('id'), tr('transfer:what.missing'));
    if (m.parentId !== null && m.parentId !== undefined && typeof m.parentId !== 'number' && typeof m.parentId !== 'string') bad(field('parentId'), tr('transfer:what.notId'));
    if (!ROLES.includes(m.role as never)) bad(field('role'), tr('transfer:what.notRole'));
    if (typeof m.content !== 'string') bad(field('content'), tr('transfer:what.notText'));
    const status = (m.status ?? 'complete') as MessageStatus;
    if (!STATUSES.includes(status)) bad(field('status'), tr('transfer:what.notStatus'));
    const createdAt = readTime(m.createdAt);
    if (!createdAt) bad(field('createdAt'), tr('transfer:what.notTime'));
    return {
      key: String(m.id), parentKey: m.parentId === null || m.parentId === undefined ? null : String(m.parentId),
      role: m.role as ImportMessage['role'], content: m.content as string, thinking: optString(m.thinking, field('thinking'), 16_000_000),
      // An answer exported while it was being written has no job here: it is kept as interrupted (retryable).
      status: isFinal(status) ? status : 'interrupted', error: optString(m.error, field('error'), 10_000),
      model: modelName(m.model), usage: readUsage(m.usage), createdAt: createdAt!,
    };
  });
  const createdAt = readTime(item.createdAt) ?? messages[0]?.createdAt ?? new Date();
  const leaf = item.currentLeafId;
  const currentKey = leaf === null || leaf === undefined ? null : String(leaf);
  if (currentKey !== null && !messages.some((m) => m.key === currentKey)) bad(named('currentLeafId'), tr('transfer:what.notItsMessage'));
  return {
    title: cleanImportedTitle(item.title), titleSetByUser: item.titleSetByUser === true, model: modelName(item.model),
    context: optString(item.context, named('context'), 20_000), thinkHarder: item.thinkHarder === true,
    createdAt, updatedAt: readTime(item.updatedAt) ?? createdAt, currentKey, messages,
  };
}
