// The JSON API for threads and answers (Bearer token or cookie). Another user's ids are 404, like everywhere.
import { Router, type Request, type Response } from 'express';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/errors.ts';
import { messageIdParam, MESSAGES_PER_PAGE, positiveInt, threadIdParam, toHttpError, userOf, type ChatRouteDeps } from '../chat/chat.context.ts';
import { findOwnMessage, sendMessage, staleBefore, stopAnswer } from '../chat/chat.service.ts';
import type { Message } from '../chat/messages.repo.ts';
import { pagePath, siblingsOf, type Siblings } from '../chat/branches.repo.ts';
import { editMessage, regenerateAnswer, showBranch } from '../chat/branches.service.ts';
import { jsonFormatter, parseOffsets, sourceFor, streamEvents, type SseTiming } from '../chat/sse.ts';
import { createThread, decodeCursor, findThread, listFirstPage, listThreads, markThreads, updateThread, type Thread, type ThreadInput } from '../threads/threads.repo.ts';
import { cleanTitle, idsOf, removeThread, removeThreads, ThreadInputError, THREADS_PER_PAGE } from '../threads/threads.service.ts';
import { checkModelId, SettingsInputError } from '../settings/settings-input.ts';
import { filesOf } from '../chat/chat.controller.ts';
import { urlFor, type UrlFor } from '../../http/base-path.ts';
import { checkTools } from '../../lib/tools.ts';
import { getSettings } from '../settings/settings.repo.ts';
import { tr, type Translatable } from '../../i18n/text.ts';

export const JSON_SSE_TIMING: SseTiming = { heartbeatMs: 15_000, pollMs: 500, minIntervalMs: 50 };

export const threadJson = (t: Thread) => ({ id: t.id, title: t.title, titleSetByUser: t.titleSetByUser, model: t.model, context: t.context, thinkHarder: t.thinkHarder, tools: t.tools, createdAt: t.createdAt, updatedAt: t.updatedAt,
  // Organise (issue 15): a temporary chat's temporaryUntil is when it is deleted (null for a kept one).
  pinned: Boolean(t.pinnedAt), archived: Boolean(t.archivedAt), temporary: Boolean(t.temporaryUntil), temporaryUntil: t.temporaryUntil });
/** `siblings`: the message's versions (its parent's children, 1-based index); where not read, just itself. */
export const messageJson = (m: Message, siblings: Siblings = { index: 1, count: 1, ids: [m.id] }, url?: UrlFor) => ({ id: m.id, parentId: m.parentId, siblings, role: m.role, content: m.content, thinking: m.thinking, status: m.status, error: m.error, model: m.model, usage: m.usage, createdAt: m.createdAt, attachments: attachmentsJson(m, url), steps: m.steps, sources: m.sources });

/** A question's files: `url` the bytes, `thumbnailUrl` an image's thumbnail, `pages` a document's (BASE_PATH included). */
export const attachmentsJson = (m: Message, url: UrlFor = (p) => p) => m.attachments.map((a) => ({
  id: a.id, name: a.name, type: a.mime, size: a.size, kind: a.kind, url: url(`/files/${a.id}`),
  ...(a.kind === 'image' ? { thumbnailUrl: url(`/files/${a.id}/thumbnail`) } : {}), ...(a.pages != null ? { pages: a.pages } : {}),
}));

type ApiThreadInput = ThreadInput & { titleSetByUser?: boolean; pinned?: boolean; archived?: boolean };

