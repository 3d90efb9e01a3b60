import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)("another user's ids on %s", (dialect) => {
  let t: ChatTestApp;
  let owner: Session;
  let other: Session;
  let threadId: string;
  let replyId: number;
  beforeAll(async () => {
    t = await chatApp(dialect);
    owner = await signIn(t);
    other = await signIn(t);
    t.fake.enqueue({ status: 500 });
    const res = await request(t.app).post('/threads').set('Cookie', owner.cookie).type('form').send({ _csrf: owner.csrf, content: 'mine' });
    [, threadId] = /\/threads\/([\w-]+)/.exec(res.headers.location)!;
    await t.gens.idle();
    replyId = (await t.db('messages').where({ thread_id: threadId, role: 'assistant' }).first()).id;
  });
  afterAll(async () => { await t?.close(); });

  it('answers 404 (never 403) on every page, htmx, SSE and form route', async () => {
    const base = `/threads/${threadId}`;
    const m = `${base}/messages/${replyId}`;
    const cases: Array<[string, string, boolean?]> = [
      ['get', base], ['get', `${base}/messages`, true], ['get', `${m}/events`], ['get', `${m}/source`],
      ['post', `${base}/messages`], ['post', `${m}/stop`], ['post', `${m}/retry`], ['post', `${base}/rename`], ['post', `${base}/delete`],
    ];
    for (const [method, path, htmx] of cases) {
      for (const asHtmx of [false, true]) {
        const req = request(t.app)[method as 'get' | 'post'](path).set('Cookie', other.cookie).set('X-CSRF-Token', other.csrf);
        if (asHtmx || htmx) req.set('HX-Request', 'true');
        const res = method === 'post' ? await req.type('form').send({ content: 'x', title: 'x' }) : await req;
        expect(res.status, `${method} ${path} htmx=${asHtmx}`).toBe(404);
      }
    }
    // The owner's things are untouched.
    // (The thread was named after its first exchange; the other user's rename to 'x' did not land.)
    expect((await t.db('threads').where({ id: threadId }).first()).title).not.toBe('x');
    expect(await t.db('messages').where({ thread_id: threadId })).toHaveLength(2);
  });

  it('answers 404 on every JSON route, with Bearer', async () => {
    const auth = { Authorization: `Bearer ${other.token}` };
    const base = `/api/thread/${threadId}`;
    const checks = [
      request(t.app).get(base).set(auth),
      request(t.app).patch(base).set(auth).send({ title: 'x' }),
      request(t.app).delete(base).set(auth),
      request(t.app).post(`${base}/messages`).set(auth).send({ content: 'x' }),
      request(t.app).get(`${base}/messages/${replyId}/events`).set(auth),
      request(t.app).post(`${base}/messages/${replyId}/stop`).set(auth),
    ];
    for (const res of await Promise.all(checks)) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    // The owner's own message id under someone else's thread id is also not found.
    const own = await request(t.app).post('/api/thread').set(auth).send({});
    expect((await request(t.app).get(`/api/thread/${own.body.thread.id}/messages/${replyId}/events`).set(auth)).status).toBe(404);
    expect(await t.db('threads').where({ id: threadId })).toHaveLength(1);
  });

  it('answers 404 for unknown and malformed ids, and 401 for the API without a token', async () => {
    const auth = { Authorization: `Bearer ${owner.token}` };
    for (const path of ['/threads/nope', '/threads/AAAAAAAAAAAAAAAAAAAAAA', `/threads/${threadId}/messages/abc/events`, `/threads/${threadId}/messages/99999999/events`]) {
      expect((await request(t.app).get(path).set('Cookie', owner.cookie)).status, path).toBe(404);
    }
    expect((await request(t.app).get('/api/thread/%27%20or%201=1').set(auth)).status).toBe(404);
    expect((await request(t.app).get('/api/thread')).status).toBe(401);
    expect((await request(t.app).post(`/api/thread/${threadId}/messages`).set(auth).send({ content: '' })).status).toBe(422);
  });
});
