// The new-chat composer on the home page offers a model (Default plus the fast list) before the first message; the
// first message creates the thread with it, and the upstream request uses it. Proven by what the fake upstream got.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)('model choice before the first message on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); });

  async function withFastList(): Promise<Session> {
    const s = await signIn(t);
    const put = await request(t.app).put('/api/settings').set('Authorization', `Bearer ${s.token}`)
      .send({ defaultModel: 'mistral-large-latest', fastModels: ['codestral-latest', 'mistral-small-latest'] });
    expect(put.status).toBe(200);
    return s;
  }

  /** The model of the upstream request that answered the thread's first message. */
  async function upstreamModelFor(threadId: string): Promise<string> {
    const reply = await waitFor(async () => {
      const row = await t.db('messages').where({ thread_id: threadId, role: 'assistant' }).first();
      return row && !['pending', 'streaming'].includes(row.status) ? row : null;
    });
    expect(reply.status).toBe('complete');
    const rec = t.fake.chatRequests.at(-1)!;
    return (rec.body as { model: string }).model;
  }

  it('the home composer offers Default (the user default) and the fast list, in a small select beside Send', async () => {
    const s = await withFastList();
    const page = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(page.status).toBe(200);
    const actions = /<div class="form-actions">([\s\S]*?)<\/div>/.exec(page.text)![1];
    expect(actions).toMatch(/<select id="composer-model" name="model" class="composer-model">/);
    expect(actions).toMatch(/<option value="" selected>Default \(mistral-large-latest\)<\/option>/);
    expect(actions).toContain('<option value="codestral-latest">codestral-latest</option>');
    expect(actions).toContain('<option value="mistral-small-latest">mistral-small-latest</option>');
    expect(actions.indexOf('composer-model')).toBeLessThan(actions.indexOf('Send'));
    // A thread's own composer has no such choice: its model is in the header menu.
    const id = (await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({})).body.thread.id;
    expect((await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie)).text).not.toContain('composer-model');
  });

  it('JS off: the plain form creates the thread with the chosen model and the upstream uses it', async () => {
    const s = await withFastList();
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, content: 'Review this', model: 'codestral-latest' });
    expect(res.status).toBe(303);
    const id = /\/threads\/([^?#]+)/.exec(res.headers.location)![1];
    expect((await t.db('threads').where({ id }).first()).model).toBe('codestral-latest');
    expect(await upstreamModelFor(id)).toBe('codestral-latest');
  });

  it('JS on: the htmx form does the same; Default leaves the thread on the user default', async () => {
    const s = await withFastList();
    const hx = (body: Record<string, string>) => request(t.app).post('/threads').set('Cookie', s.cookie)
      .set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send(body);
    const chosen = await hx({ content: 'Quick one', model: 'mistral-small-latest' });
    expect(chosen.status).toBe(204);
    const id = /\/threads\/([^?#]+)/.exec(chosen.headers['hx-redirect'])![1];
    expect(await upstreamModelFor(id)).toBe('mistral-small-latest');
    const plain = await hx({ content: 'Default one', model: '' });
    const id2 = /\/threads\/([^?#]+)/.exec(plain.headers['hx-redirect'])![1];
    expect((await t.db('threads').where({ id: id2 }).first()).model).toBeNull();
    expect(await upstreamModelFor(id2)).toBe('mistral-large-latest');
  });

  it('an unknown model is refused with a clear error, keeping the text; a refused text keeps the choice', async () => {
    const s = await withFastList();
    const threads = async () => Number((await t.db('threads').where({ user_id: s.user.id }).count({ n: '*' }))[0].n);
    const before = await threads();
    const bad = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, content: 'Keep me', model: 'gpt-imaginary' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('gpt-imaginary is not in your fast list of models');
    expect(bad.text).toContain('>Keep me</textarea>');
    expect(bad.text).toMatch(/<select id="composer-model" name="model" class="composer-model" aria-invalid="true" aria-describedby="composer-model-error">/);
    const frag = await request(t.app).post('/threads').set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf)
      .type('form').send({ content: 'Keep me too', model: '<b>x' });
    expect(frag.status).toBe(422);
    expect(frag.text.trim()).toMatch(/^<form id="composer"/);
    expect(frag.text).toContain('That is not a model name');
    expect(frag.text).not.toContain('<b>x');
    expect(frag.text).toContain('>Keep me too</textarea>');
    // An empty message with a good choice: the text's error, the choice still selected.
    const empty = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form')
      .send({ _csrf: s.csrf, content: '  ', model: 'codestral-latest' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('<option value="codestral-latest" selected>codestral-latest</option>');
    expect(await threads()).toBe(before);
    expect(t.fake.chatRequests).toHaveLength(0);
  });
});
