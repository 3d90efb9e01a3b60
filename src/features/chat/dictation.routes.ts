// Dictation routes: the JSON API (POST /api/transcribe → {text}; the microphone button uses it) and the composer's
// "Dictate from an audio file" (POST /transcribe on the new-chat page, POST /threads/:id/transcribe in a thread), which
// works without JavaScript: the page comes back with the transcript after what was typed, or with the reason beside
// the composer and the typed text kept. With htmx the same routes answer with the message field alone.
import { Router, type Request, type Response } from 'express';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/http-error.ts';
import { render, wantsFragment } from '../../http/htmx.ts';
import { uploadsOf } from '../../http/multipart.ts';
import { threadIdParam, urlOf, userOf, type ChatRouteDeps } from './chat.context.ts';
import { homePage, newChatComposer, threadComposer, threadPage, type Composer } from './thread-pages.ts';
import { getSettings } from '../settings/settings.repo.ts';
import { findThread, newThread } from '../threads/threads.repo.ts';
import { transcribeUpload } from './dictation.service.ts';
import { AttachmentsRefused, gatherAttachments } from './attachments.ts';
import { filesOf } from './chat.controller.ts';
import { chooseModelRequest } from './model-choice.ts';
import { presentAttachments } from './present.ts';
import { tr } from '../../i18n/text.ts';
import { localizedError, sayTo } from '../../i18n/negotiate.ts';
import type { Attachment } from '../files/files.repo.ts';

/** Aborts the call to Mistral when the client goes away before the answer (a closed tab, a cancelled fetch). */
function abortOnClose(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => { if (!res.writableFinished) controller.abort(); });
  return controller.signal;
}

// Languages (issue 17): dictation's messages are the files namespace's; the page's are said here in its language.
const NOTHING_HEARD = tr('files:dictation.noSpeech');

/** The typed text, then the transcript: after a space, or straight on when the text already ends in white space. */
export function appendTranscript(typed: string, text: string): string {
  if (!text) return typed;
  if (!typed) return text;
  return /\s$/.test(typed) ? typed + text : `${typed} ${text}`;
}

/** Stores the form's files (and keeps its kept ones) as pending; a refusal's reason comes back as `problem`. */
async function keepChosenFiles(d: ChatRouteDeps, req: Request, res: Response, threadId: string | null): Promise<{ kept: Attachment[]; problem?: string }> {
  const userId = userOf(req).id;
  const thread = (threadId && await findThread(d.db, userId, threadId)) || newThread(userId, { model: null });
  const choice = await chooseModelRequest({ db: d.db, config: d.config, thread });
  try {
    return { kept: await gatherAttachments(d, userId, filesOf(req, res), choice) };
  } catch (err) {
    if (err instanceof AttachmentsRefused) return { kept: err.kept, problem: sayTo(res, err.text) };
    throw err;
  }
}

export function dictationRoutes(d: ChatRouteDeps) {
  const r = Router();

  r.post('/api/transcribe', requireUser, async (req, res) => {
    const text = await transcribeUpload(d, userOf(req).id, uploadsOf(res), abortOnClose(res));
    res.json({ text });
  });

  /**
   * Transcribes into the composer. Without JavaScript the whole page comes back (the reason beside the kept text on a
   * refusal). With htmx only the message field is swapped (HX-Reselect picks it from the rendered composer), so the
   * files chosen to attach stay chosen; a refusal is an ordinary error in the flash area, and the field is untouched.
   */
  const intoComposer = async (req: Request, res: Response, threadId: string | null) => {
    const typed = String(req.body?.content ?? '');
    const composerWith = async (fields: Partial<Composer>) => threadId
      ? threadComposer(req, threadId, { after: String(req.body?.after ?? ''), ...fields })
      : newChatComposer(d, req, await getSettings(d.db, userOf(req).id), { ...fields, chosenModel: String(req.body?.model ?? '') });
    if (wantsFragment(req)) {
      const text = await transcribeUpload(d, userOf(req).id, uploadsOf(res), abortOnClose(res));
      if (!text) throw new HttpError(422, NOTHING_HEARD);
      res.set('HX-Retarget', '#content').set('HX-Reswap', 'outerHTML').set('HX-Reselect', '#content');
      return render(req, res, 'chat/_composer', { composer: await composerWith({ content: appendTranscript(typed, text) }) });
    }
    let content = typed;
    let error: string | undefined;
    let status: number | undefined;
    // Files chosen to attach would be lost with the page (a file input cannot be filled again): they are stored as
    // pending and come back ticked, as after a refused send.
    const { kept, problem } = await keepChosenFiles(d, req, res, threadId);
    try {
      const text = await transcribeUpload(d, userOf(req).id, uploadsOf(res), abortOnClose(res));
      if (!text) { error = sayTo(res, NOTHING_HEARD); status = 422; }
      content = appendTranscript(typed, text);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      error = localizedError(res, err).message;
      status = err.status;
      res.set(err.headers);
    }
    error ??= problem;
    const files = presentAttachments(kept, urlOf(req));
    if (threadId) return threadPage(d, req, res, { content, error, files, ...(req.body?.after !== undefined ? { after: String(req.body.after) } : {}) }, status);
    return homePage(d, req, res, { content, error, files, chosenModel: String(req.body?.model ?? '') }, status);
  };

  r.post('/transcribe', requireUser, (req, res) => intoComposer(req, res, null));
  r.post('/threads/:id/transcribe', requireUser, async (req, res) => {
    // Another user's thread (or none) is 404 before any audio goes to Mistral.
    const thread = await findThread(d.db, userOf(req).id, threadIdParam(req));
    if (!thread) throw new HttpError(404, tr('api:noSuchConversation'));
    await intoComposer(req, res, thread.id);
  });
  return r;
}
