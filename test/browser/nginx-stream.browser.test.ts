// docs/deploy/nginx.conf must pass an event stream through piece by piece. Proven here against a tiny upstream
// that streams without X-Accel-Buffering (so the config itself, not the app's header, is what is tested) and with
// it; the chat's own stream test reuses firstPieceLead() from test/support/nginx.ts. (Checked by breaking the
// config: adding text/event-stream to gzip_types fails both cases. nginx 1.22 happened to pass these small pieces
// on even with proxy_buffering on, so `proxy_buffering off` in the file is a belt, not what this test proves.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { firstPieceLead, startNginx, type RunningNginx } from '../support/nginx.ts';
import { describeInBrowser } from './suite.ts';

const GAP_MS = 700;

describeInBrowser('event streams through nginx', { chromium: false, nginx: true }, () => {
  let upstream: Server;
  let nginx: RunningNginx;
  // Each stream reports when the upstream sent its last piece.
  const finished = new Map<string, (at: number) => void>();

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const accel = req.url?.includes('accel=no');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...(accel ? { 'X-Accel-Buffering': 'no' } : {}) });
      res.write('data: first piece\n\n');
      setTimeout(() => {
        res.write(`data: ${'x'.repeat(2000)}\n\n`);
        res.end('event: done\ndata: end\n\n');
        finished.get(new URL(req.url!, 'http://x').searchParams.get('id')!)?.(Date.now());
      }, GAP_MS);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    nginx = await startNginx((upstream.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  for (const accel of [false, true]) {
    it(`the first piece arrives long before the upstream finishes (${accel ? 'with' : 'without'} X-Accel-Buffering: no)`, async () => {
      const id = `s${accel}`;
      const done = new Promise<number>((resolve) => finished.set(id, resolve));
      const r = await firstPieceLead(`${nginx.origin}/chat/stream?id=${id}${accel ? '&accel=no' : ''}`, done,
        { headers: { 'Accept-Encoding': 'gzip' } });
      expect(r.timeline.status).toBe(200);
      expect(r.timeline.headers.get('content-encoding')).toBeNull();
      expect(r.timeline.pieces[0].text).toContain('data: first piece');
      expect(r.leadMs).toBeGreaterThan(GAP_MS / 2);
      expect(r.timeline.pieces.map((p) => p.text).join('')).toContain('event: done');
    });
  }
});
