// Edit, regenerate and the ‹ n/m › navigator, for pages and htmx. With JavaScript the thread's messages are swapped
// for the new shown path; without, the forms are plain and answered with redirects (and small pages for the forms).
import type { Request, Response } from 'express';
import { render, wantsFragment } from '../../http/htmx.ts';
import { getSettings } from '../settings/settings.repo.ts';
import type { Thread } from '../threads/threads.repo.ts';
import { editMessage, regenerateAnswer, showBranch } from './branches.service.ts';
import { siblingsOf } from './branches.repo.ts';
import { messageIdParam, threadIdParam, toHttpError, urlOf, userOf, type ChatRouteDeps } from './chat.context.ts';
import { tr } from '../../i18n/text.ts';
import { sayTo } from '../../i18n/negotiate.ts';
import { ChatError, findOwnMessage } from './chat.service.ts';
import type { Message } from './messages.repo.ts';
import { presentMessage } from './present.ts';
import { messagesLocals } from './thread-pages.ts';

const followUrl = (req: Request, threadId: string, replyId: number) => urlOf(req)(`/threads/${threadId}?follow=${replyId}#m-${replyId}`);

/** A message of the user's thread with the role asked for; anything else is not found. */
async function ownMessage(d: ChatRouteDeps, req: Request, role: Message['role']) {
  const found = await findOwnMessage(d, userOf(req).id, threadIdParam(req), messageIdParam(req)).catch((e) => { throw toHttpError(e); });
  if (found.message.role !== role) throw toHttpError(new ChatError('not_found', tr('chat:error.noMessage')));
  return found;
}

/** The model choice for a regeneration: the chat's own model, or the user's default and fast list (as the home composer). */
async function modelChoice(d: ChatRouteDeps, userId: number, thread: Thread) {
  const settings = await getSettings(d.db, userId);
  const defaultModel = settings.defaultModel ?? d.config.mistral.defaultModel;
  return { current: thread.model ?? defaultModel, models: [...new Set([defaultModel, ...settings.fastModels])] };
}

