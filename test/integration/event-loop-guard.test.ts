// Issue 9: no input may hold the event loop. Every route the app has (read from the app, so a new one is covered by
// default) gets every adversarial shape in its body (JSON near the 2 MB limit, and a form), its query string, its
// headers and its path; then the fake upstream answers with each shape (50 KB) and the answer is streamed, titled,
// shown and replayed. Any request (or answer) during which the loop stood still for more than 200 ms fails the test.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { deepJson, PAYLOADS, routesOf, stallOf, type Route } from '../support/adversarial.ts';
import { chatApp, readSse, signIn, waitFor, type ChatTestApp } from '../support/fake-mistral-app.ts';

const LIMIT_MS = 200;
const BODY_LIMIT = 2 * 1024 * 1024;
// Every field name a form or JSON route of ours reads.
const FIELDS = ['content', 'email', 'password', 'name', 'title', 'context', 'model', 'confirm', 'next', 'current', 'q',
  'id_token', 'apiKey', 'defaultModel', 'defaultContext', 'fastModels', 'thinkHarder', 'before', 'cursor'];
// Routes that end the session or delete what the next request needs: each payload gets a fresh user.
const DESTRUCTIVE = new Set(['post /logout', 'post /api/auth/logout', 'post /account/sessions/revoke-all',
  'post /account/sessions/:id/revoke', 'post /threads/:id/delete', 'delete /api/thread/:id', 'delete /api/user', 'post /account/delete']);

type Fixture = { cookie: string; csrf: string; token: string; threadId: string; messageId: number };

async function fixture(t: ChatTestApp): Promise<Fixture> {
  const s = await signIn(t);
  const now = new Date();
  const threadId = `guard${Math.random().toString(36).slice(2, 12)}`;
  await t.db('threads').insert({ id: threadId, user_id: s.user.id, title: 'Guard', created_at: now, updated_at: now });
  const base = { thread_id: threadId, created_at: now, updated_at: now, status: 'complete' };
  await t.db('messages').insert({ ...base, role: 'user', content: 'question' });
  const [messageId] = await t.db('messages').insert({ ...base, role: 'assistant', content: 'answer', model: 'mistral-small-latest' });
  return { cookie: s.cookie, csrf: s.csrf, token: s.token, threadId, messageId: Number(messageId) };
}

/** A value whose URL-encoded form is at most `max` characters (query strings and paths share a 16 KB header limit). */
const encodedAtMost = (value: string, max: number) => {
  let v = value.slice(0, max);
  while (encodeURIComponent(v).length > max) v = v.slice(0, Math.floor(v.length / 2));
  return v;
};
/** Header values carry no line breaks or control characters. */
const headerSafe = (value: string) => encodedAtMost(value.replace(/[\u0000-\u001f\u007f]/g, ' '), 1000);

function pathFor(route: Route, f: Fixture, param?: string): string {
  return route.path.replace(':id', param ?? f.threadId).replace(':messageId', param ?? String(f.messageId)).replace('*file', param ?? 'x.css');
}

/** Every field set to the payload: `content` at 90,000 characters (under MAX_MESSAGE_CHARS), the rest at 2,000. */
const fieldsOf = (payload: (n: number) => string) => Object.fromEntries(FIELDS.map((k) => [k, payload(k === 'content' ? 90_000 : 2000)]));

/** JSON with every field set; with `fill`, padded with the payload to just under the 2 MB body limit. */
function jsonBody(payload: (n: number) => string, fill: boolean): string {
  const fields = fieldsOf(payload);
  const body = JSON.stringify(fields);
  if (!fill) return body;
  const perChar = JSON.stringify(payload(1000)).length / 1000;
  return JSON.stringify({ ...fields, filler: payload(Math.floor((BODY_LIMIT - body.length - 8192) / perChar)) });
}

function formBody(payload: (n: number) => string, csrf: string): string {
  const body = new URLSearchParams({ _csrf: csrf, ...fieldsOf(payload) }).toString();
  return body.length < BODY_LIMIT ? body : new URLSearchParams({ _csrf: csrf, ...fieldsOf(payload), content: payload(20_000) }).toString();
}

