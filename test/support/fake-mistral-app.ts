// The real app wired to a fake Mistral upstream, with a signed-in user's cookies and CSRF token, and an SSE reader.
import http, { type Server } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Dialect } from '../../src/db.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser, type User } from '../../src/features/auth/users.repo.ts';
import type { Generations } from '../../src/features/chat/generation.ts';
import { testApp, type TestApp } from './app.ts';
import { startFakeMistral, type FakeMistral } from './fake-mistral.ts';

export type ChatTestApp = TestApp & { fake: FakeMistral; gens: Generations; baseUrl: string; server: Server };

export async function chatApp(dialect: Dialect, env: Record<string, string> = {}): Promise<ChatTestApp> {
  const fake = await startFakeMistral();
  const t = await testApp(dialect, { MISTRAL_API_KEY: 'test-key', MISTRAL_SERVER_URL: fake.url, ...env });
  const gens = t.app.locals.generations as Generations;
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...t, fake, gens, server, baseUrl,
    async close() {
      await gens.shutdown();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await fake.stop();
      await t.close();
    },
  };
}

export type Session = { user: User; token: string; cookie: string; csrf: string };

let counter = 0;
/** A signed-in user with a session cookie and the CSRF token a page gave them. */
/** `emailVerified`: the address is proven (as Google, OIDC or a reset link prove it): needed for an admin. */
export async function signIn(t: TestApp, email = `u${++counter}-${Date.now()}@example.com`, opts: { emailVerified?: boolean } = {}): Promise<Session> {
  const user = await createUser(t.db, { email, name: 'Tester', emailVerified: opts.emailVerified });
  const token = await issueToken(t.db, user.id, { ttlDays: 1 });
  const res = await request(t.app).get('/').set('Cookie', `access_token=${token}`);
  const sid = (res.headers['set-cookie'] as unknown as string[] | undefined)?.map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid=')) ?? '';
  const csrf = /"X-CSRF-Token": "([^"]+)"/.exec(res.text)?.[1] ?? '';
  if (!csrf) throw new Error(`no CSRF token on / (status ${res.status})`);
  return { user, token, csrf, cookie: [`access_token=${token}`, sid].filter(Boolean).join('; ') };
}

export type SseEvent = { event: string; id: string; data: string };
export type SseRead = {
  status: number; headers: Headers; events: SseEvent[]; raw: string; bytes: number; wireBytes: number;
  /** The server ended the response (a complete body), as opposed to `until` or the timeout stopping the read. */
  ended: boolean;
  /** The read stopped at the timeout: the stream was still open. */
  timedOut: boolean;
};

/**
 * Reads an event stream until the server ends it, `until` says stop, or the timeout. `bytes` counts the decoded
 * stream, `wireBytes` what crossed the wire (gzipped when `gzip` is asked for and the server compresses).
 */
export function readSse(url: string, headers: Record<string, string>, opts: { until?: (e: SseEvent[]) => boolean; timeoutMs?: number; gzip?: boolean } = {}): Promise<SseRead> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let raw = '';
    let bytes = 0;
    let wireBytes = 0;
    let buf = '';
    let status = 0;
    const h = new Headers();
    let done = false;
    let ended = false;
    let timedOut = false;
    const decoder = new StringDecoder('utf8');
    const finish = () => { if (done) return; done = true; clearTimeout(timer); req.destroy(); resolve({ status, headers: h, events, raw, bytes, wireBytes, ended, timedOut }); };
    const req = http.get(url, { headers: { 'Accept-Encoding': opts.gzip ? 'gzip' : 'identity', ...headers } }, (res) => {
      status = res.statusCode ?? 0;
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
      res.on('data', (c: Buffer) => { wireBytes += c.length; });
      const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(zlib.createGunzip()) : res;
      body.on('data', (c: Buffer) => {
        bytes += c.length;
        const text = decoder.write(c);
        raw += text;
        buf += text;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const lines = buf.slice(0, i).split('\n');
          buf = buf.slice(i + 2);
          if (lines.every((l) => l.startsWith(':') || l.startsWith('retry:'))) continue;
          const ev: SseEvent = { event: 'message', id: '', data: '' };
          const data: string[] = [];
          for (const l of lines) {
            if (l.startsWith('event: ')) ev.event = l.slice(7);
            else if (l.startsWith('id: ')) ev.id = l.slice(4);
            else if (l.startsWith('data: ')) data.push(l.slice(6));
          }
          ev.data = data.join('\n');
          events.push(ev);
        }
        if (opts.until?.(events)) finish();
      });
      body.on('end', () => { ended = true; finish(); });
      body.on('error', finish);
      res.on('close', () => setTimeout(finish, 20));
    });
    req.on('error', (err) => { if (!done) reject(err); });
    const timer = setTimeout(() => { timedOut = true; finish(); }, opts.timeoutMs ?? 10_000);
  });
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