export function branchesController(d: ChatRouteDeps) {
  /** After an edit, a regeneration or a switch: the messages of the path to `leaf` replace the thread's (htmx). */
  async function shownPath(req: Request, res: Response, thread: Thread, leaf: number | null, swap: string) {
    res.set('HX-Retarget', '#messages').set('HX-Reswap', swap);
    render(req, res, 'chat/_messages', { ...await messagesLocals(d, urlOf(req), { ...thread, currentLeafId: leaf }), afterOob: leaf ?? '' });
  }

  async function editForm(req: Request, res: Response, message: Message, extra: { content?: string; error?: string } = {}, status?: number) {
    const url = urlOf(req);
    const base = `/threads/${message.threadId}`;
    render(req, res, 'chat/_edit', {
      title: sayTo(res, tr('chat:edit.title')), asPage: !wantsFragment(req), m: { id: message.id, content: extra.content ?? message.content, error: extra.error },
      action: url(`${base}/messages/${message.id}/edit`), cancelUrl: url(`${base}/messages/${message.id}`), backUrl: url(`${base}#m-${message.id}`),
    }, { status });
  }

  async function regenerateForm(req: Request, res: Response, thread: Thread, message: Message, extra: { chosen?: string; error?: string } = {}, status?: number) {
    const url = urlOf(req);
    render(req, res, 'chat/_regenerate', {
      title: sayTo(res, tr('chat:regenerate.title')), asPage: !wantsFragment(req), m: { id: message.id, model: message.model }, choice: await modelChoice(d, userOf(req).id, thread), ...extra,
      action: url(`/threads/${thread.id}/messages/${message.id}/regenerate`), backUrl: url(`/threads/${thread.id}#m-${message.id}`),
    }, { status });
  }

  return {
    /** GET …/messages/:messageId: the message alone (an edit's Cancel, with htmx); a page goes to it in its thread. */
    async show(req: Request, res: Response) {
      const { thread, message } = await findOwnMessage(d, userOf(req).id, threadIdParam(req), messageIdParam(req)).catch((e) => { throw toHttpError(e); });
      if (!wantsFragment(req)) return res.redirect(302, urlOf(req)(`/threads/${thread.id}#m-${message.id}`));
      const siblings = await siblingsOf(d.db, thread.id, [message]);
      render(req, res, 'chat/_message', { m: presentMessage(message, urlOf(req), d.generations, siblings.get(message.id)) });
    },

    /** GET …/edit: the form in place of the message (htmx), or a page with the form. */
    async editPage(req: Request, res: Response) {
      const { message } = await ownMessage(d, req, 'user');
      await editForm(req, res, message);
    },

    async edit(req: Request, res: Response) {
      const { thread, message } = await ownMessage(d, req, 'user');
      const content = String(req.body?.content ?? '');
      try {
        const { reply } = await editMessage(d, userOf(req).id, thread.id, message.id, req.body?.content);
        if (wantsFragment(req)) return shownPath(req, res, thread, reply.id, 'innerHTML show:window:bottom');
        res.redirect(303, followUrl(req, thread.id, reply.id));
      } catch (err) {
        if (!(err instanceof ChatError) || err.kind === 'not_found') throw toHttpError(err);
        // A refused edit keeps its text: with htmx a busy thread or the rate limit is said in #flash, the form stays.
        if (wantsFragment(req)) {
          if (err.kind === 'busy' || err.kind === 'rate_limited' || err.kind === 'quota_exceeded') throw toHttpError(err);
          res.set('HX-Retarget', `#m-${message.id}`).set('HX-Reswap', 'outerHTML');
        }
        if (err.retryAfterSeconds) res.set('Retry-After', String(err.retryAfterSeconds));
        await editForm(req, res, message, { content, error: sayTo(res, err.text) }, err.kind === 'busy' ? 409 : err.kind === 'rate_limited' || err.kind === 'quota_exceeded' ? 429 : 422);
      }
    },

    /** GET …/regenerate: the choice of model for a new version of the answer. */
    async regeneratePage(req: Request, res: Response) {
      const { thread, message } = await ownMessage(d, req, 'assistant');
      await regenerateForm(req, res, thread, message);
    },

    async regenerate(req: Request, res: Response) {
      const { thread, message } = await ownMessage(d, req, 'assistant');
      try {
        const { reply } = await regenerateAnswer(d, userOf(req).id, thread.id, message.id, req.body?.model);
        if (wantsFragment(req)) return shownPath(req, res, thread, reply.id, 'innerHTML show:window:bottom');
        res.redirect(303, followUrl(req, thread.id, reply.id));
      } catch (err) {
        if (!(err instanceof ChatError) || err.kind === 'not_found' || wantsFragment(req)) throw toHttpError(err);
        if (err.retryAfterSeconds) res.set('Retry-After', String(err.retryAfterSeconds));
        await regenerateForm(req, res, thread, message, { chosen: String(req.body?.model ?? ''), error: sayTo(res, err.text) },
          err.kind === 'busy' ? 409 : err.kind === 'rate_limited' || err.kind === 'quota_exceeded' ? 429 : 422);
      }
    },

    /** POST /threads/:id/branch {messageId}: show the branch through that message, to its latest message. */
    async branch(req: Request, res: Response) {
      // The navigator's buttons name the version in the URL (see chat/_versions); a form or a script may post it.
      const messageId = req.body?.messageId ?? req.query.messageId;
      const thread = await showBranch(d, userOf(req).id, threadIdParam(req), messageId).catch((e) => { throw toHttpError(e); });
      // The messages above the switched one do not change, so the page stays where it is (and htmx keeps the focus
      // on the navigator, whose ids stay the same).
      if (wantsFragment(req)) return shownPath(req, res, thread, thread.currentLeafId, 'innerHTML');
      res.redirect(303, urlOf(req)(`/threads/${thread.id}#m-${Number(messageId)}`));
    },
  };
}