describe.each(DIALECTS)('event-loop guard on %s', (dialect) => {
  let t: ChatTestApp;
  const stalls: string[] = [];
  const guard = async (label: string, fn: () => Promise<unknown>) => {
    const ms = await stallOf(fn, LIMIT_MS);
    if (ms > LIMIT_MS) stalls.push(`${label}: ${Math.round(ms)} ms`);
  };
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0', ALLOW_GUESTS: 'true', TRUSTED_AUTH_HEADER: 'Remote-Email', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => { await t?.close(); });

  it('no route stalls on adversarial bodies, query strings, headers or paths', async () => {
    const routes = routesOf(t.app);
    expect(routes.length).toBeGreaterThan(40);
    // The first request of each kind loads code lazily: warm up outside the measurement.
    const warm = await fixture(t);
    await request(t.app).post(`/threads/${warm.threadId}/messages`).set('Cookie', warm.cookie).type('form').send({ _csrf: warm.csrf, content: 'hi' });
    await request(t.app).get(`/threads/${warm.threadId}`).set('Cookie', warm.cookie);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      let f = await fixture(t);
      for (const [name, payload] of Object.entries(PAYLOADS)) {
        // A fresh user where the route ends the session, deletes, or grows the thread (each send would otherwise add
        // 90 KB to the history the next one sends upstream, which measures the history's size, not the input's shape).
        if (DESTRUCTIVE.has(key) || key.endsWith('/messages')) f = await fixture(t);
        const query = FIELDS.slice(0, 6).map((k) => `${k}=${encodeURIComponent(encodedAtMost(payload(1000), 1000))}`).join('&') + `&after=${encodeURIComponent(encodedAtMost(payload(500), 500))}`;
        const headers = {
          Cookie: f.cookie, 'X-CSRF-Token': f.csrf, 'HX-Request': 'true', 'HX-Current-URL': headerSafe(payload(1000)),
          'Last-Event-ID': headerSafe(payload(1000)), 'User-Agent': headerSafe(payload(1000)), 'X-Request-Id': headerSafe(payload(1000)),
          'Remote-Email': headerSafe(payload(1000)),
        };
        const call = (path: string) => request(t.app)[route.method as 'post'](path).timeout(20_000);
        await guard(`${key} ${name} query+headers`, () => call(`${pathFor(route, f)}?${query}`).set(headers));
        // Ids are looked up, never parsed: a few shapes are enough for the path.
        if (['dots', 'backslashes', 'less-than', 'long-line'].includes(name)) {
          await guard(`${key} ${name} path`, () => call(pathFor(route, f, encodeURIComponent(encodedAtMost(payload(2000), 2000)))).set(headers));
        }
        if (route.method === 'get') continue;
        await guard(`${key} ${name} JSON`, () => call(pathFor(route, f)).set('Authorization', `Bearer ${f.token}`)
          .set('Content-Type', 'application/json').send(jsonBody(payload, name === 'dots' || name === 'backslashes')));
        await guard(`${key} ${name} form`, () => call(pathFor(route, f)).set('Cookie', f.cookie).type('form').send(formBody(payload, f.csrf)));
      }
      if (route.method !== 'get') {
        await guard(`${key} 100k-deep JSON`, () => request(t.app)[route.method as 'post'](pathFor(route, f)).set('Authorization', `Bearer ${f.token}`)
          .set('Content-Type', 'application/json').send(deepJson(100_000)).timeout(20_000));
      }
    }
    expect(stalls).toEqual([]);
  }, 600_000);

  it('no adversarial answer from the upstream stalls its stream, its title, the thread page or its replay', async () => {
    for (const [name, payload] of Object.entries(PAYLOADS)) {
      const f = await fixture(t);
      const auth = { Authorization: `Bearer ${f.token}` };
      // 50 KB: a long answer, where every quadratic path found so far already took seconds (lines of `\[`: 10.8 s).
      // Linearity up to 200 KB, against prose, is markdown-linear.test.ts's; here the point is the whole path.
      const text = payload(50_000);
      const chunk = Math.ceil(text.length / 40);
      let threadId = '';
      let replyId = 0;
      // Everything the answer needs is set up inside, so that a second measurement (see stallOf) repeats it whole.
      await guard(`answer ${name}: streamed and saved`, async () => {
        t.fake.enqueue({ tokens: Array.from({ length: 40 }, (_, i) => text.slice(i * chunk, (i + 1) * chunk)).filter(Boolean) });
        t.fake.completionText = payload(2000);
        threadId = (await request(t.app).post('/api/thread').set(auth).send({})).body.thread.id;
        const sent = await request(t.app).post(`/api/thread/${threadId}/messages`).set(auth).send({ content: `question ${payload(5000)}` });
        expect(sent.status, name).toBe(202);
        replyId = sent.body.reply.id;
        await waitFor(async () => (await t.db('messages').where({ id: replyId }).first())?.status === 'complete', 30_000);
      });
      const saved = await t.db('messages').where({ id: replyId }).first();
      expect(saved.content.length, name).toBe(text.length);
      await guard(`answer ${name}: thread page`, () => request(t.app).get(`/threads/${threadId}`).set('Cookie', f.cookie));
      await guard(`answer ${name}: replay`, () => readSse(`${t.baseUrl}/threads/${threadId}/messages/${replyId}/events`, { Cookie: f.cookie }, { timeoutMs: 20_000 }));
    }
    t.fake.completionText = 'A Short Fake Title';
    expect(stalls).toEqual([]);
  }, 600_000);
});
