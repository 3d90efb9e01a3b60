// Sending, stopping and retrying answers. Knows nothing of HTTP: it returns results or throws ChatError.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { findThread, newThread, type Thread, type ThreadInput } from '../threads/threads.repo.ts';
import type { Generations } from './generation.ts';
import {
  findMessage, findUserMessage, insertExchange, interruptAbandoned, isFinal, markStopped, resetForRetry, type Message,
} from './messages.repo.ts';
import { RateLimitedError, sendBucket, takeAttempt } from '../auth/rate-limits.ts';
import { chooseModelRequest } from './model-choice.ts';
import { getSettings } from '../settings/settings.repo.ts';
import { findSent, isDuplicateKey, SEND_KEY_PATTERN } from './send-keys.repo.ts';
import { AttachmentsRefused, gatherAttachments, type FilesInput } from './attachments.ts';
import type { Attachment } from '../files/files.repo.ts';
import type { ModelCatalogue } from '../settings/models.ts';
import type { ModelRequest } from './model-choice.ts';
import { checkQuota, QuotaExceededError, secondsUntil } from '../usage/quota.ts';
import { english, tr, type Translatable } from '../../i18n/text.ts';

export class ChatError extends Error {
  /** The files stored for a refused send (kept for the next try: the composer shows them again). */
  kept: Attachment[] = [];
  // Languages (issue 17): `text` is what the person reads (a catalogue Text, or a string as is); `message` its English.
  constructor(public kind: 'not_found' | 'invalid' | 'too_long' | 'too_large' | 'busy' | 'not_retryable' | 'rate_limited' | 'quota_exceeded', public text: Translatable,
    public retryAfterSeconds?: number) { super(english(text)); }
}

/** Messages per user per minute, counted in the database so the limit holds across instances (0: no limit). */
export async function checkSendRate(d: ChatDeps, userId: number): Promise<void> {
  const max = d.config.sendLimitPerMinute;
  if (!max) return;
  const bucket = sendBucket(userId);
  try {
    // Written first, then counted: simultaneous sends (from several tabs or instances) cannot all slip through.
    await takeAttempt(d.db, [{ bucket, limit: { max, windowMs: 60_000 }, what: tr('errors:rateLimit.messagesPerMinute') }]);
  } catch (err) {
    if (!(err instanceof RateLimitedError)) throw err;
    throw new ChatError('rate_limited', tr('chat:error.sendingTooFast', { max, seconds: err.retryAfterSeconds }), err.retryAfterSeconds);
  }
}

/** A monthly token quota on the server's key (src/features/usage/quota.ts): refused before Mistral is asked. */
export async function checkSpend(d: Pick<ChatDeps, 'db' | 'config'>, userId: number, choice: ModelRequest): Promise<void> {
  try {
    await checkQuota(d.db, d.config, userId, { serverKey: Boolean(choice.serverKey) });
  } catch (err) {
    if (!(err instanceof QuotaExceededError)) throw err;
    throw new ChatError('quota_exceeded', err.message, secondsUntil(err.resetsAt));
  }
}

export type ChatDeps = { db: Db; config: Config; generations: Generations; catalogue?: ModelCatalogue };

export const BUSY_SENDING = tr('chat:error.busySending');

/** Older than this, a live row has no job anywhere: a job saves while text flows and ends at the idle timeout. */
export const staleBefore = (config: Config) => new Date(Date.now() - config.mistral.idleTimeoutMs - 30_000);

export async function recoverThread(d: Pick<ChatDeps, 'db' | 'config'>, threadId: string): Promise<void> {
  await interruptAbandoned(d.db, { threadId }, staleBefore(d.config));
}

export function validateContent(config: Config, raw: unknown): string {
  const content = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n') : '';
  if (!content.trim()) throw new ChatError('invalid', tr('chat:error.empty'));
  if (content.length > config.maxMessageChars) {
    throw new ChatError('too_long', tr('chat:error.tooLong', { length: content.length, max: config.maxMessageChars }));
  }
  return content;
}

export type Sent = { thread: Thread; message: Message; reply: Message; repeated: boolean };

function sendKeyOf(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string' || !SEND_KEY_PATTERN.test(raw)) {
    throw new ChatError('invalid', tr('chat:error.badSendKey'));
  }
  return raw;
}

/** The send a key already made (a double Enter, a resent form, a script's retry), or null. */
async function sentBefore(d: ChatDeps, userId: number, threadId: string | null, key: string): Promise<Sent | null> {
  const sent = await findSent(d.db, userId, key);
  if (!sent) return null;
  if (threadId && sent.threadId !== threadId) {
    throw new ChatError('invalid', tr('chat:error.sentElsewhere'));
  }
  const [thread, message, reply] = await Promise.all([findThread(d.db, userId, sent.threadId), findMessage(d.db, sent.messageId), findMessage(d.db, sent.replyId)]);
  return thread && message && reply ? { thread, message, reply, repeated: true } : null;
}

/**
 * Stores the message and a pending answer together, then starts the answer. A new chat is created by its first
 * message. With a send key, a repeat of the key gives the first send's result (`repeated`) and sends nothing.
 */
