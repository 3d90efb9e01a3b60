// Edit, regenerate and switch branches. Like chat.service.ts, it knows nothing of HTTP: results or ChatError.
import { findThread, type Thread } from '../threads/threads.repo.ts';
import { getSettings } from '../settings/settings.repo.ts';
import { SettingsInputError } from '../settings/settings-input.ts';
import { latestLeafUnder, rememberLeaf } from './branches.repo.ts';
import { ChatError, checkSendRate, checkSpend, findOwnMessage, staleBefore, validateContent, BUSY_SENDING, type ChatDeps } from './chat.service.ts';
import { insertAnswer, insertExchange, isFinal, type Message } from './messages.repo.ts';
import { chooseModelRequest } from './model-choice.ts';
import { newChatModel } from './new-chat-model.ts';
import { tr } from '../../i18n/text.ts';

/**
 * Edit: the new text becomes a sibling of the question (same parent) with a new answer, and the thread shows it;
 * the original question and everything after it stay, as another branch. The files of the question go with the edit.
 */
export async function editMessage(d: ChatDeps, userId: number, threadId: string, messageId: number, rawContent: unknown): Promise<{ thread: Thread; message: Message; reply: Message }> {
  const { thread, message } = await findOwnMessage(d, userId, threadId, messageId);
  if (message.role !== 'user') throw new ChatError('not_found', tr('chat:error.noMessage'));
  const content = validateContent(d.config, rawContent);
  const choice = await chooseModelRequest({ db: d.db, config: d.config, thread });
  await checkSpend(d, userId, choice);
  await checkSendRate(d, userId);
  // The edited question keeps the original's files (the same files, linked again).
  const exchange = await insertExchange(d.db, thread.id, content, choice.model, { staleBefore: staleBefore(d.config), place: { parentId: message.parentId }, files: message.attachments });
  if (!exchange) throw new ChatError('busy', BUSY_SENDING);
  d.generations.start(thread, exchange.reply, choice);
  return { thread, ...exchange };
}

/**
 * Regenerate: a new answer to the same question, a sibling of `messageId`, by the thread's model or `rawModel` (the
 * user's default or one of their fast list, as the new-chat composer offers). The thread shows the new answer.
 */
export async function regenerateAnswer(d: ChatDeps, userId: number, threadId: string, messageId: number, rawModel?: unknown): Promise<{ thread: Thread; reply: Message }> {
  const { thread, message } = await findOwnMessage(d, userId, threadId, messageId);
  if (message.role !== 'assistant' || message.parentId === null) throw new ChatError('not_found', tr('chat:error.noAnswer'));
  if (!isFinal(message.status)) throw new ChatError('busy', BUSY_SENDING);
  let model: string | null;
  try {
    model = newChatModel(d.config, await getSettings(d.db, userId), rawModel);
  } catch (err) {
    if (err instanceof SettingsInputError) throw new ChatError('invalid', err.text);
    throw err;
  }
  // Another model answers this once: the thread keeps its own for what comes next.
  const asked = model ? { ...thread, model } : thread;
  const choice = await chooseModelRequest({ db: d.db, config: d.config, thread: asked });
  await checkSpend(d, userId, choice);
  await checkSendRate(d, userId);
  const reply = await insertAnswer(d.db, thread.id, message.parentId, choice.model, staleBefore(d.config));
  if (!reply) throw new ChatError('busy', BUSY_SENDING);
  d.generations.start(asked, reply, choice);
  return { thread, reply };
}

/** Shows the branch through `messageId` (to its latest message) and remembers it for every device. */
export async function showBranch(d: ChatDeps, userId: number, threadId: string, rawMessageId: unknown): Promise<Thread> {
  const id = typeof rawMessageId === 'number' ? rawMessageId : /^\d{1,15}$/.test(String(rawMessageId ?? '')) ? Number(rawMessageId) : NaN;
  const thread = await findThread(d.db, userId, threadId);
  if (!thread) throw new ChatError('not_found', tr('chat:error.noConversation'));
  const leaf = Number.isSafeInteger(id) ? await latestLeafUnder(d.db, thread.id, id) : null;
  if (leaf === null) throw new ChatError('not_found', tr('chat:error.noMessage'));
  await rememberLeaf(d.db, thread.id, leaf);
  return { ...thread, currentLeafId: leaf };
}
