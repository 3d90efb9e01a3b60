// Sending, the answer's event stream, stop and retry, for pages and htmx.
import type { Request, Response } from 'express';
import { render, renderString, wantsFragment } from '../../http/htmx.ts';
import { homePage, newChatComposer, threadComposer, threadPage } from './thread-pages.ts';
import { newChatModel } from './new-chat-model.ts';
import { getSettings } from '../settings/settings.repo.ts';
import { SettingsInputError } from '../settings/settings-input.ts';
import { messageIdParam, newTitleOf, threadIdParam, toHttpError, urlOf, userOf, type ChatRouteDeps } from './chat.context.ts';
import { ChatError, findOwnMessage, retryAnswer, sendMessage, staleBefore, stopAnswer } from './chat.service.ts';
import type { Snapshot } from './generation.ts';
import type { Thread } from '../threads/threads.repo.ts';
import { presentAttachments, presentMessage, withSnapshot } from './present.ts';
import { presentSteps, type Step } from './tool-steps.ts';
import { siblingsOf } from './branches.repo.ts';
import { newSendKey } from './send-keys.repo.ts';
import { htmlFormatter, parseOffsets, sourceFor, streamEvents, type SseTiming } from './sse.ts';
import { uploadsOf } from '../../http/multipart.ts';
import { sayTo } from '../../i18n/negotiate.ts';
import type { FilesInput } from './attachments.ts';

export const HTML_SSE_TIMING: SseTiming = { heartbeatMs: 15_000, pollMs: 500, minIntervalMs: 150 };

const isInputError = (err: unknown): err is ChatError => err instanceof ChatError && (err.kind === 'invalid' || err.kind === 'too_long' || err.kind === 'too_large');
/** A refusal's status: 413 for files over a limit, else 422 (the form is shown again either way). */
const inputStatus = (err: ChatError) => (err.kind === 'too_large' ? 413 : 422);

/** The send's files: its uploads (src/http/multipart.ts) and the ids of files kept from a refused send. */
export function filesOf(req: Request, res: Response): FilesInput {
  const { files, refused } = uploadsOf(res);
  return { uploads: files.filter((f) => f.field === 'files'), refused: refused.filter((r) => r.field !== 'audio'), keep: req.body?.keep };
}

/**
 * Where a plain (JavaScript off) send or retry goes: the thread page that streams the answer in, at that answer
 * (#m-<id>, the newest message, written before its text: a #latest at the page's end would be parsed only once the
 * answer ended, and the page would sit at its top meanwhile).
 */
const followUrl = (req: Request, threadId: string, replyId: number) => urlOf(req)(`/threads/${threadId}?follow=${replyId}#m-${replyId}`);

/** The title an untitled chat got with this answer, as out-of-band swaps (threads/_title-oob), or ''. */
async function newTitle(d: ChatRouteDeps, req: Request, res: Response, shown: Thread, messageId: number): Promise<string> {
  const title = await newTitleOf(d, shown, messageId);
  return title ? renderString(req, res, 'threads/_title-oob', { thread: { id: shown.id, title } }) : '';
}

