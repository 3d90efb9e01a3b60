// The whole-account export is streamed: an account of 10,000 threads is written with no more heap than one of 100
// (threads by (user_id, id) and messages by (thread_id, id) a page at a time, waiting for the reader).
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.ts';
import { writeAccountExport } from '../../src/features/transfer/export.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp } from '../support/fake-mistral-app.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** `n` threads of two messages each (a question and a 300-character answer), in bulk. */
async function manyThreads(db: Db, userId: number, n: number): Promise<void> {
  const at = new Date(Date.UTC(2026, 0, 1));
  for (let start = 0; start < n; start += 500) {
    const count = Math.min(500, n - start);
    const threads = Array.from({ length: count }, (_, i) => ({ id: `u${userId}t${String(start + i).padStart(6, '0')}xx`, user_id: userId, title: `Thread ${start + i}`, title_set_by_user: false, created_at: at, updated_at: at }));
    await db('threads').insert(threads);
    const questions = threads.map((t) => ({ thread_id: t.id, parent_id: null, role: 'user', content: `Question of ${t.title}`, status: 'complete', created_at: at, updated_at: at }));
    await db.batchInsert('messages', questions, 500);
    const qs = await db('messages').whereIn('thread_id', threads.map((t) => t.id)).select('id', 'thread_id');
    await db.batchInsert('messages', qs.map((q) => ({ thread_id: q.thread_id, parent_id: q.id, role: 'assistant', content: 'An answer. '.repeat(30), status: 'complete', model: 'mistral-small-latest', created_at: at, updated_at: at })), 500);
  }
}

/** Writes the account's export into a slow reader, sampling the heap after a full collection every 64 KB. */
async function measure(db: Db, userId: number): Promise<{ bytes: number; threads: number; peakGrowth: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let bytes = 0; let sinceSample = 0; let peak = 0;
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length; sinceSample += chunk.length;
      if (sinceSample >= 64 * 1024) { sinceSample = 0; gc(); peak = Math.max(peak, process.memoryUsage().heapUsed - base); }
      setImmediate(done); // a reader slower than the writer: backpressure must hold the writer back
    },
  });
  const threads = await writeAccountExport(db, userId, sink);
  await new Promise<void>((resolve) => sink.end(resolve));
  return { bytes, threads, peakGrowth: peak };
}

describe.each(DIALECTS)('streamed account export on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('10,000 threads export in the heap of 100, and the HTTP download is the whole document', async () => {
    const small = await signIn(t);
    const large = await signIn(t);
    await manyThreads(t.db, small.user.id, 100);
    await manyThreads(t.db, large.user.id, 10_000);
    const a = await measure(t.db, small.user.id);
    const b = await measure(t.db, large.user.id);
    console.log(`account export on ${dialect}: 100 threads ${(a.bytes / 1e6).toFixed(2)} MB, peak heap growth ${(a.peakGrowth / 1e6).toFixed(2)} MB; ` +
      `10,000 threads ${(b.bytes / 1e6).toFixed(2)} MB, peak heap growth ${(b.peakGrowth / 1e6).toFixed(2)} MB`);
    expect(a.threads).toBe(100);
    expect(b.threads).toBe(10_000);
    expect(b.bytes).toBeGreaterThan(5_000_000);
    // Constant memory: a hundred times the data, at most a few MB more heap (and far less than the document).
    expect(b.peakGrowth).toBeLessThan(a.peakGrowth + 4_000_000);
    expect(b.peakGrowth).toBeLessThan(b.bytes / 4);

    // Through HTTP: the response arrives in many pieces and ends with the closed document (counted, not kept).
    const got = await new Promise<{ pieces: number; heads: number; tail: string; type: string }>((resolve, reject) => {
      http.get(`${t.baseUrl}/api/export`, { headers: { Authorization: `Bearer ${large.token}`, 'Accept-Encoding': 'identity' } }, (res) => {
        let pieces = 0; let heads = 0; let carry = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          pieces++;
          const text = carry + c;
          heads += text.split('\n{"id":"').length - 1;
          // One character short of the marker: a marker wholly inside the carry was already counted (a chunk that
          // ended just after it was counted twice, now and then, depending on where the chunks split).
          carry = text.slice(-7);
        });
        res.on('end', () => resolve({ pieces, heads, tail: carry, type: String(res.headers['content-disposition']) }));
        res.on('error', reject);
      }).on('error', reject);
    });
    expect(got.type).toMatch(/^attachment; filename="mistralchat-account-/);
    expect(got.heads).toBe(10_000);
    expect(got.pieces).toBeGreaterThan(50);
    expect(got.tail.endsWith('\n]}\n')).toBe(true);
  }, 240_000);
});
