// Which key, model and system prompt reach Mistral: proven by what the fake upstream received.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

const USER_KEY = 'sk-user-own-key-5678';
const SERVER_KEY = 'test-key';

type ChatBody = { model: string; messages: { role: string; content: string }[]; reasoning_effort?: string };

describe.each(DIALECTS)('model, key and context choice on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); t.fake.validKeys = null; });

  const api = (s: Session) => ({ Authorization: `Bearer ${s.token}` });

  /** Sends a message through the JSON API and waits for the answer to finish; returns what the upstream received. */
  async function ask(s: Session, threadId: string, content = 'hello'): Promise<{ body: ChatBody; auth: string; reply: { id: number } }> {
    const before = t.fake.chatRequests.length;
    const sent = await request(t.app).post(`/api/thread/${threadId}/messages`).set(api(s)).send({ content });
    expect(sent.status).toBe(202);
    await waitFor(async () => {
      const row = await t.db('messages').where({ id: sent.body.reply.id }).first();
      return row && !['pending', 'streaming'].includes(row.status);
    });
    const rec = t.fake.chatRequests[before];
    return { body: rec.body as ChatBody, auth: String(rec.headers.authorization), reply: sent.body.reply };
  }

  async function newThread(s: Session, body: Record<string, unknown> = {}): Promise<string> {
    const res = await request(t.app).post('/api/thread').set(api(s)).send(body);
    expect(res.status).toBe(201);
    return res.body.thread.id;
  }

  it('uses the configured defaults when neither user nor thread chose anything', async () => {
    const s = await signIn(t);
    const sent = await ask(s, await newThread(s));
    expect(sent.auth).toBe(`Bearer ${SERVER_KEY}`);
    expect(sent.body.model).toBe('mistral-small-latest');
    expect(sent.body.messages[0]).toEqual({ role: 'user', content: 'hello' });
    expect(sent.body.reasoning_effort).toBeUndefined();
  });

  it("sends the user's default model and default context, and the user's key over the server's", async () => {
    const s = await signIn(t);
    const put = await request(t.app).put('/api/settings').set(api(s))
      .send({ apiKey: USER_KEY, defaultModel: 'mistral-large-latest', defaultContext: 'Answer in French.' });
    expect(put.status).toBe(200);
    const sent = await ask(s, await newThread(s));
    expect(sent.auth).toBe(`Bearer ${USER_KEY}`);
    expect(sent.body.model).toBe('mistral-large-latest');
    expect(sent.body.messages[0]).toEqual({ role: 'system', content: 'Answer in French.' });
    // The answer records the model that wrote it, and the page shows it.
    const row = await t.db('messages').where({ id: sent.reply.id }).first();
    expect(row.model).toBe('mistral-large-latest');
  });

  it("the thread's model and context win over the user's defaults, from the next message on", async () => {
    const s = await signIn(t);
    await request(t.app).put('/api/settings').set(api(s))
      .send({ defaultModel: 'mistral-large-latest', defaultContext: 'Default context.', fastModels: ['codestral-latest'] });
    const id = await newThread(s);
    const first = await ask(s, id, 'one');
    expect(first.body.model).toBe('mistral-large-latest');

    // The header menu, as a plain form (JavaScript off).
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(page.text).toContain(`action="/threads/${id}/model"`);
    expect(page.text).toMatch(/<option value="codestral-latest">codestral-latest<\/option>/);
    expect(page.text).toContain('Default (mistral-large-latest)');
    const saved = await request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, model: 'codestral-latest', context: 'You review code.' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/threads/${id}#latest`);

    const second = await ask(s, id, 'two');
    expect(second.body.model).toBe('codestral-latest');
    expect(second.body.messages[0]).toEqual({ role: 'system', content: 'You review code.' });
    // The whole history of the conversation goes up, in order.
    expect(second.body.messages.slice(1).map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(second.body.messages.at(-1)).toEqual({ role: 'user', content: 'two' });

    const after = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(after.text).toMatch(/<span class="msg-model"[^>]*>mistral-large-latest<\/span>/);
    expect(after.text).toMatch(/<span class="msg-model"[^>]*>codestral-latest<\/span>/);
    expect(after.text).toMatch(/<option value="codestral-latest" selected>/);

    // Back to the default: an empty choice clears the thread's model.
    await request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, model: '', context: '' }).expect(303);
    const third = await ask(s, id, 'three');
    expect(third.body.model).toBe('mistral-large-latest');
    expect(third.body.messages[0]).toEqual({ role: 'system', content: 'Default context.' });
  });

  it('the menu answers htmx with the header fragment, and bad input with 422 keeping what was typed', async () => {
    const s = await signIn(t);
    const id = await newThread(s);
    const frag = await request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).set('HX-Request', 'true').type('form')
      .send({ _csrf: s.csrf, model: 'mistral-large-latest', context: 'ctx' });
    expect(frag.status).toBe(200);
    expect(frag.text.trim()).toMatch(/^<header class="thread-head" id="thread-head">/);
    expect(frag.text).toContain('Saved: used from the next message.');
    const long = 'y'.repeat(20_001);
    const bad = await request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, model: 'not a model!', context: long });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('That is not a model name');
    expect(bad.text).toContain(long);
    const badFrag = await request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).set('HX-Request', 'true').type('form')
      .send({ _csrf: s.csrf, model: 'mistral-small-latest', context: long });
    expect(badFrag.status).toBe(422);
    expect(badFrag.text).toContain('the limit is 20000');
    expect((await t.db('threads').where({ id }).first()).model).toBe('mistral-large-latest');
    const noCsrf = await request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).type('form').send({ model: 'x' });
    expect(noCsrf.status).toBe(403);
  });

  it("another user's thread is 404 for the menu", async () => {
    const owner = await signIn(t);
    const other = await signIn(t);
    const id = await newThread(owner);
    const res = await request(t.app).post(`/threads/${id}/model`).set('Cookie', other.cookie).type('form')
      .send({ _csrf: other.csrf, model: 'mistral-large-latest' });
    expect(res.status).toBe(404);
    expect((await t.db('threads').where({ id }).first()).model).toBeNull();
  });

  it('one model-name rule for the API, the header menu and settings: a self-hosted name passes, nonsense is 422', async () => {
    const s = await signIn(t);
    const id = await newThread(s);
    for (const model of ['', 'has spaces', 'bad model!', 'x'.repeat(101), 'x'.repeat(500), '<b>', '<script>', 42]) {
      const res = await request(t.app).patch(`/api/thread/${id}`).set(api(s)).send({ model });
      expect(res.status, String(model)).toBe(422);
      expect(res.body.error.fields.model).toMatch(/not a model name/);
    }
    const vllm = 'mistralai/Mistral-Small-3.2-24B-Instruct-2506';
    const ok = await request(t.app).patch(`/api/thread/${id}`).set(api(s)).send({ model: vllm, context: 'Think.', thinkHarder: true });
    expect(ok.status).toBe(200);
    expect(ok.body.thread).toMatchObject({ model: vllm, context: 'Think.', thinkHarder: true });
    expect((await ask(s, id)).body.model).toBe(vllm);
    // The header menu takes the same names, and refuses the same nonsense.
    const menu = (model: string) => request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, model, context: '' });
    expect((await menu('other/Model@v2')).status).toBe(303);
    expect((await menu('<script>')).status).toBe(422);
    expect((await t.db('threads').where({ id }).first()).model).toBe('other/Model@v2');
  });

  it('without JavaScript, a refused model shows the whole thread: its messages, the sidebar, the menu open with the error and what was typed', async () => {
    const s = await signIn(t);
    const id = await newThread(s, { title: 'Keeps its messages' });
    await ask(s, id, 'a question that stays in view');
    const res = await request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, model: 'bad model!', context: 'Typed context, kept' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('a question that stays in view');
    expect(res.text).toMatch(/<nav class="sidebar"[\s\S]*Keeps its messages/);
    expect(res.text).toMatch(/<details class="menu model-menu" open>/);
    expect(res.text).toMatch(/id="thread-model-error"[^>]*>[^<]*not a model name/);
    expect(res.text).toContain('Typed context, kept</textarea>');
    expect(res.text).toContain('id="composer"');
  });

  it('the "think harder" switch is offered only for adjustable-reasoning models (not codestral, not magistral)', async () => {
    const s = await signIn(t);
    const page = async (model: string | null) => {
      const id = await newThread(s, { model });
      return (await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie)).text;
    };
    // No model of its own: the default, mistral-small-latest (Mistral Small 4), adjusts its reasoning.
    for (const model of [null, 'mistral-small-latest', 'mistral-small-2603', 'mistral-medium-3-5', 'mistral-large-4-0']) {
      expect(await page(model), String(model)).toMatch(/<input type="checkbox" id="thread-think" name="think_harder"/);
    }
    for (const model of ['codestral-latest', 'magistral-medium-latest', 'magistral-small-latest']) {
      const html = await page(model);
      expect(html, model).toContain('id="thread-model"');
      expect(html, model).not.toContain('Think harder');
    }
  });

  it('"think harder" from the form (JavaScript off) and from the JSON API sends reasoning_effort "high"; off sends none', async () => {
    const s = await signIn(t);
    const id = await newThread(s);
    const menu = (body: Record<string, string>) => request(t.app).post(`/threads/${id}/model`).set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, model: '', context: '', ...body }).expect(303);
    expect((await ask(s, id, 'plain')).body.reasoning_effort).toBeUndefined();
    await menu({ think_harder: 'on' });
    const form = await ask(s, id, 'harder by form');
    expect(form.body).toMatchObject({ model: 'mistral-small-latest', reasoning_effort: 'high' });
    expect((await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie)).text).toMatch(/name="think_harder"[^>]* checked>/);
    await menu({});
    expect((await ask(s, id, 'off by form')).body.reasoning_effort).toBeUndefined();

    await request(t.app).patch(`/api/thread/${id}`).set(api(s)).send({ thinkHarder: true }).expect(200);
    expect((await ask(s, id, 'harder by API')).body.reasoning_effort).toBe('high');
    // Switched on, it still never reaches a model that would not take it: magistral always reasons, codestral never.
    for (const model of ['magistral-medium-latest', 'codestral-latest']) {
      await request(t.app).patch(`/api/thread/${id}`).set(api(s)).send({ model }).expect(200);
      expect((await ask(s, id, model)).body.reasoning_effort, model).toBeUndefined();
    }
    await request(t.app).patch(`/api/thread/${id}`).set(api(s)).send({ model: null, thinkHarder: false }).expect(200);
    expect((await ask(s, id, 'off by API')).body.reasoning_effort).toBeUndefined();
  });

  it('a model the key lists under an alias of an adjustable-reasoning model gets it too', async () => {
    const s = await signIn(t);
    t.fake.models = [{ id: 'mistral-medium-3-5', aliases: ['mistral-medium-latest'], capabilities: { completion_chat: true, reasoning: true } }];
    // The user's own key: its model list is fetched now, with this catalogue (the server key's list is cached).
    await request(t.app).put('/api/settings').set(api(s)).send({ apiKey: 'sk-alias-listing-2468' }).expect(200);
    const id = await newThread(s, { model: 'mistral-medium-latest', thinkHarder: true });
    expect((await ask(s, id)).body).toMatchObject({ model: 'mistral-medium-latest', reasoning_effort: 'high' });
  });
});
