// Thread pages and fragments (a part of chat: they show messages): the list, one thread, its older messages, rename and delete.
import type { Request, Response } from 'express';
import { headerLocals } from './thread-config.ts';
import { HttpError } from '../../http/errors.ts';
import { render, wantsFragment } from '../../http/htmx.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { MESSAGES_PER_PAGE, positiveInt, threadIdParam, urlOf, userOf, type ChatRouteDeps } from './chat.context.ts';
import { tr } from '../../i18n/text.ts';
import { sayTo, zoneOf } from '../../i18n/negotiate.ts';
import { recoverThread, staleBefore } from './chat.service.ts';
import { latestLeafUnder, pagePath, pathIdsAfter } from './branches.repo.ts';
import { isFinal } from './messages.repo.ts';
import { presentPath, type AttachmentView } from './present.ts';
import { newSendKey } from './send-keys.repo.ts';
import { followAnswer } from './follow.ts';
import { findThread, type Thread } from '../threads/threads.repo.ts';
import { isGuest } from '../auth/users.repo.ts';
import { settingsOnce, type StoredSettings } from '../settings/settings.repo.ts';
import { removeThread, renameThread, ThreadInputError, threadListView } from '../threads/threads.service.ts';

/** `sendKey`: a fresh one-time key per rendered composer, so a repeated send of this form gives the first result. */
/** `swapNone`: htmx sends it but swaps nothing (the new-chat form: the server answers with HX-Redirect). */
/** `model`: the new-chat composer's model choice (Default plus the fast list); `chosen` and `error` survive a refusal. */
export type Composer = {
  action: string; htmx: boolean; sendKey: string; swapNone?: boolean; content?: string; error?: string;
  /** A thread's composer: the message its page shows last, which a send follows (see messages.repo.ts Placement). */
  after?: number | string;
  model?: { defaultModel: string; models: string[]; chosen: string; error?: string };
  /** Files kept from a refused send: shown again (ticked) so the next send carries them. */
  files?: AttachmentView[];
  /** Dictation (issue 13): where the composer's audio goes to be transcribed into it (views/files/_dictation.ejs). */
  transcribeAction?: string;
  /** Organise (issue 15): a new chat's "Temporary" switch (undefined: a thread's composer, which has none). */
  temporary?: boolean;
};

/** A thread's composer (its page, and a refused send or a dictation re-rendering it). */
export function threadComposer(req: Request, threadId: string, rest: Partial<Composer> = {}): Composer {
  const url = urlOf(req);
  return { action: url(`/threads/${threadId}/messages`), htmx: true, sendKey: newSendKey(), transcribeAction: url(`/threads/${threadId}/transcribe`), ...rest };
}

/** The new-chat composer: like the thread header's model menu, it offers Default (the user's) and the fast list. */
export function newChatComposer(d: ChatRouteDeps, req: Request, settings: StoredSettings, typed: Partial<Composer> & { chosenModel?: string; modelError?: string } = {}): Composer {
  const { chosenModel = '', modelError, temporary = false, ...rest } = typed;
  // A refused choice stays shown (selected, with its error) so the person sees what was sent.
  const models = [...new Set([...settings.fastModels, ...(chosenModel ? [chosenModel] : [])])];
  const defaultModel = settings.defaultModel ?? d.config.mistral.defaultModel;
  return {
    action: urlOf(req)('/threads'), htmx: true, swapNone: true, sendKey: newSendKey(), transcribeAction: urlOf(req)('/transcribe'), ...rest,
    model: { defaultModel, models, chosen: chosenModel, error: modelError }, temporary,
  };
}

/** GET / and a failed send from there: the new-chat composer and the list. */
export async function homePage(d: ChatRouteDeps, req: Request, res: Response, composer: Parameters<typeof newChatComposer>[3] = {}, status?: number): Promise<void> {
  const url = urlOf(req);
  const user = userOf(req);
  const [list, settings] = await Promise.all([threadListView(d.db, url, user.id, {}, new Date(), { zone: zoneOf(res) }), settingsOnce(req, d.db, user.id)]);
  // First run: say whose key answers (the user's, the server's) or that one is needed, before a send fails.
  const keyState = settings.apiKeySealed ? 'own' : d.config.mistral.apiKey ? 'server' : 'none';
  // A guest is told up front that their chats are temporary (GUEST_TTL_HOURS after they arrived).
  const guest = isGuest(user) ? { hours: d.config.guests.ttlHours, until: user.guestExpiresAt! } : null;
  render(req, res, 'home', { title: sayTo(res, tr('home:title')), list, sidebar: list, guest, keyState, composer: newChatComposer(d, req, settings, composer) }, { status });
}

