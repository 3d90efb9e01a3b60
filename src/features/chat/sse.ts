// The event stream of one answer. Every event's id is "<thinking offset>.<text offset>": the characters the
// listener has after it. Resuming with Last-Event-ID (or ?after= from the page) sends exactly the rest.
import type { Request, Response } from 'express';
import type { Db } from '../../db.ts';
import type { Generations, Snapshot } from './generation.ts';
import { escapeHtml } from './markdown.ts';
import { BoundaryScanner, renderBlocks } from './live-view.ts';
import { findMessage, interruptAbandoned, isFinal } from './messages.repo.ts';

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
      if (!m) return { text: '', thinking: '', status: 'error', usage: null, error: 'This answer was deleted.' };
      return { text: m.content, thinking: m.thinking ?? '', status: m.status, usage: m.usage, error: m.error };
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
  thinking(delta: string, id: string): string;
  text(full: string, from: number, to: number, id: string): string;
  done(s: Snapshot, from: number, id: string): Promise<string>;
};

const frame = (event: string, id: string, data: string) =>
  `event: ${event}\nid: ${id}\n${data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join('\n')}\n\n`;

/** The JSON API: delta {text}|{thinking}, then done {status, usage} or error {status, message}. */
export function jsonFormatter(): Formatter {
  return {
    thinking: (delta, id) => frame('delta', id, JSON.stringify({ thinking: delta })),
    text: (full, from, to, id) => frame('delta', id, JSON.stringify({ text: full.slice(from, to) })),
    done: async (s, _from, id) => s.status === 'complete' || s.status === 'stopped'
      ? frame('done', id, JSON.stringify({ status: s.status, usage: s.usage }))
      : frame('error', id, JSON.stringify({ status: s.status, message: s.error })),
  };
}

/**
 * htmx: `k` appends escaped thinking, `t` appends escaped text to the tail, `b` appends newly finished blocks as
 * rendered markdown and resets the tail (out of band), `done` replaces the footer and renders the last block.
 * Text is sent once as escaped text and once rendered, so bytes stay linear in the answer.
 */
export function htmlFormatter(messageId: number, textOffset: number, existingText: string, footer: (s: Snapshot) => Promise<string>): Formatter {
  const scanner = new BoundaryScanner();
  scanner.scan(existingText.slice(0, textOffset));
  let rendered = scanner.boundary;
  const tail = (html: string) => `<div id="tail-${messageId}" hx-swap-oob="innerHTML">${html}</div>`;
  return {
    thinking: (delta, id) => frame('k', id, escapeHtml(delta)),
    text(full, from, to, id) {
      const b = scanner.scan(full.slice(0, to));
      if (b <= rendered) return frame('t', id, escapeHtml(full.slice(from, to)));
      const html = renderBlocks(full.slice(rendered, b)) + tail(escapeHtml(full.slice(b, to)));
      rendered = b;
      return frame('b', id, html);
    },
    async done(s, _from, id) {
      const last = renderBlocks(s.text.slice(rendered));
      return frame('done', id, (await footer(s)) + `<div id="md-${messageId}" hx-swap-oob="beforeend">${last}</div>` + tail(''));
    },
  };
}

export async function streamEvents(req: Request, res: Response, o: { source: Source; from: Offsets; format: Formatter; timing: SseTiming }): Promise<void> {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
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
  try {
    send('retry: 2000\n\n');
    while (!closed) {
      const s = await o.source.snapshot();
      // A retried answer starts again from nothing: offsets past its end mean "from the start".
      if (s.text.length < tx || s.thinking.length < th) { tx = Math.min(tx, s.text.length); th = Math.min(th, s.thinking.length); }
      let out = '';
      if (s.thinking.length > th) { const d = s.thinking.slice(th); th = s.thinking.length; out += o.format.thinking(d, `${th}.${tx}`); }
      if (s.text.length > tx) { const from = tx; tx = s.text.length; out += o.format.text(s.text, from, tx, `${th}.${tx}`); }
      if (isFinal(s.status)) out += await o.format.done(s, tx, `${th}.${tx}`);
      if (out && !closed) send(out);
      if (isFinal(s.status)) break;
      // Coalesce: a fast model's tokens go out together, a few times a second, not one event per token.
      await Promise.race([o.source.changed(), onClose]);
      if (o.timing.minIntervalMs) await Promise.race([new Promise((r) => setTimeout(r, o.timing.minIntervalMs)), onClose]);
    }
  } finally {
    clearInterval(heartbeat);
    if (!closed) res.end();
  }
}
