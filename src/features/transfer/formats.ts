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

export const UNKNOWN_FORMAT = 'This file is not one we can import: expected a MistralChat export (JSON), a ChatGPT conversations.json or an Open WebUI chat export.';

/** Parses the text of a file; `JSON.parse` errors become a sentence. */
export function parseImportText(text: string): unknown {
  const t = text.replace(/^\uFEFF/, '');
  if (!t.trim()) throw new ImportError('The file is empty.');
  try {
    return JSON.parse(t);
  } catch (err) {
    throw new ImportError(`The file is not valid JSON (${(err as Error).message.slice(0, 120)}).`);
  }
}

export function detectFormat(data: unknown): ImportFormat {
  if (isObject(data) && data.format === EXPORT_FORMAT) return 'mistralchat';
  const first = Array.isArray(data) ? data[0] : data;
  if (!isObject(first)) throw new ImportError(Array.isArray(data) && !data.length ? 'The file holds no conversations.' : UNKNOWN_FORMAT);
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
    throw new ImportError(`The file holds ${list.length} conversations; one import may hold at most ${limits.maxConversations}.`, 413);
  }
  let messages = 0;
  const threads: ImportThread[] = [];
  list.forEach((item, i) => {
    const t = format === 'mistralchat' ? readOurThread(item, i) : format === 'chatgpt' ? readChatGpt(item, i) : readOpenWebUi(item, i);
    messages += t.messages.length;
    if (messages > limits.maxMessages) throw new ImportError(`The file holds more than ${limits.maxMessages} messages, the most one import may hold.`, 413);
    threads.push({ ...t, messages: parentsFirst(t.messages, conversationName(i, t.title)) });
  });
  if (!threads.length) throw new ImportError('The file holds no conversations.');
  return { format, threads };
}

function ourThreads(doc: Record<string, unknown>): unknown[] {
  if (typeof doc.version !== 'number' || doc.version > EXPORT_VERSION) {
    throw new ImportError(`This MistralChat export has version ${JSON.stringify(doc.version)}; this server reads version ${EXPORT_VERSION}.`);
  }
  if (isObject(doc.thread)) return [doc.thread];
  if (Array.isArray(doc.threads)) return doc.threads;
  throw new ImportError('This MistralChat export has neither “thread” nor “threads”.');
}

const STATUSES: MessageStatus[] = ['pending', 'streaming', 'complete', 'stopped', 'error', 'interrupted'];
const ROLES = ['user', 'assistant', 'system'] as const;

function readOurThread(item: unknown, i: number): ImportThread {
  if (!isObject(item)) throw new ImportError(`${conversationName(i, null)} is not an object.`);
  const where = conversationName(i, item.title);
  const bad = (field: string, what: string): never => { throw new ImportError(`${where}: ${field} ${what}.`); };
  const optString = (v: unknown, field: string, max: number) => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') return bad(field, 'is not text');
    if (v.length > max) return bad(field, `is longer than ${max} characters`);
    return v;
  };
  if (!Array.isArray(item.messages)) bad('“messages”', 'is missing or not a list');
  const messages = (item.messages as unknown[]).map((m, j): ImportMessage => {
    const field = (name: string) => `message ${j + 1}’s “${name}”`;
    if (!isObject(m)) return bad(`message ${j + 1}`, 'is not an object');
    if (typeof m.id !== 'number' && typeof m.id !== 'string') bad(field('id'), 'is missing');
    if (m.parentId !== null && m.parentId !== undefined && typeof m.parentId !== 'number' && typeof m.parentId !== 'string') bad(field('parentId'), 'is not an id');
    if (!ROLES.includes(m.role as never)) bad(field('role'), 'is not user, assistant or system');
    if (typeof m.content !== 'string') bad(field('content'), 'is not text');
    const status = (m.status ?? 'complete') as MessageStatus;
    if (!STATUSES.includes(status)) bad(field('status'), 'is not a known status');
    const createdAt = readTime(m.createdAt);
    if (!createdAt) bad(field('createdAt'), 'is not a time');
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
  if (currentKey !== null && !messages.some((m) => m.key === currentKey)) bad('“currentLeafId”', 'is not one of its messages');
  return {
    title: cleanImportedTitle(item.title), titleSetByUser: item.titleSetByUser === true, model: modelName(item.model),
    context: optString(item.context, '“context”', 20_000), thinkHarder: item.thinkHarder === true,
    createdAt, updatedAt: readTime(item.updatedAt) ?? createdAt, currentKey, messages,
  };
}
