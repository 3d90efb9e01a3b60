// A tiny reverse proxy in front of the live app that a test can break the way a deploy does: cut the open event
// streams, then answer the next reconnections with 502 Bad Gateway. Every event-stream request is recorded.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type EventsRequest = { url: string; lastEventId: string | null; status: number };

export type CutProxy = {
  origin: string;
  events: EventsRequest[];
  /** Destroys every open event stream; the next `badGateways` event-stream requests get a 502. */
  cut(badGateways: number): void;
  stop(): Promise<void>;
};

const isEvents = (url: string) => /\/events(\?|$)/.test(url);

export async function startCutProxy(target: string): Promise<CutProxy> {
  const open = new Set<Socket>();
  const events: EventsRequest[] = [];
  let badGateways = 0;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const record = (status: number) => {
      if (isEvents(url)) events.push({ url, lastEventId: (req.headers['last-event-id'] as string | undefined) ?? null, status });
    };
    if (isEvents(url) && badGateways > 0) {
      badGateways--;
      record(502);
      res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      return;
    }
    const up = http.request(target + url, { method: req.method, headers: req.headers, agent: false }, (answer) => {
      record(answer.statusCode ?? 0);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    if (isEvents(url)) {
      open.add(req.socket);
      req.socket.on('close', () => open.delete(req.socket));
    }
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    cut(n) {
      badGateways = n;
      for (const s of open) s.destroy();
    },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
