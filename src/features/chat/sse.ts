// The event stream of one answer. Every event's id is "<thinking offset>.<text offset>": the characters the
// listener has after it. Resuming with Last-Event-ID (or ?after= from the page) sends exactly the rest.
import type { Request, Response } from 'express';
import type { Db } from '../../db.ts';
import type { Generations, Snapshot } from './generation.ts';
import { escapeHtml, renderMarkdown } from './markdown.ts';
import { BoundaryScanner, renderBlocks } from './live-view.ts';
import { findMessage, interruptAbandoned, isFinal } from './messages.repo.ts';
import type { Step } from './tool-steps.ts';
import { english, tr } from '../../i18n/text.ts';

export type Offsets = { thinking: number; text: number };
export type SseTiming = { heartbeatMs: number; pollMs: number; minIntervalMs: number };

export function parseOffsets(value: unknown): Offsets | null {
  const m = typeof value === 'string' ? /^(\d{1,9})\.(\d{1,9})$/.exec(value) : null;
  return m ? { thinking: Number(m[1]), text: Number(m[2]) } : null;
}

type Source = { snapshot(): Promise<Snapshot>; changed(): Promise<void> };

/** The running job on this instance, or the database for a job that runs elsewhere. */
export function sourceFor(generations: Generations, db: Db, messageId: number, pollMs: number, staleBefore: () => Date): Source {
  return {
    async snapshot() {
      const job = generations.get(messageId);
      if (job) return job.snapshot();
      // A live row that nobody has written for too long was left by a crashed instance.
      await interruptAbandoned(db, { id: messageId }, staleBefore());
      const m = await findMessage(db, messageId);
      if (!m) return { text: '', thinking: '', status: 'error', usage: null, error: english(tr('chat:upstream.deleted')), steps: [], sources: [], images: [] };
      return { text: m.content, thinking: m.thinking ?? '', status: m.status, usage: m.usage, error: m.error, steps: m.steps, sources: m.sources, images: m.role === 'assistant' ? m.attachments : [] };
    },
    changed() {
      const job = generations.get(messageId);
      // The timeout also covers a change that landed between snapshot() and this call.
      const tick = new Promise<void>((r) => setTimeout(r, pollMs));
      return job ? Promise.race([job.changed(), tick]) : tick;
    },
  };
}

export type Formatter = {
  thinking(delta: string, id: string): string | Promise<string>;
  text(full: string, from: number, to: number, id: string): string | Promise<string>;
  done(s: Snapshot, from: number, id: string): Promise<string>;
  /** Tool steps (issue 14): `changed` the indexes that differ from what this connection sent (all, at its start). */
  steps(steps: Step[], changed: number[], id: string): string | Promise<string>;
};

const frame = (event: string, id: string, data: string) =>
  `event: ${event}\nid: ${id}\n${data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join('\n')}\n\n`;

/**
 * The JSON API: delta {text}|{thinking}, step {index, type, name, status, input?, output?} (a step's whole state,
 * sent again whenever it changes, and every step at the start of each connection), then done {status, usage,
 * sources} or error {status, message}.
 */
export function jsonFormatter(): Formatter {
  return {
    thinking: (delta, id) => frame('delta', id, JSON.stringify({ thinking: delta })),
    steps: (steps, changed, id) => changed.map((i) => frame('step', id, JSON.stringify({ index: i, ...steps[i] }))).join(''),
    text: (full, from, to, id) => frame('delta', id, JSON.stringify({ text: full.slice(from, to) })),
    done: async (s, _from, id) => s.status === 'complete' || s.status === 'stopped'
      ? frame('done', id, JSON.stringify({ status: s.status, usage: s.usage, ...(s.sources.length ? { sources: s.sources } : {}) }))
      : frame('error', id, JSON.stringify({ status: s.status, message: s.error })),
  };
}

export type HtmlParts = {
  /** The message footer for the final state (the `done` event's main swap). */
  footer(s: Snapshot): Promise<string>;
  /** The Thinking box, shown, with its first text, for an out-of-band swap (the page hid it while it was empty). */
  thinkingBox(text: string): Promise<string>;
  /** The status saying the answer is being written, for an out-of-band swap (the page said it was waiting). */
  writing(): Promise<string>;
  /** The Steps box for these steps (the `s` event's content, swapped into #stp-<id>): open while live. */
  stepsBox(steps: Step[], live: boolean): Promise<string>;
};

/**
 * htmx: `k` appends escaped thinking (the first one also shows the Thinking box), `t` appends escaped text to the
 * tail, `b` appends newly finished blocks as rendered markdown and resets the tail (out of band), `done` replaces the
 * footer and renders the last block. Text is sent once as escaped text and once rendered, so bytes stay linear.
 * At the end the whole answer is rendered once: where that differs from the blocks rendered one by one (a reference
 * link defined further down, a loose list, a `$$` block with a blank line), `done` replaces the whole body with it,
 * so the streamed answer always ends equal to the reloaded page.
 */
