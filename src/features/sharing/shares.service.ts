// Sharing a thread (a frozen copy of its shown branch behind a secret link) and forking (a new thread from a share,
// or from one of the user's own messages). Services throw HttpError with sentences a person reads.
import { linkFiles } from '../files/files.repo.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';
import { randomToken } from '../../lib/crypto.ts';
import { writeJson } from '../../lib/json.ts';
import { RateLimitedError, takeAttempt } from '../auth/rate-limits.ts';
import { pathTo, pathUp } from '../chat/branches.repo.ts';
import { findUserMessage, isFinal, type Message } from '../chat/messages.repo.ts';
import { findThread, insertThread, newThread, type Thread, type ThreadInput } from '../threads/threads.repo.ts';
import { findOpenShare, insertShare, type Share, type SharedMessage } from './shares.repo.ts';
import { reserveSearchSeq } from '../search/owner.ts';
import { tr } from '../../i18n/text.ts';

export type SharingDeps = { config: Config; db: Db };

export const NO_SUCH_SHARE = tr('sharing:error.noSuchShare');
/** The expiry choices the Share menu offers (days; "never" is none). The API takes any whole number up to a year. */
export const EXPIRY_CHOICES = [1, 7, 30];
export const shareBucket = (userId: number) => `share:user:${userId}`;

const noThread = () => new HttpError(404, tr('sharing:error.noSuchConversation'));

/** `expiresInDays`: absent, null, '' or 'never' for no expiry; else a whole number of days from 1 to 365. */
export function parseExpiry(v: unknown, now = new Date()): Date | null {
  if (v === undefined || v === null || v === '' || v === 'never') return null;
  const days = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    const message = tr('sharing:error.expiry');
    throw new HttpError(422, message, undefined, { expiresInDays: message });
  }
  return new Date(now.getTime() + days * 86_400_000);
}

/**
 * The part of a path a copy keeps: everything final. A live answer is the newest of its branch, so it can only be
 * at the end; it is left out (a share or a fork has what was written, never half an answer).
 */
function finalPart(messages: Message[]): Message[] {
  let end = messages.length;
  while (end > 0 && !isFinal(messages[end - 1].status)) end--;
  return messages.slice(0, end);
}

const toShared = (m: Message): SharedMessage => ({
  role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content, thinking: m.thinking, status: m.status, error: m.error,
  model: m.model, usage: m.usage, createdAt: m.createdAt.toISOString(), ...(m.attachments.length ? { attachments: m.attachments } : {}),
  ...(m.steps.length ? { steps: m.steps } : {}), ...(m.sources.length ? { sources: m.sources } : {}),
});

/** Shares the thread's shown branch as it is now. Returns the share and its code (shown once: only its hash is kept). */
export async function shareThread(d: SharingDeps, userId: number, threadId: string, expiresInDays: unknown): Promise<{ share: Share; code: string }> {
  const thread = await findThread(d.db, userId, threadId);
  if (!thread) throw noThread();
  // Organise (issue 15): a temporary chat goes within the hour; a link to it would soon lead nowhere.
  if (thread.temporaryUntil) throw new HttpError(409, tr('sharing:error.temporary'));
  const expiresAt = parseExpiry(expiresInDays);
  const messages = finalPart((await pathUp(d.db, thread.id, { leafOf: thread.currentLeafId })).messages);
  if (!messages.length) throw new HttpError(409, tr('sharing:error.nothingYet'));
  const max = d.config.shareLimitPerHour;
  if (max > 0) {
    await takeAttempt(d.db, [{ bucket: shareBucket(userId), limit: { max, windowMs: 3_600_000 }, what: tr('errors:rateLimit.sharesPerHour') }]).catch((err) => {
      if (err instanceof RateLimitedError) err.headers['Retry-After'] = String(err.retryAfterSeconds);
      throw err;
    });
  }
  const code = randomToken();
  const share = await insertShare(d.db, {
    threadId: thread.id, userId, code, title: thread.title ?? '', messages: messages.map(toShared),
    lastMessageId: messages[messages.length - 1].id, expiresAt,
  });
  return { share, code };
}

/** A new thread of the user's holding `messages` as one path (oldest first), shown to its end. */
async function copyIntoNewThread(db: Db, userId: number, input: ThreadInput, messages: SharedMessage[]): Promise<Thread> {
  const thread = newThread(userId, input);
  return db.transaction(async (trx) => {
    // The user's row first: see insertExchange (messages.repo.ts).
    const owner = await reserveSearchSeq(trx, userId, messages.length);
    await insertThread(trx, thread);
    const now = new Date();
    let parent: number | null = null;
    for (const m of messages) {
      const [id]: number[] = await trx('messages').insert({
        thread_id: thread.id, search_owner: owner, parent_id: parent, role: m.role, content: m.content, thinking: m.thinking, status: m.status, error: m.error,
        model: m.model, usage: writeJson(m.usage), created_at: new Date(m.createdAt), updated_at: now,
      });
      parent = Number(id);
      // A question's files come along when they are the forker's own (their own chat); another's stay with them.
      const ids = (m.attachments ?? []).map((a) => a.id);
      const own = ids.length ? new Set((await trx('files').whereIn('id', ids).where({ user_id: userId }).select('id')).map((r) => Number(r.id))) : new Set<number>();
      await linkFiles(trx, parent, (m.attachments ?? []).filter((a) => own.has(a.id)));
    }
    await trx('threads').where({ id: thread.id }).update({ current_leaf_id: parent, updated_at: now });
    return { ...thread, currentLeafId: parent, updatedAt: now };
  });
}

/** "Continue in my account": the share's messages become a new thread of the viewer's. */
export async function forkShare(d: SharingDeps, userId: number, code: string): Promise<Thread> {
  const found = await findOpenShare(d.db, code);
  if (!found) throw new HttpError(404, NO_SUCH_SHARE);
  return copyIntoNewThread(d.db, userId, { title: found.share.title === 'New chat' ? null : found.share.title }, found.messages);
}

/** "New chat from here": the path from the thread's first message to `messageId` becomes a new thread, same settings. */
export async function forkThread(d: SharingDeps, userId: number, threadId: string, messageId: unknown): Promise<Thread> {
  const thread = await findThread(d.db, userId, threadId);
  if (!thread) throw noThread();
  const id = typeof messageId === 'number' ? messageId : typeof messageId === 'string' && /^\d{1,15}$/.test(messageId) ? Number(messageId) : NaN;
  const message = Number.isSafeInteger(id) ? await findUserMessage(d.db, userId, thread.id, id) : null;
  if (!message) throw new HttpError(404, tr('sharing:error.noSuchMessage'));
  const messages = finalPart(await pathTo(d.db, thread.id, message.id));
  if (!messages.length) throw new HttpError(409, tr('sharing:error.stillWriting'));
  return copyIntoNewThread(d.db, userId, { title: thread.title, model: thread.model, context: thread.context, thinkHarder: thread.thinkHarder }, messages.map(toShared));
}
