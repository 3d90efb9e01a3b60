// Forks (a share into the reader's account, an own thread from a message), a share taken while an answer streams,
// the XSS payloads of chat-render on the share page, and the rate limit on share creation.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { answeredThread, bearer, shareOf, type Json } from '../support/shares.ts';
import { expectInert, XSS } from '../support/xss.ts';

const messagesOf = (html: string) => html.slice(html.indexOf('<div class="messages" id="messages">'), html.indexOf('<footer class="share-foot">'));
const shownOf = async (t: ChatTestApp, s: Session, id: string) => (await request(t.app).get(`/api/thread/${id}`).set(bearer(s))).body as Json;
const copyOf = (m: Json) => ({ role: m.role, content: m.content, thinking: m.thinking, status: m.status, model: m.model, usage: m.usage, createdAt: m.createdAt });

describe.each(DIALECTS)('forks and share edge cases on %s', (dialect) => {
  let t: ChatTestApp;
  let owner: Session;
  let reader: Session;
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0', SHARE_LIMIT_PER_HOUR: '3' });
    owner = await signIn(t);
    reader = await signIn(t);
  });
  afterAll(async () => { await t?.close(); });

  it('"Continue in my account" copies the share exactly into a new thread of the reader; the owner\'s is unchanged', async () => {
    t.fake.enqueue({ tokens: ['thought-out answer'], thinking: ['hmm'], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
    const id = (await request(t.app).post('/api/thread').set(bearer(owner)).send({ title: 'Original', model: 'mistral-large-latest' })).body.thread.id;
    await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(owner)).send({ content: 'first' });
    await t.gens.idle();
    t.fake.enqueue({ tokens: ['second answer'] });
    await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(owner)).send({ content: 'second' });
    await t.gens.idle();
    const original = await shownOf(t, owner, id);
    const { code } = await shareOf(t, owner, id);

    expect((await request(t.app).post(`/api/shares/${code}/fork`).set('Authorization', 'Bearer not-a-token')).status).toBe(401);
    const res = await request(t.app).post(`/api/shares/${code}/fork`).set(bearer(reader));
    expect(res.status).toBe(201);
    expect(res.body.thread).toMatchObject({ title: 'Original', model: null, context: null });
    expect(res.body.thread.id).not.toBe(id);
    const copy = await shownOf(t, reader, res.body.thread.id);
    expect(copy.messages.map(copyOf)).toEqual(original.messages.map(copyOf));
    expect(copy.messages.map((m: Json) => m.model)).toEqual([null, 'mistral-large-latest', null, 'mistral-large-latest']);
    expect(copy.messages[1]).toMatchObject({ thinking: 'hmm', usage: { totalTokens: 7 } });
    // One path, root to leaf, and the thread shows its end.
    expect(copy.messages.map((m: Json) => m.parentId)).toEqual([null, ...copy.messages.slice(0, -1).map((m: Json) => m.id)]);
    const row = await t.db('threads').where({ id: res.body.thread.id }).first();
    expect(row.user_id).toBe(reader.user.id);
    expect(Number(row.current_leaf_id)).toBe(copy.messages.at(-1).id);
    expect((await request(t.app).get(`/api/thread/${res.body.thread.id}`).set(bearer(owner))).status).toBe(404);
    expect(await shownOf(t, owner, id)).toEqual(original);

    // The page's form: a plain POST, answered 303 to the new thread.
    const form = await request(t.app).post(`/s/${code}/fork`).set('Cookie', reader.cookie).type('form').send({ _csrf: reader.csrf });
    expect(form.status).toBe(303);
    expect(form.headers.location).toMatch(/^\/threads\/[A-Za-z0-9_-]+#latest$/);
    const page = await request(t.app).get(form.headers.location.replace('#latest', '')).set('Cookie', reader.cookie);
    expect(page.text).toContain('thought-out answer');
  });

  it('"New chat from here" copies the path from the first message to the chosen one, with the thread\'s settings', async () => {
    const id = await answeredThread(t, owner, 3, 'Long one');
    await request(t.app).patch(`/api/thread/${id}`).set(bearer(owner)).send({ model: 'mistral-medium-latest', context: 'Be brief.' });
    const shown = await shownOf(t, owner, id);
    const a2 = shown.messages[3];
    const res = await request(t.app).post(`/api/thread/${id}/fork`).set(bearer(owner)).send({ messageId: a2.id });
    expect(res.status).toBe(201);
    expect(res.body.thread).toMatchObject({ title: 'Long one', model: 'mistral-medium-latest', context: 'Be brief.' });
    const copy = await shownOf(t, owner, res.body.thread.id);
    expect(copy.messages.map((m: Json) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(await shownOf(t, owner, id)).toEqual(shown);
    expect((await request(t.app).post(`/api/thread/${id}/fork`).set(bearer(owner)).send({ messageId: 999999999 })).status).toBe(404);

    // In the thread: a link per answer; without JavaScript it opens a page that asks, whose form forks.
    const html = (await request(t.app).get(`/threads/${id}`).set('Cookie', owner.cookie)).text;
    expect([...html.matchAll(/<span class="lbl">New chat from here<\/span>/g)]).toHaveLength(3);
    const ask = await request(t.app).get(`/threads/${id}/messages/${shown.messages[2].id}/fork`).set('Cookie', owner.cookie);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('<h1>New chat from here</h1>');
    const post = await request(t.app).post(`/threads/${id}/messages/${shown.messages[2].id}/fork`).set('Cookie', owner.cookie).type('form').send({ _csrf: owner.csrf });
    expect(post.status).toBe(303);
    const htmx = await request(t.app).post(`/threads/${id}/messages/${shown.messages[2].id}/fork`).set('Cookie', owner.cookie).set('HX-Request', 'true').set('X-CSRF-Token', owner.csrf);
    expect(htmx.status).toBe(204);
    const to = JSON.parse(htmx.headers['hx-location']).path as string;
    const forked = await shownOf(t, owner, to.split('/')[2].replace('#latest', ''));
    expect(forked.messages.map((m: Json) => m.content)).toEqual(['q1', 'a1', 'q2']);
    expect((await request(t.app).get(`/threads/${id}/messages/${shown.messages[2].id}/fork`).set('Cookie', reader.cookie)).status).toBe(404);
  });

  it('a share taken while an answer is written has only what was final; the answer finishing changes nothing', async () => {
    const id = await answeredThread(t, owner, 1);
    t.fake.enqueue({ tokens: ['partial ', 'then ', 'more'], firstTokenDelayMs: 10, tokenDelayMs: 150 });
    await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(owner)).send({ content: 'streaming question' });
    await new Promise((r) => setTimeout(r, 200));
    const live = (await shownOf(t, owner, id)).messages.at(-1);
    expect(['pending', 'streaming']).toContain(live.status);
    const { code, path } = await shareOf(t, owner, id);
    await t.gens.idle();
    expect((await shownOf(t, owner, id)).messages.at(-1)).toMatchObject({ status: 'complete', content: 'partial then more' });
    const json = (await request(t.app).get(`/api/shares/${code}`)).body;
    expect(json.messages.map((m: Json) => `${m.role}:${m.content}`)).toEqual(['user:q1', 'assistant:a1', 'user:streaming question']);
    const page = (await request(t.app).get(path)).text;
    expect(page).not.toContain('partial');
    expect(page).not.toContain('sse-connect');
  });

  it('the chat tests\' XSS payloads are inert on the share page, in a question and in an answer', async () => {
    t.fake.enqueue({ tokens: [XSS] });
    const id = (await request(t.app).post('/api/thread').set(bearer(owner)).send({ title: '<script>alert("title")</script>' })).body.thread.id;
    await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(owner)).send({ content: XSS });
    await t.gens.idle();
    const { path } = await shareOf(t, owner, id);
    const page = (await request(t.app).get(path)).text;
    expectInert(messagesOf(page));
    expect(page).toContain('&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('class="katex'); // the math still renders
  });

  it('share creation is rate limited per user (SHARE_LIMIT_PER_HOUR), with Retry-After', async () => {
    const limited = await signIn(t);
    const id = await answeredThread(t, limited, 1);
    for (let i = 0; i < 3; i++) expect((await request(t.app).post(`/api/thread/${id}/shares`).set(bearer(limited)).send({})).status).toBe(201);
    const res = await request(t.app).post(`/api/thread/${id}/shares`).set(bearer(limited)).send({});
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body.error.message).toMatch(/share links/);
    // Others are not held back.
    expect((await request(t.app).post(`/api/thread/${await answeredThread(t, reader, 1)}/shares`).set(bearer(reader)).send({})).status).toBe(201);
  });
});