/** title, model and context from a JSON body: strings (or null to clear model/context), within limits. */
function threadInput(body: unknown): ApiThreadInput {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const out: ApiThreadInput = {};
  // Languages (issue 17): each field's message is a Text, said in the reader's language (error.code is unchanged).
  const fields: Record<string, Translatable> = {};
  // Organise (issue 15): pinned and archived (PATCH), temporary (POST, a new thread only).
  for (const k of ['pinned', 'archived', 'temporary'] as const) {
    if (b[k] === undefined) continue;
    if (typeof b[k] === 'boolean') out[k] = b[k]; else fields[k] = tr('api:field.boolean', { name: k });
  }
  try {
    if (b.title !== undefined) { out.title = cleanTitle(b.title); out.titleSetByUser = true; }
  } catch (err) {
    if (err instanceof ThreadInputError) fields.title = err.message; else throw err;
  }
  if (b.model !== undefined) {
    // The same rule as the settings page and the thread menu (settings-input.ts).
    try {
      out.model = b.model === null ? null : checkModelId(b.model);
    } catch (err) {
      if (err instanceof SettingsInputError) fields.model = err.text; else throw err;
    }
  }
  if (b.context !== undefined) {
    if (b.context === null || (typeof b.context === 'string' && b.context.length <= 20_000)) out.context = (b.context as string | null) || null;
    else fields.context = tr('api:field.context', { max: 20_000 });
  }
  if (b.thinkHarder !== undefined) {
    if (typeof b.thinkHarder === 'boolean') out.thinkHarder = b.thinkHarder;
    else fields.thinkHarder = tr('api:field.boolean', { name: 'thinkHarder' });
  }
  // Mistral's built-in connectors (issue 14): a list of names; an empty list switches them all off.
  if (b.tools !== undefined) {
    const tools = checkTools(b.tools);
    if (typeof tools === 'string') fields.tools = tools; else out.tools = tools;
  }
  if (Object.keys(fields).length) throw new HttpError(422, tr('api:invalid'), undefined, fields);
  return out;
}

