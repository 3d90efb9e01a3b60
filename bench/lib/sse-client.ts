// A minimal event-stream client for benchmarks: timestamps of the first event of a kind and of the stream's end.
import http from 'node:http';

export type StreamTimes = { firstAt: number | null; endAt: number; events: Array<{ event: string; data: string }>; status: number };

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** Reads an SSE response to its end (or `timeoutMs`), noting when the first `firstOf` event arrived. */
export function readStream(url: string, headers: Record<string, string>, firstOf = 'delta', timeoutMs = 120_000): Promise<StreamTimes> {
  return new Promise((resolve, reject) => {
    const events: StreamTimes['events'] = [];
    let firstAt: number | null = null;
    let buf = '';
    const req = http.get(url, { agent, headers: { 'Accept-Encoding': 'identity', ...headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const lines = buf.slice(0, i).split('\n');
          buf = buf.slice(i + 2);
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          if (!event) continue;
          if (event === firstOf && firstAt === null) firstAt = performance.now();
          events.push({ event, data: lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n') });
        }
      });
      res.on('end', () => { clearTimeout(timer); resolve({ firstAt, endAt: performance.now(), events, status: res.statusCode ?? 0 }); });
      res.on('error', reject);
    });
    req.on('error', reject);
    const timer = setTimeout(() => { req.destroy(new Error(`stream did not end within ${timeoutMs} ms: ${url}`)); }, timeoutMs);
  });
}

/** JSON over the same keep-alive agent as the streams (a browser reuses its connection too). */
export function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        try { resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }); } catch { resolve({ status: res.statusCode ?? 0, body: text }); }
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
