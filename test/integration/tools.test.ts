// Answers with Mistral's built-in connectors (issue 14), from the outside: what the fake's Conversations API receives,
// what is saved (steps, sources, generated images as the answer's attachments, connector usage), the switches
// (thread, settings default, JSON API), and that a thread without tools still goes through chat completions.
// Rendering and replay: tools-render.test.ts.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { conv } from '../support/fake-mistral-conversations.ts';
import { bearer, type Json } from '../support/shares.ts';
import { screenshotLike } from '../support/images.ts';

describe.each(DIALECTS)('tools on %s', (dialect) => {
  let t: ChatTestApp;
  let me: Session;
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' });
    me = await signIn(t);
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); });

  const newThread = async (body: Json = {}) => (await request(t.app).post('/api/thread').set(bearer(me)).send(body)).body.thread as Json;
  async function ask(threadId: string, content: string) {
    const res = await request(t.app).post(`/api/thread/${threadId}/messages`).set(bearer(me)).send({ content });
    expect(res.status).toBe(202);
    await t.gens.idle();
    return res.body as { message: { id: number }; reply: { id: number } };
  }
  const reply = async (threadId: string, id: number) => ((await request(t.app).get(`/api/thread/${threadId}`).set(bearer(me))).body.messages as Json[]).find((m) => m.id === id)!;

  it('a thread with tools asks a conversation: tools, store false, the shown path as inputs, the context as instructions', async () => {
    const thread = await newThread({ context: 'Be brief.', tools: ['web_search', 'code_interpreter'] });
    expect(thread.tools).toEqual(['web_search', 'code_interpreter']);
    t.fake.conversations.enqueue({ events: [conv.text('First answer.')] }, { events: [conv.text('Second answer.')] });
    await ask(thread.id as string, 'First question');
    await ask(thread.id as string, 'Second question');
    expect(t.fake.chatRequests).toHaveLength(0);
    const body = t.fake.conversations.requests.at(-1)!;
    expect(body).toMatchObject({ stream: true, store: false, instructions: 'Be brief.', tools: [{ type: 'web_search' }, { type: 'code_interpreter' }] });
    expect(typeof body.model).toBe('string');
    expect((body.inputs as Json[]).map((e) => [e.object, e.type, e.role, e.content])).toEqual([
      ['entry', 'message.input', 'user', 'First question'],
      ['entry', 'message.input', 'assistant', 'First answer.'],
      ['entry', 'message.input', 'user', 'Second question'],
    ]);
  });

  it('steps, sources and connector usage are saved with the text', async () => {
    const thread = await newThread({ tools: ['web_search', 'code_interpreter'] });
    t.fake.conversations.enqueue({
      events: [
        conv.started('t1', 'web_search', '{"query": '), conv.delta('t1', 'web_search', '"paris weather"}'), conv.toolDone('t1', 'web_search'),
        conv.started('t2', 'code_interpreter', '{"code": "print(6*7)"}'), conv.toolDone('t2', 'code_interpreter', { code_output: '42\n' }),
        conv.text('It is sunny '), conv.chunk({ type: 'text', text: 'in Paris.' }), conv.chunk(conv.reference('Météo Paris', 'https://weather.example/paris', { description: 'Forecast', favicon: 'https://weather.example/f.ico' }), 0, 1),
        conv.chunk(conv.reference('Evil', 'javascript:alert(1)'), 0, 2),
      ],
      usage: { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39, connector_tokens: 120, connectors: { web_search: 1 } },
    });
    const { reply: r } = await ask(thread.id as string, 'Weather in Paris?');
    const m = await reply(thread.id as string, r.id);
    expect(m).toMatchObject({ status: 'complete', content: 'It is sunny in Paris.' });
    expect(m.steps).toEqual([
      { type: 'tool', name: 'web_search', status: 'done', input: '{"query": "paris weather"}' },
      { type: 'tool', name: 'code_interpreter', status: 'done', input: '{"code": "print(6*7)"}', output: '42\n' },
    ]);
    expect(m.sources).toEqual([{ title: 'Météo Paris', url: 'https://weather.example/paris', description: 'Forecast' }, { title: 'Evil', url: 'javascript:alert(1)' }]);
    expect(m.usage).toEqual({ promptTokens: 30, completionTokens: 9, totalTokens: 39, connectorTokens: 120, connectors: { web_search: 1 } });
  });

  it('a response error ends the answer as error with its partial text and steps; a cut stream keeps them as interrupted', async () => {
    const thread = await newThread({ tools: ['web_search'] });
    t.fake.conversations.enqueue({ events: [conv.text('Partial '), conv.started('t1', 'web_search', '{"query": "x"}'), conv.error('Connector web_search refused: quota exceeded')] });
    const { reply: r } = await ask(thread.id as string, 'Go');
    const m = await reply(thread.id as string, r.id);
    expect(m).toMatchObject({ status: 'error', content: 'Partial ' });
    expect(m.error).toContain('quota exceeded');
    expect(m.steps).toEqual([{ type: 'tool', name: 'web_search', status: 'error', input: '{"query": "x"}' }]);

    t.fake.conversations.enqueue({ events: [conv.started('t9', 'web_search', '{"query": "y"}'), conv.toolDone('t9', 'web_search'), conv.text('Half an '), conv.text('answer')], cutAfter: 3 });
    const { reply: r2 } = await ask(thread.id as string, 'Again');
    const m2 = await reply(thread.id as string, r2.id);
    expect(m2).toMatchObject({ status: 'interrupted', content: 'Half an ', steps: [{ name: 'web_search', status: 'done' }] });
    expect(m2.error).toMatch(/cut off/);

    // Retry starts the answer again from nothing: the failed attempt's steps and sources are gone.
    t.fake.conversations.enqueue({ events: [conv.text('Whole answer.')] });
    const retry = await request(t.app).post(`/threads/${thread.id}/messages/${r2.id}/retry`).set('Cookie', me.cookie).type('form').send({ _csrf: me.csrf });
    expect(retry.status).toBe(303);
    await t.gens.idle();
    expect(await reply(thread.id as string, r2.id)).toMatchObject({ status: 'complete', content: 'Whole answer.', steps: [], sources: [], attachments: [] });
  });

  it('a generated image is downloaded with the Files API and stored as the answer\'s attachment (thumbnail and original)', async () => {
    const png = await screenshotLike(320, 200);
    t.fake.conversations.files.set('file-abc', png);
    const thread = await newThread({ tools: ['image_generation'] });
    t.fake.conversations.enqueue({ events: [conv.started('t1', 'image_generation', '{"prompt": "a cat"}'), conv.toolDone('t1', 'image_generation'), conv.chunk(conv.file('file-abc', 'cat.png'), 2), conv.chunk({ type: 'text', text: 'Here is your cat.' }, 2, 1)] });
    const { reply: r } = await ask(thread.id as string, 'Draw a cat');
    expect(t.fake.conversations.fileRequests).toEqual(['file-abc']);
    const m = await reply(thread.id as string, r.id);
    expect(m).toMatchObject({ status: 'complete', content: 'Here is your cat.' });
    const atts = m.attachments as Json[];
    expect(atts).toHaveLength(1);
    expect(atts[0]).toMatchObject({ name: 'cat.png', kind: 'image', type: 'image/png', size: png.length, thumbnailUrl: `/files/${atts[0].id}/thumbnail` });
    const original = await request(t.app).get(`/files/${atts[0].id}`).set('Cookie', me.cookie).buffer(true).parse((res, cb) => { const b: Buffer[] = []; res.on('data', (c: Buffer) => b.push(c)); res.on('end', () => cb(null, Buffer.concat(b))); });
    expect(original.status).toBe(200);
    expect(Buffer.compare(original.body as Buffer, png)).toBe(0);
    const thumb = await request(t.app).get(`/files/${atts[0].id}/thumbnail`).set('Cookie', me.cookie);
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
  });

  it('switches: PATCH tools on a thread, the default in settings for new chats; none means chat completions as before', async () => {
    const bad = await request(t.app).patch(`/api/thread/${(await newThread()).id}`).set(bearer(me)).send({ tools: ['web_search', 'shell'] });
    expect(bad.status).toBe(422);
    const put = await request(t.app).put('/api/settings').set(bearer(me)).send({ defaultTools: ['image_generation', 'web_search'] });
    expect(put.status).toBe(200);
    expect(put.body.defaultTools).toEqual(['web_search', 'image_generation']);
    const refused = await request(t.app).put('/api/settings').set(bearer(me)).send({ defaultTools: 'web_search' });
    expect(refused.status).toBe(422);
    const fresh = await newThread();
    expect(fresh.tools).toEqual(['web_search', 'image_generation']);
    // A new chat started by its first message takes the default too.
    const first = await request(t.app).post('/api/thread').set(bearer(me)).send({ content: 'hello' });
    expect(first.body.thread.tools).toEqual(['web_search', 'image_generation']);
    await t.gens.idle();
    expect(t.fake.conversations.requests).toHaveLength(1);
    // Switched off: the next answer goes through chat completions, the request as before (no tools).
    const off = await request(t.app).patch(`/api/thread/${fresh.id}`).set(bearer(me)).send({ tools: [] });
    expect(off.body.thread.tools).toEqual([]);
    t.fake.enqueue({ tokens: ['Plain.'] });
    const { reply: r } = await ask(fresh.id as string, 'No tools now');
    expect(t.fake.chatRequests).toHaveLength(1);
    expect(t.fake.conversations.requests).toHaveLength(1);
    expect(await reply(fresh.id as string, r.id)).toMatchObject({ content: 'Plain.', status: 'complete', steps: [], sources: [] });
    await request(t.app).put('/api/settings').set(bearer(me)).send({ defaultTools: [] });
  });

  it('switches in the pages: the thread\'s model menu (plain form and htmx) and the defaults in Settings', async () => {
    const id = (await newThread()).id as string;
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', me.cookie);
    expect(page.text).toMatch(/<input type="checkbox" id="thread-tool-web_search" name="tools" value="web_search">/);
    const form = `_csrf=${encodeURIComponent(me.csrf)}&model=&context=&tools=web_search&tools=image_generation`;
    const plain = await request(t.app).post(`/threads/${id}/model`).set('Cookie', me.cookie).type('form').send(form);
    expect(plain.status).toBe(303);
    expect((await request(t.app).get(`/api/thread/${id}`).set(bearer(me))).body.thread.tools).toEqual(['web_search', 'image_generation']);
    // htmx: the header comes back with the boxes as saved; none ticked switches them all off.
    const hx = await request(t.app).post(`/threads/${id}/model`).set('Cookie', me.cookie).set('HX-Request', 'true').type('form').send(`_csrf=${encodeURIComponent(me.csrf)}&model=&context=&tools=code_interpreter`);
    expect(hx.status).toBe(200);
    expect(hx.text).toContain('id="thread-tool-code_interpreter" name="tools" value="code_interpreter" checked');
    expect(hx.text).not.toContain('value="web_search" checked');
    const bad = await request(t.app).post(`/threads/${id}/model`).set('Cookie', me.cookie).set('HX-Request', 'true').type('form').send(`_csrf=${encodeURIComponent(me.csrf)}&model=&context=&tools=rm_rf`);
    expect(bad.status).toBe(422);
    expect((await request(t.app).get(`/api/thread/${id}`).set(bearer(me))).body.thread.tools).toEqual(['code_interpreter']);
    const off = await request(t.app).post(`/threads/${id}/model`).set('Cookie', me.cookie).type('form').send(`_csrf=${encodeURIComponent(me.csrf)}&model=&context=`);
    expect(off.status).toBe(303);
    expect((await request(t.app).get(`/api/thread/${id}`).set(bearer(me))).body.thread.tools).toEqual([]);

    const settings = await request(t.app).get('/settings').set('Cookie', me.cookie);
    expect(settings.text).toContain('id="default-tool-web_search" name="tools" value="web_search"');
    const saved = await request(t.app).post('/settings/defaults').set('Cookie', me.cookie).type('form').send(`_csrf=${encodeURIComponent(me.csrf)}&defaultModel=mistral-small-latest&defaultContext=&tools=web_search`);
    expect(saved.status).toBe(303);
    expect((await request(t.app).get('/api/settings').set(bearer(me))).body.defaultTools).toEqual(['web_search']);
    expect((await request(t.app).get('/settings').set('Cookie', me.cookie)).text).toContain('value="web_search" checked');
    // A new chat from the home page's form starts with the default.
    const sent = await request(t.app).post('/threads').set('Cookie', me.cookie).type('form').send({ _csrf: me.csrf, content: 'hi' });
    expect(sent.status).toBe(303);
    await t.gens.idle();
    const newId = /\/threads\/([\w-]+)/.exec(sent.headers.location)![1];
    expect((await request(t.app).get(`/api/thread/${newId}`).set(bearer(me))).body.thread.tools).toEqual(['web_search']);
    await request(t.app).put('/api/settings').set(bearer(me)).send({ defaultTools: [] });
  });
});