export function threadsApiRoutes(d: ChatRouteDeps) {
  const r = Router();
  // Files' URLs carry BASE_PATH, like every URL the API gives.
  const url = urlFor(d.config.basePath);
  const asJson = (m: Message, siblings?: Siblings) => messageJson(m, siblings, url);
  /** The thread and a page of its shown path (the latest messages, or those before `before`), with their versions. */
  const shownPathJson = async (t: Thread, before?: number) => {
    const { messages, hasOlder, siblings } = await pagePath(d.db, t, { beforeId: before, limit: MESSAGES_PER_PAGE });
    return { thread: threadJson(t), messages: messages.map((m) => asJson(m, siblings.get(m.id))), hasOlder };
  };
  const own = async (req: Request) => {
    const t = await findThread(d.db, userOf(req).id, threadIdParam(req));
    if (!t) throw new HttpError(404, tr('api:noSuchConversation'));
    return t;
  };

  r.get('/api/thread', requireUser, async (req, res) => {
    // ?archived=true: the archived ones. Otherwise the first page starts with the pinned ones (the cursor pages the rest).
    const archived = req.query.archived === 'true';
    const cursor = decodeCursor(req.query.cursor);
    const { threads, nextCursor, pinned } = archived || cursor
      ? { ...await listThreads(d.db, userOf(req).id, { cursor, limit: THREADS_PER_PAGE, archived }), pinned: [] }
      : await listFirstPage(d.db, userOf(req).id, THREADS_PER_PAGE);
    res.json({ threads: [...pinned, ...threads].map(threadJson), nextCursor });
  });
  // Bulk delete: {ids}; only the caller's own threads go (anyone else's ids are ignored), `deleted` says how many.
  r.post('/api/thread/delete', requireUser, async (req, res) => {
    const ids = req.body?.ids;
    if (!Array.isArray(ids) || !ids.length || ids.length > 500) throw new HttpError(422, tr('api:invalid'), undefined, { ids: tr('api:field.ids', { max: 500 }) });
    res.json({ deleted: await removeThreads(d.db, userOf(req).id, idsOf(ids)) });
  });
  r.post('/api/thread', requireUser, async (req, res) => {
    const body = { ...req.body };
    // A multipart form's fields are strings.
    if (typeof body.thinkHarder === 'string') body.thinkHarder = body.thinkHarder === 'true';
    if (typeof body.temporary === 'string') body.temporary = body.temporary === 'true';
    const { pinned: _p, archived: _a, ...input } = threadInput(body);
    if (body.content === undefined) {
      // Like a new chat on the web, a thread starts with the user's default tools unless the body names its own.
      const tools = input.tools ?? (await getSettings(d.db, userOf(req).id)).defaultTools;
      return void res.status(201).json({ thread: threadJson(await createThread(d.db, userOf(req).id, { ...input, tools })) });
    }
    // With `content` (and `files`), the thread is created by its first message, as the web's new chat is.
    const sendKey = req.get('Idempotency-Key') ?? body.idempotencyKey;
    const { thread, message, reply } = await sendMessage(d, userOf(req).id, null, body.content, { sendKey, thread: input, files: filesOf(req, res) }).catch((e) => { throw toHttpError(e); });
    res.status(201).json({ thread: threadJson(thread), message: asJson(message), reply: asJson(reply) });
  });
  r.get('/api/thread/:id', requireUser, async (req, res) => {
    const t = await own(req);
    res.json(await shownPathJson(t, positiveInt(req.query.before)));
  });
  r.patch('/api/thread/:id', requireUser, async (req, res) => {
    const t = await own(req);
    const { pinned, archived, temporary, ...input } = threadInput(req.body);
    if (temporary !== undefined) throw new HttpError(422, tr('api:invalid'), undefined, { temporary: tr('api:field.temporary') });
    if ((pinned !== undefined || archived !== undefined) && t.temporaryUntil) {
      throw new HttpError(409, tr('api:temporaryNotListed'));
    }
    if (pinned !== undefined) await markThreads(d.db, userOf(req).id, [t.id], 'pinned_at', pinned);
    if (archived !== undefined) await markThreads(d.db, userOf(req).id, [t.id], 'archived_at', archived);
    const updated = await updateThread(d.db, userOf(req).id, t.id, input);
    res.json({ thread: threadJson(updated!) });
  });
  r.delete('/api/thread/:id', requireUser, async (req, res) => {
    if (!(await removeThread(d.db, userOf(req).id, threadIdParam(req)))) throw new HttpError(404, tr('api:noSuchConversation'));
    res.status(204).end();
  });
  r.post('/api/thread/:id/messages', requireUser, async (req, res) => {
    const t = await own(req);
    // Idempotency-Key (or idempotencyKey in the body): a repeat gives the first send's result.
    const sendKey = req.get('Idempotency-Key') ?? req.body?.idempotencyKey;
    // JSON, or multipart/form-data with `content` and `files` (src/http/multipart.ts).
    const { message, reply } = await sendMessage(d, userOf(req).id, t.id, req.body?.content, { sendKey, after: req.body?.after, files: filesOf(req, res), found: t }).catch((e) => { throw toHttpError(e); });
    res.status(202).json({ message: asJson(message), reply: asJson(reply) });
  });
  r.post('/api/thread/:id/messages/:messageId/edit', requireUser, async (req, res) => {
    const { message, reply } = await editMessage(d, userOf(req).id, threadIdParam(req), messageIdParam(req), req.body?.content).catch((e) => { throw toHttpError(e); });
    const siblings = await siblingsOf(d.db, message.threadId, [message, reply]);
    res.status(202).json({ message: asJson(message, siblings.get(message.id)), reply: asJson(reply, siblings.get(reply.id)) });
  });
  r.post('/api/thread/:id/messages/:messageId/regenerate', requireUser, async (req, res) => {
    const { reply } = await regenerateAnswer(d, userOf(req).id, threadIdParam(req), messageIdParam(req), req.body?.model).catch((e) => { throw toHttpError(e); });
    const siblings = await siblingsOf(d.db, reply.threadId, [reply]);
    res.status(202).json({ reply: asJson(reply, siblings.get(reply.id)) });
  });
  r.post('/api/thread/:id/branch', requireUser, async (req, res) => {
    const t = await showBranch(d, userOf(req).id, threadIdParam(req), req.body?.messageId).catch((e) => { throw toHttpError(e); });
    res.json(await shownPathJson(t));
  });
  r.get('/api/thread/:id/messages/:messageId/events', requireUser, async (req: Request, res: Response) => {
    const { message } = await findOwnMessage(d, userOf(req).id, threadIdParam(req), messageIdParam(req)).catch((e) => { throw toHttpError(e); });
    const from = parseOffsets(req.get('Last-Event-ID')) ?? parseOffsets(req.query.after) ?? { thinking: 0, text: 0 };
    await streamEvents(req, res, { source: sourceFor(d.generations, d.db, message.id, JSON_SSE_TIMING.pollMs, () => staleBefore(d.config)), from, format: jsonFormatter(), timing: JSON_SSE_TIMING });
  });
  r.post('/api/thread/:id/messages/:messageId/stop', requireUser, async (req, res) => {
    const m = await stopAnswer(d, userOf(req).id, threadIdParam(req), messageIdParam(req)).catch((e) => { throw toHttpError(e); });
    res.json({ message: asJson(m) });
  });
  return r;
}
