import zlib from 'node:zlib';
import compression from 'compression';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { compressWholeBodies } from './compress-whole.ts';

// The same routes behind compression alone (what the app had) and behind compressWholeBodies + compression (what it
// has): every answer must reach the client the same, and whole bodies must now carry their length.
const PAGE = `<!doctype html><title>t</title>${'<p class="msg">Hello, world: a paragraph of a page.</p>\n'.repeat(1200)}`;
const BIG = 'x'.repeat(300 * 1024);
const filter = (req: express.Request, res: express.Response) =>
  String(res.getHeader('Content-Type') ?? '').startsWith('text/event-stream') || compression.filter(req, res);

function app(whole: boolean) {
  const a = express();
  a.use(compression({ filter }));
  if (whole) a.use(compressWholeBodies(filter));
  a.get('/page', (_req, res) => { res.vary('HX-Request'); res.send(PAGE); });
  a.get('/json', (_req, res) => { res.json({ items: Array.from({ length: 200 }, (_, i) => ({ i, text: 'an item' })) }); });
  a.get('/small', (_req, res) => { res.send('<p>small</p>'); });
  a.get('/big', (_req, res) => { res.type('text/plain').send(BIG); });
  a.get('/png', (_req, res) => { res.type('image/png').send(Buffer.alloc(4096, 1)); });
  a.get('/no-transform', (_req, res) => { res.set('Cache-Control', 'no-transform').send(PAGE); });
  a.get('/written', (_req, res) => { res.type('html'); res.write(PAGE.slice(0, 5000)); res.end(PAGE.slice(5000)); });
  a.get('/events', (_req, res) => { res.type('text/event-stream'); res.write(`data: ${'y'.repeat(2000)}\n\n`); res.end(); });
  a.get('/empty', (_req, res) => { res.status(204).end(); });
  return a;
}
const before = app(false);
const after = app(true);

/** Raw bytes and headers, as sent (supertest would decode them). */
async function fetchRaw(a: express.Express, path: string, acceptEncoding: string | null, method: 'GET' | 'HEAD' = 'GET') {
  const server = a.listen(0);
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.request({ port, path, method, headers: acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding } }, resolve).on('error', reject).end();
    });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) };
  } finally {
    server.close();
  }
}

function decode(encoding: string | undefined, body: Buffer): string {
  if (encoding === 'gzip') return zlib.gunzipSync(body).toString();
  if (encoding === 'br') return zlib.brotliDecompressSync(body).toString();
  if (encoding === 'deflate') return zlib.inflateSync(body).toString();
  return body.toString();
}

const PATHS = ['/page', '/json', '/small', '/big', '/png', '/no-transform', '/written', '/events', '/empty'];
const ENCODINGS = ['gzip', 'gzip, deflate, br', 'deflate', 'br;q=0.5, gzip;q=0.9', 'identity', null];

describe('compressWholeBodies', () => {
  it('answers every kind of response as compression alone did: same encoding, same Vary, same decoded body', async () => {
    for (const path of PATHS) {
      for (const enc of ENCODINGS) {
        const [a, b] = [await fetchRaw(before, path, enc), await fetchRaw(after, path, enc)];
        const what = `${path} with Accept-Encoding ${enc}`;
        expect(b.status, what).toBe(a.status);
        expect(b.headers['content-encoding'], what).toBe(a.headers['content-encoding']);
        expect(b.headers.vary, what).toBe(a.headers.vary);
        expect(b.headers['content-type'], what).toBe(a.headers['content-type']);
        expect(decode(b.headers['content-encoding'], b.body), what).toBe(decode(a.headers['content-encoding'], a.body));
      }
    }
  });

  it('compresses a whole body in one piece: the same bytes as the stream made, now with a Content-Length', async () => {
    for (const enc of ['gzip', 'gzip, deflate, br', 'deflate']) {
      const [a, b] = [await fetchRaw(before, '/page', enc), await fetchRaw(after, '/page', enc)];
      expect(b.body.equals(a.body), enc).toBe(true);
      expect(a.headers['transfer-encoding']).toBe('chunked');
      expect(b.headers['transfer-encoding']).toBeUndefined();
      expect(Number(b.headers['content-length'])).toBe(b.body.length);
      expect(b.body.length).toBeLessThan(PAGE.length / 10);
    }
    expect((await fetchRaw(after, '/page', 'gzip, deflate, br')).headers['content-encoding']).toBe('br');
    expect((await fetchRaw(after, '/page', 'gzip')).headers.vary).toBe('HX-Request, Accept-Encoding');
  });

  it('leaves streams, large bodies and HEAD to compression', async () => {
    for (const path of ['/written', '/events', '/big']) {
      const b = await fetchRaw(after, path, 'gzip');
      expect(b.headers['content-encoding'], path).toBe('gzip');
      expect(b.headers['transfer-encoding'], path).toBe('chunked');
    }
    const head = await fetchRaw(after, '/page', 'gzip', 'HEAD');
    const headBefore = await fetchRaw(before, '/page', 'gzip', 'HEAD');
    expect([head.status, head.headers['content-encoding'], head.body.length]).toEqual([200, headBefore.headers['content-encoding'], 0]);
  });
});