export function chatController(d: ChatRouteDeps) {
  return {
    /** POST /threads: a new chat, created by its first message. */
    async create(req: Request, res: Response) {
      const content = String(req.body?.content ?? '');
      const chosenModel = String(req.body?.model ?? '');
      // Organise (issue 15): a temporary chat, never listed and deleted an hour after it starts.
      const temporary = req.body?.temporary === 'on';
      const settings = await getSettings(d.db, userOf(req).id);
      try {
        const model = newChatModel(d.config, settings, req.body?.model);
        const { thread, reply } = await sendMessage(d, userOf(req).id, null, req.body?.content, { sendKey: req.body?.sendKey, model, files: filesOf(req, res), thread: temporary ? { temporary } : undefined });
        // With JavaScript the thread page streams the answer over SSE; without, a page that follows it (follow.ts).
        if (req.get('HX-Request') === 'true') return void res.set('HX-Redirect', urlOf(req)(`/threads/${thread.id}#m-${reply.id}`)).status(204).end();
        res.redirect(303, followUrl(req, thread.id, reply.id));
      } catch (err) {
        const limited = err instanceof ChatError && (err.kind === 'rate_limited' || err.kind === 'quota_exceeded');
        const badModel = err instanceof SettingsInputError;
        if (!isInputError(err) && !limited && !badModel) throw toHttpError(err);
        // The text and the model choice are kept; the reason goes beside the field it concerns.
        const files = err instanceof ChatError ? presentAttachments(err.kept, urlOf(req)) : [];
        const typed = { content, chosenModel, temporary, files, ...(badModel ? { modelError: sayTo(res, err.text) } : { error: sayTo(res, (err as ChatError).text) }) };
        const status = limited ? 429 : badModel ? 422 : inputStatus(err as ChatError);
        if (wantsFragment(req)) {
          if (limited) throw toHttpError(err);
          res.set('HX-Retarget', '#composer').set('HX-Reswap', 'outerHTML');
          // 422 for htmx whatever the cause: its config swaps a 422 into the form (any other 4xx goes to the flash area).
          return render(req, res, 'chat/_composer', { composer: newChatComposer(d, req, settings, typed) }, { status: 422 });
        }
        if (limited && err.retryAfterSeconds) res.set('Retry-After', String(err.retryAfterSeconds));
        await homePage(d, req, res, typed, status);
      }
    },

    /** POST /threads/:id/messages */
    async send(req: Request, res: Response) {
      const id = threadIdParam(req);
      const content = String(req.body?.content ?? '');
      try {
        const { message, reply, repeated } = await sendMessage(d, userOf(req).id, id, req.body?.content, { sendKey: req.body?.sendKey, after: req.body?.after, files: filesOf(req, res) });
        if (wantsFragment(req)) {
          // A repeat of a send this page already shows (or lost): the page again shows what was stored, once.
          if (repeated) return void res.set('HX-Refresh', 'true').status(204).end();
          const url = urlOf(req);
          // With a fresh key for the composer (out of band): its next message is a new send.
          return render(req, res, 'chat/_exchange', { message: presentMessage(message, url), reply: presentMessage(reply, url, d.generations), sendKey: newSendKey(), after: reply.id });
        }
        res.redirect(303, followUrl(req, id, reply.id));
      } catch (err) {
        if (err instanceof ChatError && err.kind === 'not_found') throw toHttpError(err);
        if (!(err instanceof ChatError)) throw err;
        const files = presentAttachments(err.kept, urlOf(req));
        if (wantsFragment(req)) {
          if (err.kind === 'busy' || err.kind === 'rate_limited' || err.kind === 'quota_exceeded') throw toHttpError(err);
          res.set('HX-Retarget', '#composer').set('HX-Reswap', 'outerHTML');
          const composer = threadComposer(req, id, { after: String(req.body?.after ?? ''), content, error: sayTo(res, err.text), files });
          return render(req, res, 'chat/_composer', { composer }, { status: 422 });
        }
        // The page again, with the text and the files kept in the composer and the reason beside it.
        if (err.retryAfterSeconds) res.set('Retry-After', String(err.retryAfterSeconds));
        await threadPage(d, req, res, { content, error: sayTo(res, err.text), files }, err.kind === 'busy' ? 409 : err.kind === 'rate_limited' || err.kind === 'quota_exceeded' ? 429 : inputStatus(err));
      }
    },

    /** GET /threads/:id/messages/:messageId/events: the answer for htmx, as HTML fragments. */
    async events(req: Request, res: Response) {
      const { thread, message } = await findOwnMessage(d, userOf(req).id, threadIdParam(req), messageIdParam(req)).catch((e) => { throw toHttpError(e); });
      const from = parseOffsets(req.get('Last-Event-ID')) ?? parseOffsets(req.query.after) ?? { thinking: 0, text: 0 };
      const source = sourceFor(d.generations, d.db, message.id, HTML_SSE_TIMING.pollMs, () => staleBefore(d.config));
      const existing = (await source.snapshot()).text;
      const url = urlOf(req);
      // The footer that ends the stream keeps the answer's ‹ n/m › (a regeneration is at least 2/2).
      const siblings = (await siblingsOf(d.db, thread.id, [message])).get(message.id);
      const parts = {
        // The end says "Done." and, for a chat the page showed untitled, brings its new title (heading, sidebar, tab).
        footer: async (s: Snapshot) => await renderString(req, res, 'chat/_footer', { m: presentMessage(withSnapshot(message, s), url, undefined, siblings), ended: true })
          + await newTitle(d, req, res, thread, message.id),
        stepsBox: (steps: Step[], live: boolean) => renderString(req, res, 'chat/_steps', { m: { live, steps: presentSteps(steps) } }),
        thinkingBox: (thinking: string) => renderString(req, res, 'chat/_thinking', { m: { id: message.id, live: true, thinking }, oob: true }),
        writing: () => renderString(req, res, 'chat/_status', { m: { id: message.id }, writing: true, oob: true }),
      };
      await streamEvents(req, res, { source, from, format: htmlFormatter(message.id, from, existing, parts), timing: HTML_SSE_TIMING });
    },

    /**
     * GET /threads/:id/messages/:messageId/source: the message as written, markdown source and all, as plain text.
     * The answer's Copy button fetches it on click (so pages do not carry every answer twice); 404 for another's.
     */
    async source(req: Request, res: Response) {
      const { message } = await findOwnMessage(d, userOf(req).id, threadIdParam(req), messageIdParam(req)).catch((e) => { throw toHttpError(e); });
      // A running job is ahead of the database.
      const text = d.generations.get(message.id)?.snapshot().text ?? message.content;
      res.set({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).send(text);
    },

    async stop(req: Request, res: Response) {
      const id = threadIdParam(req);
      const message = await stopAnswer(d, userOf(req).id, id, messageIdParam(req)).catch((e) => { throw toHttpError(e); });
      if (wantsFragment(req)) return render(req, res, 'chat/_message', { m: presentMessage(message, urlOf(req)) });
      // The end of the thread (#latest): the stopped answer's last words and the composer.
      res.redirect(303, urlOf(req)(`/threads/${id}#latest`));
    },

    async retry(req: Request, res: Response) {
      const id = threadIdParam(req);
      const { reply } = await retryAnswer(d, userOf(req).id, id, messageIdParam(req)).catch((e) => { throw toHttpError(e); });
      if (wantsFragment(req)) return render(req, res, 'chat/_message', { m: presentMessage(reply, urlOf(req), d.generations) });
      res.redirect(303, followUrl(req, id, reply.id));
    },
  };
}