export function htmlFormatter(messageId: number, from: Offsets, existingText: string, parts: HtmlParts): Formatter {
  const scanner = new BoundaryScanner();
  scanner.scan(existingText.slice(0, from.text));
  // What the page (or an earlier connection) rendered is the blocks up to here; this stream renders the rest.
  const startBlocks = scanner.boundaries.length;
  let rendered = scanner.boundary;
  let blocksSent = startBlocks;
  let sentHtml = '';
  let thinkingShown = from.thinking > 0;
  // A page that had nothing of the answer said "Waiting for Mistral…": the first piece also says it is writing.
  let writingShown = from.thinking > 0 || from.text > 0;
  const writing = async () => { if (writingShown) return ''; writingShown = true; return parts.writing(); };
  const tail = (html: string) => `<div id="tail-${messageId}" hx-swap-oob="innerHTML">${html}</div>`;
  const md = (swap: 'beforeend' | 'innerHTML', html: string) => `<div id="md-${messageId}" hx-swap-oob="${swap}">${html}</div>`;
  return {
    async thinking(delta, id) {
      if (thinkingShown) return frame('k', id, escapeHtml(delta));
      thinkingShown = true;
      return frame('k', id, await parts.thinkingBox(delta) + await writing());
    },
    async text(full, _from, to, id) {
      const status = await writing();
      scanner.scan(full.slice(0, to));
      const b = scanner.boundary;
      if (b <= rendered) return frame('t', id, escapeHtml(full.slice(_from, to)) + status);
      const html = renderBlocks(full, [rendered, ...scanner.boundaries.slice(blocksSent)]);
      sentHtml += html;
      rendered = b;
      blocksSent = scanner.boundaries.length;
      return frame('b', id, html + tail(escapeHtml(full.slice(b, to))) + status);
    },
    async steps(steps, _changed, id) {
      return frame('s', id, await parts.stepsBox(steps, true) + await writing());
    },
    async done(s, _from, id) {
      const last = renderBlocks(s.text, [rendered, s.text.length]);
      const whole = renderMarkdown(s.text);
      const earlier = startBlocks ? renderBlocks(s.text, [0, ...scanner.boundaries.slice(0, startBlocks)]) : '';
      const body = earlier + sentHtml + last === whole ? md('beforeend', last) : md('innerHTML', whole);
      // The Steps box ends folded, as a reload shows it.
      const steps = s.steps.length ? `<div id="stp-${messageId}" hx-swap-oob="innerHTML">${await parts.stepsBox(s.steps, false)}</div>` : '';
      return frame('done', id, (await parts.footer(s)) + body + tail('') + steps);
    },
  };
}

export async function streamEvents(req: Request, res: Response, o: { source: Source; from: Offsets; format: Formatter; timing: SseTiming }): Promise<void> {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.flushHeaders();
  let closed = false;
  let wake: () => void = () => {};
  const onClose = new Promise<void>((r) => { wake = r; });
  res.on('close', () => { closed = true; wake(); });
  // Heartbeats keep proxies from closing a quiet stream (a reasoning model can think for a minute).
  // Compression (when the client accepts it) must not hold an event back: every write is flushed.
  const send = (chunk: string) => { res.write(chunk); res.flush?.(); };
  const heartbeat = setInterval(() => { if (!closed) send(': heartbeat\n\n'); }, o.timing.heartbeatMs);
  let th = o.from.thinking;
  let tx = o.from.text;
  let lastSentAt = -Infinity;
  let stepsSent: string[] = []; // each step as this connection last sent it (JSON), by index
  try {
    send('retry: 2000\n\n');
    while (!closed) {
      const s = await o.source.snapshot();
      // A retried answer starts again from nothing: offsets past its end mean "from the start".
      if (s.text.length < tx || s.thinking.length < th) { tx = Math.min(tx, s.text.length); th = Math.min(th, s.thinking.length); }
      let out = '';
      if (s.thinking.length > th) { const d = s.thinking.slice(th); th = s.thinking.length; out += await o.format.thinking(d, `${th}.${tx}`); }
      const stepsNow = s.steps.map((x) => JSON.stringify(x));
      const changed = stepsNow.flatMap((j, i) => (j === stepsSent[i] ? [] : [i]));
      if (changed.length) { stepsSent = stepsNow; out += await o.format.steps(s.steps, changed, `${th}.${tx}`); }
      if (s.text.length > tx) { const from = tx; tx = s.text.length; out += await o.format.text(s.text, from, tx, `${th}.${tx}`); }
      if (isFinal(s.status)) out += await o.format.done(s, tx, `${th}.${tx}`);
      if (out && !closed) { send(out); lastSentAt = performance.now(); }
      if (isFinal(s.status)) break;
      await Promise.race([o.source.changed(), onClose]);
      // Coalesce: a fast model's tokens go out together, a few times a second, not one event per token. Only the
      // time since the last event is waited for, so the first token after a quiet spell goes out at once.
      const wait = lastSentAt + o.timing.minIntervalMs - performance.now();
      if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait)), onClose]);
    }
  } finally {
    clearInterval(heartbeat);
    if (!closed) res.end();
  }
}
