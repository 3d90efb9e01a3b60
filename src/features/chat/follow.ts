// The thread page that follows a live answer without JavaScript: one response, written progressively. The page up to
// the answer goes out at once (sidebar, header, the composer, which CSS shows below the messages, so it is usable
// while the answer is written), then the thinking as it arrives (into a Thinking box written only once there is
// some), then each finished block of the answer as rendered markdown, with the unfinished paragraph in a
// `.ftail` element whose text only CSS shows (text browsers, which ignore CSS, never see those drafts), then the
// final footer and the rest of the page; the response ends when the answer does. No refresh: typed text stays, and
// text browsers (w3m, lynx), which ignore a refresh in <noscript>, get the answer when the document ends. It is one
// more listener of the server-owned job (or of the database, for a job on another instance), like sse.ts.
import type { Request, Response } from 'express';
import { csrfHeaderWanted, renderString } from '../../http/htmx.ts';
import type { ChatRouteDeps } from './chat.context.ts';
import { staleBefore } from './chat.service.ts';
import type { Snapshot } from './generation.ts';
import { BoundaryScanner, renderBlocks } from './live-view.ts';
import { escapeHtml } from './markdown.ts';
import { isFinal } from './messages.repo.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { type Message } from './messages.repo.ts';
import { presentMessage, withSnapshot, type MessageView } from './present.ts';
import { sourceFor } from './sse.ts';
import { presentSteps } from './tool-steps.ts';
import type { Thread } from '../threads/threads.repo.ts';
import { newTitleOf } from './chat.context.ts';

/** Where the thinking, the streamed blocks and the final footer go in the rendered page (views/chat/_message.ejs). */
export const THINK_MARK = '<!--mc:think-->';
export const STREAM_MARK = '<!--mc:stream-->';
export const FOOT_MARK = '<!--mc:foot-->';
/** Where a chat named during the answer gets its new heading (views/threads/show.ejs; CSS shows it on top). */
export const TITLE_MARK = '<!--mc:title-->';
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;
/** The unfinished paragraph is written again (whole) at most this often. */
const TAIL_MS = 300;

/** Renders the page with `view` (the live answer `message`) cut at its finished blocks, then streams the rest. */
export async function followAnswer(d: ChatRouteDeps, req: Request, res: Response, o: {
  message: Message; view: MessageView; url: UrlFor; page: string; locals: Record<string, unknown>; title: string; thread: Thread;
}): Promise<void> {
  // The final footer keeps the answer's ‹ n/m › (read with the page).
  const footer = (s: Snapshot) => renderString(req, res, 'chat/_footer', { m: { ...presentMessage(withSnapshot(o.message, s), o.url), versions: o.view.versions }, ended: true });
  // The head is long gone when the chat gets its title: a new heading at the end, which CSS shows in the old one's place.
  const lateTitle = async () => {
    const t = o.thread.title ? null : await newTitleOf(d, o.thread, o.message.id);
    return t ? `<h1 class="late-title">${escapeHtml(t)}</h1>` : '';
  };
  const source = sourceFor(d.generations, d.db, o.view.id, POLL_MS, () => staleBefore(d.config));
  const first = await source.snapshot();
  const scanner = new BoundaryScanner();
  let rendered = scanner.scan(first.text);
  Object.assign(o.view, { follow: true, html: renderBlocks(first.text, [0, ...scanner.boundaries]), tailHtml: '' });
  const body = await renderString(req, res, o.page, o.locals);
  const html = await renderString(req, res, 'layout', { ...o.locals, body, title: o.title, csrfHeader: csrfHeaderWanted(req) });
  const [head, afterThink] = html.split(THINK_MARK);
  const [opening, rest] = afterThink.split(STREAM_MARK);
  const [mid, afterFoot] = rest.split(FOOT_MARK);
  const [beforeTitle, tail] = afterFoot.split(TITLE_MARK);
  const box = `<details class="thinking" id="thd-${o.view.id}"><summary>${escapeHtml(String(res.locals.t('chat:thinking')))}</summary><div class="thinking-text" id="th-${o.view.id}">`;

  res.status(200).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  let closed = false;
  let wake: () => void = () => {};
  const onClose = new Promise<void>((r) => { wake = r; });
  res.on('close', () => { closed = true; wake(); });
  // Compression must not hold a piece back, and a quiet spell (a model thinking) must not look like a dead proxy link.
  const send = (chunk: string) => { if (!closed) { res.write(chunk); res.flush?.(); } };
  const heartbeat = setInterval(() => send('<!-- -->\n'), HEARTBEAT_MS);
  try {
    send(head);
    let blocks = scanner.boundaries.length;
    let s = first;
    let thought = 0; // thinking characters written; the box is open from the first until the answer's text starts
    let thinking = true;
    let draft = { text: '', at: 0 };
    while (!closed) {
      if (thinking) {
        if (s.thinking.length > thought) send((thought ? '' : box) + escapeHtml(s.thinking.slice(thought)));
        thought = Math.max(thought, s.thinking.length);
        if (!s.text && !isFinal(s.status)) { await Promise.race([source.changed(), onClose]); s = await source.snapshot(); continue; }
        send((thought ? '</div></details>' : '') + opening);
        thinking = false;
      }
      if (s.text.length < rendered) { rendered = 0; blocks = 0; } // a retried answer starts again
      scanner.scan(s.text);
      if (scanner.boundary > rendered) {
        send(renderBlocks(s.text, [rendered, ...scanner.boundaries.slice(blocks)]));
        rendered = scanner.boundary;
        blocks = scanner.boundaries.length;
      }
      if (isFinal(s.status)) {
        // Tool steps (issue 14) cannot be redrawn without JavaScript: the box is written once, whole, at the end.
        const steps = s.steps.length ? await renderString(req, res, 'chat/_steps', { m: { live: false, steps: presentSteps(s.steps) } }) : '';
        send(renderBlocks(s.text, [rendered, s.text.length]) + mid + steps + (await footer(s)) + beforeTitle);
        send((await lateTitle()) + tail);
        break;
      }
      const unfinished = s.text.slice(rendered).trimEnd();
      if (unfinished && unfinished !== draft.text && Date.now() - draft.at >= TAIL_MS) {
        send(`<span class="ftail" data-text="${escapeHtml(unfinished)}"></span>`);
        draft = { text: unfinished, at: Date.now() };
      }
      await Promise.race([source.changed(), onClose]);
      s = await source.snapshot();
    }
  } finally {
    clearInterval(heartbeat);
    if (!closed) res.end();
  }
}
