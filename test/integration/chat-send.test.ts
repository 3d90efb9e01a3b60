import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { linkAsPath } from '../support/message-paths.ts';

const lastThread = async (t: ChatTestApp, userId: number) => t.db('threads').where({ user_id: userId }).orderBy('created_at', 'desc').first();
const messagesOf = async (t: ChatTestApp, threadId: string) => t.db('messages').where({ thread_id: threadId }).orderBy('id');

describe.each(DIALECTS)('sending and answers on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  it('creates a chat from its first message (plain form), streams the answer and saves it complete with usage', async () => {
    t.fake.enqueue({ tokens: ['Bonjour', ' à', ' toi', ' 🚀'], usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 } });
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'Say hello' });
    expect(res.status).toBe(303);
    const thread = await lastThread(t, s.user.id);
    // Without JavaScript the form goes to the page that follows the answer (follow.ts): read to its end, it holds
    // the whole answer and ends when the answer does.
    expect(res.headers.location).toMatch(new RegExp(`^/threads/${thread.id}\\?follow=\\d+#m-\\d+$`));
    const followed = await request(t.app).get(res.headers.location.split('#')[0]).set('Cookie', s.cookie);
    expect(followed.status).toBe(200);
    expect(followed.text).toContain('<p>Bonjour à toi 🚀</p>');
    expect(followed.text).toMatch(/<\/html>\s*$/);
    await t.gens.idle();
    const [user, reply] = await messagesOf(t, thread.id);
    expect(user).toMatchObject({ role: 'user', content: 'Say hello', status: 'complete' });
    expect(reply).toMatchObject({ role: 'assistant', content: 'Bonjour à toi 🚀', status: 'complete', model: 'mistral-small-latest' });
    expect(JSON.parse(typeof reply.usage === 'string' ? reply.usage : JSON.stringify(reply.usage))).toEqual({ promptTokens: 7, completionTokens: 4, totalTokens: 11 });
    const upstream = t.fake.chatRequests.at(-1)!;
    expect(upstream.headers.authorization).toBe('Bearer test-key');
    expect(upstream.body).toMatchObject({ model: 'mistral-small-latest', stream: true, messages: [{ role: 'user', content: 'Say hello' }] });
    // The title comes from a short non-streamed call after the first answer.
    await waitFor(async () => (await lastThread(t, s.user.id)).title);
    expect((await lastThread(t, s.user.id)).title).toBe('A Short Fake Title');
    const page = await request(t.app).get(`/threads/${thread.id}`).set('Cookie', s.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Bonjour à toi 🚀');
    expect(page.text).toContain(`<h1 data-title-of="${thread.id}">A Short Fake Title</h1>`);
    expect(page.text).not.toContain('sse-connect');
    expect(page.text).not.toContain('http-equiv="refresh"');
  });

  it('answers htmx with the two bubbles, the answer subscribing over SSE, and the stream delivers it', async () => {
    const thread = await lastThread(t, s.user.id);
    t.fake.enqueue({ tokens: ['One', ' two', '\n\nthree', ' **four**'], tokenDelayMs: 30 });
    const res = await request(t.app).post(`/threads/${thread.id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true')
      .set('X-CSRF-Token', s.csrf).type('form').send({ content: 'Count <b>please</b>' });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<!doctype html>');
    expect(res.text).toContain('Count &lt;b&gt;please&lt;/b&gt;');
    const m = /id="m-(\d+)" data-status="pending"/.exec(res.text);
    expect(m).not.toBeNull();
    expect(res.text).toMatch(/hx-ext="sse" sse-connect="\/threads\/[\w-]+\/messages\/\d+\/events\?after=0\.0" sse-close="done"/);
    // The model saw the whole conversation so far.
    const sse = await readSse(`${t.baseUrl}/threads/${thread.id}/messages/${m![1]}/events?after=0.0`, { Cookie: s.cookie });
    expect(sse.status).toBe(200);
    expect(sse.ended).toBe(true);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.headers.get('x-accel-buffering')).toBe('no');
    expect(sse.headers.get('cache-control')).toBe('no-store');
    expect(sse.events.at(-1)!.event).toBe('done');
    expect(sse.events.every((e) => /^\d+\.\d+$/.test(e.id))).toBe(true);
    expect(sse.events.at(-1)!.id).toBe(`0.${'One two\n\nthree **four**'.length}`);
    const html = sse.events.map((e) => e.data).join('');
    expect(html).toContain('<strong>four</strong>');
    expect(html).toContain('<p>One two</p>');
    const history = t.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(history.messages.map((x) => x.role)).toEqual(['user', 'assistant', 'user']);
    expect(history.messages[2].content).toBe('Count <b>please</b>');
  });

  it('refuses an empty message (422) and a too long one, keeping the text; a plain browser gets the page back', async () => {
    const thread = await lastThread(t, s.user.id);
    const before = (await messagesOf(t, thread.id)).length;
    const empty = await request(t.app).post(`/threads/${thread.id}/messages`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Write a message first.');
    const long = 'x'.repeat(100_001);
    const tooLong = await request(t.app).post(`/threads/${thread.id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf)
      .type('form').send({ content: long });
    expect(tooLong.status).toBe(422);
    expect(tooLong.headers['hx-retarget']).toBe('#composer');
    expect(tooLong.text).toContain('the limit is 100,000');
    expect(tooLong.text).toContain(long);
    const home = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: '' });
    expect(home.status).toBe(422);
    expect(home.text).toContain('Write a message first.');
    expect((await messagesOf(t, thread.id)).length).toBe(before);
  });

  it('refuses a second message while an answer is still streaming, keeping the text (409)', async () => {
    const thread = await lastThread(t, s.user.id);
    t.fake.enqueue({ tokens: ['a', 'b'], hang: true });
    const first = await request(t.app).post(`/threads/${thread.id}/messages`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'first' });
    expect(first.status).toBe(303);
    const second = await request(t.app).post(`/threads/${thread.id}/messages`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'second question' });
    expect(second.status).toBe(409);
    expect(second.text).toContain('The previous answer is still being written');
    expect(second.text).toContain('>second question</textarea>');
    // With JavaScript off, the unfinished answer offers the page that follows it (follow.ts); nothing refreshes.
    expect(first.headers.location).toMatch(new RegExp(`^/threads/${thread.id}\\?follow=\\d+#m-\\d+$`));
    expect(second.text).toMatch(new RegExp(`<noscript><a href="/threads/${thread.id}\\?follow=\\d+#m-\\d+">Follow the answer as it is written</a></noscript>`));
    expect(second.text).not.toContain('http-equiv="refresh"');
    const htmx = await request(t.app).post(`/threads/${thread.id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ content: 'again' });
    expect(htmx.status).toBe(409);
    expect(htmx.headers['hx-retarget']).toBe('#flash');
    const live = await t.db('messages').where({ thread_id: thread.id }).whereIn('status', ['pending', 'streaming']).first();
    expect(live).toBeTruthy();
    await request(t.app).post(`/threads/${thread.id}/messages/${live?.id ?? 0}/stop`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf });
    await t.gens.idle();
    expect((await messagesOf(t, thread.id)).filter((x) => x.content === 'second question')).toHaveLength(0);
  });

  it('ends in error pointing to Settings when no key is set, keeping the user message', async () => {
    const t2 = await chatApp(dialect, { MISTRAL_API_KEY: '' });
    try {
      const s2 = await signIn(t2);
      const res = await request(t2.app).post('/threads').set('Cookie', s2.cookie).type('form').send({ _csrf: s2.csrf, content: 'hello?' });
      expect(res.status).toBe(303);
      await t2.gens.idle();
      const thread = await lastThread(t2, s2.user.id);
      const [user, reply] = await messagesOf(t2, thread.id);
      expect(user.content).toBe('hello?');
      expect(reply.status).toBe('error');
      expect(reply.error).toMatch(/Settings/);
      const page = await request(t2.app).get(`/threads/${thread.id}`).set('Cookie', s2.cookie);
      expect(page.text).toContain('href="/settings">Open Settings</a>');
      expect(t2.fake.chatRequests).toHaveLength(0);
    } finally {
      await t2.close();
    }
  });

  it('recovers an answer left live by a crashed instance: interrupted, retryable, and the thread accepts messages again', async () => {
    const thread = await lastThread(t, s.user.id);
    await t.gens.idle();
    const old = new Date(Date.now() - 10 * 60_000);
    const [id] = await t.db('messages').insert({ thread_id: thread.id, role: 'assistant', content: 'half an ans', thinking: null, status: 'streaming', error: null, model: null, usage: null, created_at: old, updated_at: old });
    await linkAsPath(t.db, thread.id);
    const page = await request(t.app).get(`/threads/${thread.id}`).set('Cookie', s.cookie);
    expect(page.text).not.toContain('http-equiv="refresh"');
    expect(await t.db('messages').where({ id: Number(id) }).first()).toMatchObject({ status: 'interrupted', content: 'half an ans' });
    expect(page.text).toContain(`/messages/${Number(id)}/retry`);
    const res = await request(t.app).post(`/threads/${thread.id}/messages`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'after the crash' });
    expect(res.status).toBe(303);
    await t.gens.idle();
  });

  it('works under a base path: redirects, SSE and form URLs carry it', async () => {
    const t2 = await chatApp(dialect, { BASE_PATH: '/chat' });
    try {
      const user = await createUser(t2.db, { email: 'base@example.com' });
      const token = await issueToken(t2.db, user.id, { ttlDays: 1 });
      const home = await request(t2.app).get('/chat/').set('Cookie', `access_token=${token}`);
      expect(home.status).toBe(200);
      const sid = (home.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
      const csrf = /"X-CSRF-Token": "([^"]+)"/.exec(home.text)![1];
      expect(home.text).toContain('action="/chat/threads"');
      t2.fake.enqueue({ tokens: ['slow'], hang: true });
      const res = await request(t2.app).post('/chat/threads').set('Cookie', `access_token=${token}; ${sid}`).type('form').send({ _csrf: csrf, content: 'hi' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/chat\/threads\/[\w-]+\?follow=\d+#m-\d+$/);
      // The thread page itself (not the followed one, which would stay open while the upstream hangs).
      const page = await request(t2.app).get(res.headers.location.split('?')[0]).set('Cookie', `access_token=${token}`);
      expect(page.text).toMatch(/sse-connect="\/chat\/threads\/[\w-]+\/messages\/\d+\/events\?after=\d+\.\d+"/);
      expect(page.text).toMatch(/action="\/chat\/threads\/[\w-]+\/messages\/\d+\/stop"/);
      expect(page.text).toMatch(/<noscript><a href="\/chat\/threads\/[\w-]+\?follow=\d+#m-\d+">Follow the answer/);
    } finally {
      await t2.close();
    }
  });

  it('names a thread from a reasoning model\'s title answer (content parts: text kept, thinking ignored)', async () => {
    t.fake.completionContent = [
      { type: 'thinking', thinking: [{ type: 'text', text: 'They ask about tides; a short name.' }] },
      { type: 'text', text: 'Why Tides ' }, { type: 'text', text: 'Happen' },
    ];
    try {
      const u = await signIn(t);
      const res = await request(t.app).post('/threads').set('Cookie', u.cookie).type('form').send({ _csrf: u.csrf, content: 'Why are there tides?' });
      expect(res.status).toBe(303);
      await t.gens.idle();
      const title = await waitFor(async () => (await lastThread(t, u.user.id)).title);
      expect(title).toBe('Why Tides Happen');
    } finally {
      t.fake.completionContent = undefined;
    }
  });

  it('sends the whole history of the thread, in order, however long (here 150 messages)', async () => {
    const u = await signIn(t);
    const created = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${u.token}`).send({});
    const id = created.body.thread.id;
    const now = Date.now();
    await t.db('messages').insert(Array.from({ length: 150 }, (_, i) => ({
      thread_id: id, role: i % 2 ? 'assistant' : 'user', content: `turn ${i}`, thinking: null, status: 'complete',
      error: null, model: null, usage: null, created_at: new Date(now + i), updated_at: new Date(now + i),
    })));
    await linkAsPath(t.db, id);
    const sent = await request(t.app).post(`/api/thread/${id}/messages`).set('Authorization', `Bearer ${u.token}`).send({ content: 'and now?' });
    expect(sent.status).toBe(202);
    await t.gens.idle();
    const upstream = t.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(upstream.messages).toHaveLength(151);
    expect(upstream.messages.map((m) => m.content)).toEqual([...Array.from({ length: 150 }, (_, i) => `turn ${i}`), 'and now?']);
    expect(upstream.messages.map((m) => m.role).slice(0, 3)).toEqual(['user', 'assistant', 'user']);
  });

  it('creates a new chat together with its first message: a failure to store the message leaves no empty chat', async () => {
    const u = await signIn(t);
    // A real database failure while the exchange is stored, after the thread's row would have been written.
    if (dialect === 'mysql') {
      await t.db.raw("CREATE TRIGGER fail_exchange BEFORE INSERT ON messages FOR EACH ROW BEGIN IF NEW.content = 'explode' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by test trigger'; END IF; END");
    } else {
      await t.db.raw("CREATE TRIGGER fail_exchange BEFORE INSERT ON messages WHEN NEW.content = 'explode' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END");
    }
    try {
      const failed = await request(t.app).post('/threads').set('Cookie', u.cookie).type('form').send({ _csrf: u.csrf, content: 'explode' });
      expect(failed.status).toBe(500);
      expect(await t.db('threads').where({ user_id: u.user.id })).toHaveLength(0);
      const api = await request(t.app).get('/api/thread').set('Authorization', `Bearer ${u.token}`);
      expect(api.body.threads).toHaveLength(0);
    } finally {
      await t.db.raw('DROP TRIGGER fail_exchange');
    }
    const ok = await request(t.app).post('/threads').set('Cookie', u.cookie).type('form').send({ _csrf: u.csrf, content: 'fine' });
    expect(ok.status).toBe(303);
    expect(await t.db('threads').where({ user_id: u.user.id })).toHaveLength(1);
    await t.gens.idle();
  });
});