/** `model`: a new chat's model, already checked (newChatModel); null or absent, the user's default applies. */
/** `after`: the message the sending page showed last (the composer's `after`); absent or unknown, the shown leaf. */
/** `files`: the send's uploads and kept files (attachments.ts); on a refusal, ChatError.kept holds what was stored. */
export async function sendMessage(d: ChatDeps, userId: number, threadId: string | null, rawContent: unknown,
  opts: { sendKey?: unknown; model?: string | null; after?: unknown; files?: FilesInput; thread?: ThreadInput; found?: Thread } = {}): Promise<Sent> {
  const key = sendKeyOf(opts.sendKey);
  const before = key ? await sentBefore(d, userId, threadId, key) : null;
  if (before) return before;
  let thread: Thread | null;
  if (threadId) {
    // `found`: the caller already read this thread for this request (the JSON API answers its own 404).
    thread = opts.found?.id === threadId && opts.found.userId === userId ? opts.found : await findThread(d.db, userId, threadId);
    if (!thread) throw new ChatError('not_found', tr('chat:error.noConversation'));
  } else {
    // Stored together with the first message, in insertExchange's transaction: no empty "New chat" on a failure.
    // A new chat starts with the user's default tools (issue 14) unless the caller chose its own.
    const tools = opts.thread?.tools ?? (await getSettings(d.db, userId)).defaultTools;
    thread = newThread(userId, { ...opts.thread, model: opts.model ?? opts.thread?.model ?? null, tools });
  }
  const choice = await chooseModelRequest({ db: d.db, config: d.config, thread });
  // Files first: whatever else is refused (an empty text, the rate limit), the files are stored and shown again.
  let files: Attachment[] = [];
  try {
    if (opts.files) files = await gatherAttachments(d, userId, opts.files, choice);
  } catch (err) {
    if (!(err instanceof AttachmentsRefused)) throw err;
    throw Object.assign(new ChatError(err.tooLarge ? 'too_large' : 'invalid', err.text), { kept: err.kept });
  }
  try {
    return await storeExchange(d, thread, threadId, rawContent, key, opts.after, files, choice);
  } catch (err) {
    if (err instanceof ChatError) err.kept = files;
    throw err;
  }
}

async function storeExchange(d: ChatDeps, thread: Thread, threadId: string | null, rawContent: unknown, key: string | null,
  afterRaw: unknown, files: Attachment[], choice: Awaited<ReturnType<typeof chooseModelRequest>>): Promise<Sent> {
  const content = validateContent(d.config, rawContent);
  await checkSpend(d, thread.userId, choice);
  await checkSendRate(d, thread.userId);
  // One answer at a time per thread: the model must see the previous answer before the next question. The check is
  // in insertExchange's transaction, under a lock, and first marks an answer left by a crashed instance interrupted.
  const sendKey = key ? { userId: thread.userId, key } : undefined;
  let exchange: Awaited<ReturnType<typeof insertExchange>>;
  try {
    const after = /^\d{1,15}$/.test(String(afterRaw ?? '')) ? Number(afterRaw) : 'leaf';
    exchange = await insertExchange(d.db, thread.id, content, choice.model, threadId ? { staleBefore: staleBefore(d.config), sendKey, place: { after }, files } : { newThread: thread, sendKey, files });
  } catch (err) {
    // The same key arrived at the same moment: the other request stored the exchange (and waited for it here).
    const first = key && isDuplicateKey(err) ? await sentBefore(d, thread.userId, threadId, key) : null;
    if (first) return first;
    throw err;
  }
  if (!exchange) throw new ChatError('busy', BUSY_SENDING);
  const { message, reply } = exchange;
  d.generations.start(thread, reply, choice);
  return { thread, message, reply, repeated: false };
}

export async function findOwnMessage(d: ChatDeps, userId: number, threadId: string, messageId: number): Promise<{ thread: Thread; message: Message }> {
  const thread = await findThread(d.db, userId, threadId);
  const message = thread && Number.isSafeInteger(messageId) ? await findUserMessage(d.db, userId, threadId, messageId) : null;
  if (!thread || !message) throw new ChatError('not_found', tr('chat:error.noMessage'));
  return { thread, message };
}

/** Stops a live answer (here or, through the database, on another instance) and keeps what arrived. */
export async function stopAnswer(d: ChatDeps, userId: number, threadId: string, messageId: number): Promise<Message> {
  const { message } = await findOwnMessage(d, userId, threadId, messageId);
  const job = d.generations.get(message.id);
  if (job) {
    job.stop('user');
    await job.finished;
  } else if (!isFinal(message.status)) {
    await markStopped(d.db, message.id);
  }
  return (await findOwnMessage(d, userId, threadId, messageId)).message;
}

export async function retryAnswer(d: ChatDeps, userId: number, threadId: string, messageId: number): Promise<{ thread: Thread; reply: Message }> {
  const { thread, message } = await findOwnMessage(d, userId, threadId, messageId);
  const choice = await chooseModelRequest({ db: d.db, config: d.config, thread });
  if (message.role === 'assistant') await checkSpend(d, userId, choice);
  const outcome = message.role === 'assistant' ? await resetForRetry(d.db, thread.id, message.id, choice.model, staleBefore(d.config)) : 'not_retryable';
  if (outcome === 'busy') throw new ChatError('busy', tr('chat:error.busyRetry'));
  if (outcome === 'not_retryable') throw new ChatError('not_retryable', tr('chat:error.notRetryable'));
  const reply = (await findOwnMessage(d, userId, threadId, messageId)).message;
  d.generations.start(thread, reply, choice);
  return { thread, reply };
}
