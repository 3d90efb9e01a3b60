// Edit, regenerate and branches through the JSON API and the pages: what Mistral is sent, what is shown and kept.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

type Json = Record<string, any>;
const sentTo = (t: ChatTestApp) => (t.fake.chatRequests.at(-1)!.body as Json).messages as Json[];
const texts = (messages: Json[]) => messages.map((m) => `${m.role}:${typeof m.content === 'string' ? m.content : m.content.map((c: Json) => c.text ?? `[thinking:${c.thinking[0].text}]`).join('')}`);

describe.each(DIALECTS)('branches on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let auth: Record<string, string>;
  beforeAll(async () => { t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' }); s = await signIn(t); auth = { Authorization: `Bearer ${s.token}` }; });
  afterAll(async () => { await t?.close(); });

  /** A thread of `n` exchanges ("q1"/"a1", …), answered and idle. */
  async function threadWith(n: number): Promise<string> {
    const id = (await request(t.app).post('/api/thread').set(auth).send({})).body.thread.id as string;
    for (let i = 1; i <= n; i++) {
      t.fake.enqueue({ tokens: [`a${i}`] });
      expect((await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: `q${i}` })).status).toBe(202);
      await t.gens.idle();
    }
    return id;
  }
  const shown = async (id: string) => (await request(t.app).get(`/api/thread/${id}`).set(auth)).body as Json;

  it('an edit sends Mistral only the shown path, keeps the original branch, and the thread shows the new one', async () => {
    const id = await threadWith(3);
    const before = await shown(id);
    const q2 = before.messages[2];
    expect(q2).toMatchObject({ role: 'user', content: 'q2', parentId: before.messages[1].id, siblings: { index: 1, count: 1, ids: [q2.id] } });
    t.fake.enqueue({ tokens: ['b2'] });
    const res = await request(t.app).post(`/api/thread/${id}/messages/${q2.id}/edit`).set(auth).send({ content: 'q2 edited' });
    expect(res.status).toBe(202);
    expect(res.body.message).toMatchObject({ role: 'user', content: 'q2 edited', parentId: q2.parentId, siblings: { index: 2, count: 2, ids: [q2.id, res.body.message.id] } });
    expect(res.body.reply).toMatchObject({ role: 'assistant', status: 'pending', parentId: res.body.message.id });
    await t.gens.idle();
    expect(texts(sentTo(t))).toEqual(['user:q1', 'assistant:a1', 'user:q2 edited']);
    const after = await shown(id);
    expect(after.messages.map((m: Json) => m.content)).toEqual(['q1', 'a1', 'q2 edited', 'b2']);
    expect(after.messages[2].siblings).toEqual({ index: 2, count: 2, ids: [q2.id, res.body.message.id] });
    // Nothing was lost: the original question, its answer and what followed are still stored.
    expect(await t.db('messages').where({ thread_id: id }).count({ n: '*' }).first()).toMatchObject({ n: 8 });
    // Going on from the edit sends its branch only.
    t.fake.enqueue({ tokens: ['b3'] });
    await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'q3 again' });
    await t.gens.idle();
    expect(texts(sentTo(t))).toEqual(['user:q1', 'assistant:a1', 'user:q2 edited', 'assistant:b2', 'user:q3 again']);
  });

  it('switching to a version shows its branch to its latest message, and the choice survives a reload', async () => {
    const id = await threadWith(3);
    const q2 = (await shown(id)).messages[2];
    t.fake.enqueue({ tokens: ['b2'] });
    await request(t.app).post(`/api/thread/${id}/messages/${q2.id}/edit`).set(auth).send({ content: 'other' });
    await t.gens.idle();
    const res = await request(t.app).post(`/api/thread/${id}/branch`).set(auth).send({ messageId: q2.id });
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: Json) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    expect(res.body.messages[2].siblings).toMatchObject({ index: 1, count: 2 });
    // A reload (any device) shows the same branch, on the JSON API and the page.
    expect((await shown(id)).messages.map((m: Json) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(page.text).toContain('<p>a3</p>');
    expect(page.text).not.toContain('<p>b2</p>');
    expect(page.text).toMatch(/<span class="versions-count" title="Version 1 of 2">1\/2<\/span>/);
    // A regeneration then goes on from this branch.
    t.fake.enqueue({ tokens: ['c3'] });
    const a3 = res.body.messages[5];
    const regen = await request(t.app).post(`/api/thread/${id}/messages/${a3.id}/regenerate`).set(auth).send({});
    expect(regen.status).toBe(202);
    expect(regen.body.reply).toMatchObject({ role: 'assistant', parentId: a3.parentId, siblings: { index: 2, count: 2 } });
    await t.gens.idle();
    expect(texts(sentTo(t))).toEqual(['user:q1', 'assistant:a1', 'user:q2', 'assistant:a2', 'user:q3']);
    expect((await shown(id)).messages.map((m: Json) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'c3']);
  });

  it('a send follows `after` when it is a message of the thread (another branch than the shown one), else the shown leaf', async () => {
    const id = await threadWith(2);
    const [, a1, q2] = (await shown(id)).messages;
    t.fake.enqueue({ tokens: ['beside'] });
    const res = await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'after a1', after: a1.id });
    expect(res.body.message.parentId).toBe(a1.id);
    await t.gens.idle();
    expect(texts(sentTo(t))).toEqual(['user:q1', 'assistant:a1', 'user:after a1']);
    // The new question is a version of q2 (same parent), and the thread shows it.
    expect((await shown(id)).messages[2].siblings).toMatchObject({ count: 2, ids: [q2.id, res.body.message.id] });
    // An `after` that is no message of the thread: the end of the shown branch.
    t.fake.enqueue({ tokens: ['x'] });
    const unknown = await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'not from here', after: 999999999 });
    expect(unknown.body.message.parentId).toBe(res.body.reply.id);
    await t.gens.idle();
  });

  it('regenerates with another model from the fast list, once: the chat keeps its model; a model not offered is 422', async () => {
    const id = await threadWith(1);
    const a1 = (await shown(id)).messages[1];
    await request(t.app).put('/api/settings').set(auth).send({ fastModels: ['mistral-small-latest', 'mistral-large-latest'] });
    t.fake.enqueue({ tokens: ['large'] });
    const regen = await request(t.app).post(`/api/thread/${id}/messages/${a1.id}/regenerate`).set(auth).send({ model: 'mistral-large-latest' });
    expect(regen.status).toBe(202);
    expect(regen.body.reply.model).toBe('mistral-large-latest');
    await t.gens.idle();
    expect((t.fake.chatRequests.at(-1)!.body as Json).model).toBe('mistral-large-latest');
    expect((await shown(id)).thread.model).toBeNull();
    const bad = await request(t.app).post(`/api/thread/${id}/messages/${a1.id}/regenerate`).set(auth).send({ model: 'codestral-2501' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/not in your fast list/);
  });

  it('replays an answer\'s thinking to the model that wrote it, and only its text to another', async () => {
    const id = (await request(t.app).post('/api/thread').set(auth).send({})).body.thread.id as string;
    t.fake.enqueue({ thinking: ['Let me see.'], tokens: ['Four.'] });
    await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: '2+2?' });
    await t.gens.idle();
    t.fake.enqueue({ tokens: ['Five.'] });
    await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'and +1?' });
    await t.gens.idle();
    expect(sentTo(t)[1]).toMatchObject({ role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Let me see.' }] }, { type: 'text', text: 'Four.' }] });
    const last = (await shown(id)).messages[3];
    t.fake.enqueue({ tokens: ['Five!'] });
    await request(t.app).post(`/api/thread/${id}/messages/${last.id}/regenerate`).set(auth).send({ model: 'mistral-large-latest' });
    await t.gens.idle();
    expect(sentTo(t)[1]).toMatchObject({ role: 'assistant', content: 'Four.' });
  });

  it('refuses an edit or a regeneration while an answer is live (409, the send\'s sentence), and bad input with 422', async () => {
    const id = await threadWith(1);
    const [q1, a1] = (await shown(id)).messages;
    t.fake.enqueue({ tokens: ['slow', ' answer'], tokenDelayMs: 300 });
    await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'q2' });
    const edit = await request(t.app).post(`/api/thread/${id}/messages/${q1.id}/edit`).set(auth).send({ content: 'x' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.message).toBe('The previous answer is still being written. Wait for it or stop it, then send again.');
    const regen = await request(t.app).post(`/api/thread/${id}/messages/${a1.id}/regenerate`).set(auth).send({});
    expect(regen.status).toBe(409);
    expect(regen.body.error.message).toBe(edit.body.error.message);
    await t.gens.idle();
    expect((await request(t.app).post(`/api/thread/${id}/messages/${q1.id}/edit`).set(auth).send({ content: '  ' })).status).toBe(422);
    const long = await request(t.app).post(`/api/thread/${id}/messages/${q1.id}/edit`).set(auth).send({ content: 'x'.repeat(t.config.maxMessageChars + 1) });
    expect(long.status).toBe(422);
    expect(long.body.error.fields.content).toMatch(/the limit is/);
    // An answer is not a question to edit, nor a question an answer to regenerate.
    expect((await request(t.app).post(`/api/thread/${id}/messages/${a1.id}/edit`).set(auth).send({ content: 'x' })).status).toBe(404);
    expect((await request(t.app).post(`/api/thread/${id}/messages/${q1.id}/regenerate`).set(auth).send({})).status).toBe(404);
    expect((await request(t.app).post(`/api/thread/${id}/branch`).set(auth).send({ messageId: 'nope' })).status).toBe(404);
  });

  it('answers 404 to another user on every new route, and changes nothing', async () => {
    const id = await threadWith(1);
    const [q1, a1] = (await shown(id)).messages;
    const other = await signIn(t);
    const bearer = { Authorization: `Bearer ${other.token}` };
    const api = [
      request(t.app).post(`/api/thread/${id}/messages/${q1.id}/edit`).set(bearer).send({ content: 'x' }),
      request(t.app).post(`/api/thread/${id}/messages/${a1.id}/regenerate`).set(bearer).send({}),
      request(t.app).post(`/api/thread/${id}/branch`).set(bearer).send({ messageId: q1.id }),
    ];
    for (const res of await Promise.all(api)) expect(res.status).toBe(404);
    // The owner's message ids under the other user's own thread are not found either.
    const own = (await request(t.app).post('/api/thread').set(bearer).send({})).body.thread.id;
    expect((await request(t.app).post(`/api/thread/${own}/branch`).set(bearer).send({ messageId: q1.id })).status).toBe(404);
    expect((await request(t.app).post(`/api/thread/${own}/messages/${q1.id}/edit`).set(bearer).send({ content: 'x' })).status).toBe(404);
    const pages: Array<[string, string]> = [
      ['get', `/threads/${id}/messages/${q1.id}`], ['get', `/threads/${id}/messages/${q1.id}/edit`], ['post', `/threads/${id}/messages/${q1.id}/edit`],
      ['get', `/threads/${id}/messages/${a1.id}/regenerate`], ['post', `/threads/${id}/messages/${a1.id}/regenerate`], ['post', `/threads/${id}/branch`],
    ];
    for (const [method, path] of pages) {
      for (const htmx of [false, true]) {
        const req = request(t.app)[method as 'get' | 'post'](path).set('Cookie', other.cookie).set('X-CSRF-Token', other.csrf);
        if (htmx) req.set('HX-Request', 'true');
        const res = method === 'post' ? await req.type('form').send({ content: 'x', messageId: String(q1.id) }) : await req;
        expect(res.status, `${method} ${path} htmx=${htmx}`).toBe(404);
      }
    }
    expect(await t.db('messages').where({ thread_id: id })).toHaveLength(2);
  });

  it('deleting a thread with branches deletes every message of every branch', async () => {
    const id = await threadWith(2);
    const [q1, a1] = (await shown(id)).messages;
    for (let i = 0; i < 3; i++) {
      t.fake.enqueue({ tokens: [`e${i}`] });
      await request(t.app).post(`/api/thread/${id}/messages/${q1.id}/edit`).set(auth).send({ content: `edit ${i}` });
      await t.gens.idle();
      t.fake.enqueue({ tokens: [`r${i}`] });
      await request(t.app).post(`/api/thread/${id}/messages/${a1.id}/regenerate`).set(auth).send({});
      await t.gens.idle();
    }
    expect(Number((await t.db('messages').where({ thread_id: id }).count({ n: '*' }).first())!.n)).toBe(4 + 6 + 3);
    expect((await request(t.app).delete(`/api/thread/${id}`).set(auth)).status).toBe(204);
    expect(await t.db('messages').where({ thread_id: id })).toHaveLength(0);
  });
});