/** The plain link to the page before `oldest`: it opens at its end (#newer), where reading upwards goes on. */
const olderPage = (url: UrlFor, threadId: string, oldest: number) => url(`/threads/${threadId}?before=${oldest}#newer`);

/**
 * An older page (`?before=`, the JavaScript-off "Show older messages") ends with links back instead of the composer:
 * "Newer messages" opens the next 50 at the first one not shown here (the latest page once they fit in it), "Latest
 * messages" the end, where the composer is. Null when nothing is newer: the page is the latest after all.
 */
async function newerLinks(d: ChatRouteDeps, url: UrlFor, thread: Thread, newestShown: number | undefined) {
  const latestUrl = url(`/threads/${thread.id}#latest`);
  // Nothing shown (the page before the first message): the latest messages are the way back.
  if (newestShown === undefined) return { newerUrl: latestUrl, latestUrl };
  const ids = await pathIdsAfter(d.db, thread.id, thread.currentLeafId, newestShown, MESSAGES_PER_PAGE + 1);
  if (!ids.length) return null;
  const threadId = thread.id;
  const page = ids.length > MESSAGES_PER_PAGE ? `?before=${ids[MESSAGES_PER_PAGE]}` : '';
  return { newerUrl: url(`/threads/${threadId}${page}#m-${ids[0]}`), latestUrl };
}

/**
 * `?at=<message>` (a search hit, issue 15): the page that shows that message, on its own branch. The branch is shown,
 * not remembered (a GET writes nothing): its latest page when the message is in it (the composer then sends into that
 * branch, as from any tab showing it), else the page that ends with the message. Anything else: the thread as usual.
 */
async function openAt(d: ChatRouteDeps, thread: Thread, at: number | undefined, before: number | undefined): Promise<{ thread: Thread; before?: number }> {
  if (!at || before) return { thread, before };
  const leaf = await latestLeafUnder(d.db, thread.id, at);
  if (leaf === null) return { thread, before };
  const shown = { ...thread, currentLeafId: leaf };
  const after = await pathIdsAfter(d.db, thread.id, leaf, at, MESSAGES_PER_PAGE);
  return after.length < MESSAGES_PER_PAGE ? { thread: shown } : { thread: shown, before: after[0] };
}

/** `headerExtra`: more locals for the header (a refused rename: its error and the typed title). */
export async function threadPage(d: ChatRouteDeps, req: Request, res: Response, composer: Partial<Composer> = {}, status?: number,
  headerExtra: Record<string, unknown> = {}): Promise<void> {
  const url = urlOf(req);
  const user = userOf(req);
  const found = await findThread(d.db, user.id, threadIdParam(req));
  if (!found) throw new HttpError(404, tr('chat:error.noConversation'));
  const { thread, before } = await openAt(d, found, positiveInt(req.query.at), positiveInt(req.query.before));
  // The sidebar and the header do not depend on the messages: read side by side (on MySQL, on separate connections).
  const [page, sidebar, header] = await Promise.all([
    pagePath(d.db, thread, { beforeId: before, limit: MESSAGES_PER_PAGE }),
    threadListView(d.db, url, user.id, {}, new Date(), { zone: zoneOf(res) }),
    headerLocals(d, req, thread, headerExtra),
  ]);
  let { messages, hasOlder, siblings } = page;
  // An answer left live by a crashed instance is marked interrupted, but that is a write: only when this page shows
  // one that has gone stale (a live answer is the newest of its branch, so the latest page is where it shows).
  if (messages.some((m) => !isFinal(m.status) && m.updatedAt < staleBefore(d.config))) {
    await recoverThread(d, thread.id);
    ({ messages, hasOlder, siblings } = await pagePath(d.db, thread, { beforeId: before, limit: MESSAGES_PER_PAGE }));
  }
  const views = presentPath(messages, url, d.generations, siblings);
  const oldest = messages[0]?.id;
  const newer = before ? await newerLinks(d, url, thread, messages.at(-1)?.id) : null;
  // Without JavaScript, ?follow=<answer> streams that answer into this page while it is written (follow.ts).
  const followId = wantsFragment(req) ? undefined : positiveInt(req.query.follow);
  const followed = followId ? views.find((v) => v.live && v.id === followId) : undefined;
  const locals = {
    ...header, following: Boolean(followed),
    title: thread.title ?? sayTo(res, tr('threads:untitled')), messages: views, sidebar, currentThreadId: thread.id,
    olderUrl: hasOlder ? url(`/threads/${thread.id}/messages?before=${oldest}`) : null,
    olderPageUrl: hasOlder ? olderPage(url, thread.id, oldest!) : null, newer,
    composer: threadComposer(req, thread.id, { after: messages.at(-1)?.id ?? '', ...composer }),
  };
  if (followed && !status) {
    const message = messages.find((m) => m.id === followed.id)!;
    return followAnswer(d, req, res, { message, view: followed, url, page: 'threads/show', locals, title: locals.title, thread });
  }
  render(req, res, 'threads/show', locals, { status });
}

/** The messages of a page of the shown path, for chat/_messages (the loader of older ones, or after a branch changed). */
export async function messagesLocals(d: ChatRouteDeps, url: UrlFor, thread: Thread, beforeId?: number) {
  const { messages, hasOlder, siblings } = await pagePath(d.db, thread, { beforeId, limit: MESSAGES_PER_PAGE });
  const oldest = messages[0]?.id;
  return {
    messages: presentPath(messages, url, d.generations, siblings),
    olderUrl: hasOlder ? url(`/threads/${thread.id}/messages?before=${oldest}`) : null,
    olderPageUrl: hasOlder ? olderPage(url, thread.id, oldest!) : null,
  };
}

export function threadsController(d: ChatRouteDeps) {
  return {
    async index(req: Request, res: Response) {
      const list = await threadListView(d.db, urlOf(req), userOf(req).id, req.query, new Date(), { zone: zoneOf(res) });
      if (wantsFragment(req)) return render(req, res, 'threads/_list', list);
      // The page shows its groups' headings even where a group goes on from the page before; the sidebar keeps the
      // newest conversations (read for every page, see sidebar.ts).
      render(req, res, 'threads/index', { title: sayTo(res, tr('threads:index.title')), list: { ...list, lastGroup: null }, paged: Boolean(req.query.cursor) }, {});
    },
    show: (req: Request, res: Response) => threadPage(d, req, res),
    /** Older messages, for the loader at the top of a thread. */
    async older(req: Request, res: Response) {
      const url = urlOf(req);
      const thread = await findThread(d.db, userOf(req).id, threadIdParam(req));
      if (!thread) throw new HttpError(404, tr('chat:error.noConversation'));
      if (!wantsFragment(req)) return res.redirect(302, url(`/threads/${thread.id}${req.query.before ? `?before=${positiveInt(req.query.before) ?? ''}#newer` : '#latest'}`));
      render(req, res, 'chat/_messages', await messagesLocals(d, url, thread, positiveInt(req.query.before)));
    },
    async rename(req: Request, res: Response) {
      const user = userOf(req);
      const id = threadIdParam(req);
      const thread = await findThread(d.db, user.id, id);
      if (!thread) throw new HttpError(404, tr('chat:error.noConversation'));
      try {
        const updated = await renameThread(d.db, user.id, id, req.body?.title);
        // With the new title out of band: the sidebar entry and the tab's title too.
        if (wantsFragment(req)) return render(req, res, 'threads/_header', { ...await headerLocals(d, req, updated!), renamed: true });
        res.redirect(303, urlOf(req)(`/threads/${id}#latest`));
      } catch (err) {
        if (!(err instanceof ThreadInputError)) throw err;
        const refused = { titleError: sayTo(res, err.text), titleInput: String(req.body?.title ?? '') };
        if (wantsFragment(req)) return render(req, res, 'threads/_header', await headerLocals(d, req, thread, refused), { status: 422 });
        // Without JavaScript: the whole thread page (messages, sidebar), its Rename menu open with the error.
        await threadPage(d, req, res, {}, 422, refused);
      }
    },
    async destroy(req: Request, res: Response) {
      const ok = await removeThread(d.db, userOf(req).id, threadIdParam(req));
      if (!ok) throw new HttpError(404, tr('chat:error.noConversation'));
      const to = urlOf(req)('/');
      if (req.get('HX-Request') === 'true') return void res.set('HX-Redirect', to).status(204).end();
      res.redirect(303, to);
    },
  };
}
