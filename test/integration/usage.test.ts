// Usage (issue 16): every answer's and title's tokens, as the fake upstream reported them, per user, model and month;
// Account's section and GET /api/usage show them; the server's key is told from the user's own.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { conv } from '../support/fake-mistral-conversations.ts';
import { monthOf } from '../../src/features/usage/usage.repo.ts';

describe.each(DIALECTS)('usage on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });

  const auth = (s: Session) => ({ Authorization: `Bearer ${s.token}` });
  /** A titled thread (no title call), one answer to the end; returns the answer's row. */
  async function answer(s: Session, content: string, thread: Record<string, unknown> = { title: 'Set' }) {
    const th = await request(t.app).post('/api/thread').set(auth(s)).send(thread);
    const sent = await request(t.app).post(`/api/thread/${th.body.thread.id}/messages`).set(auth(s)).send({ content });
    expect(sent.status).toBe(202);
    return waitFor(async () => {
      const row = await t.db('messages').where({ id: sent.body.reply.id }).first();
      return row && !['pending', 'streaming'].includes(row.status) ? row : null;
    });
  }
  const usage = async (s: Session, q = '') => (await request(t.app).get(`/api/usage${q}`).set(auth(s))).body;

  it('adds up what Mistral reported, per model, over several answers', async () => {
    const s = await signIn(t);
    t.fake.enqueue({ tokens: ['a'], usage: { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107 } },
      { tokens: ['b'], usage: { prompt_tokens: 250, completion_tokens: 30, total_tokens: 280 } },
      { tokens: ['c'], usage: { prompt_tokens: 40, completion_tokens: 2, total_tokens: 42 } });
    await answer(s, 'one');
    await answer(s, 'two');
    await answer(s, 'three', { title: 'Large', model: 'mistral-large-latest' });
    const body = await usage(s);
    expect(body).toEqual({
      month: monthOf(), promptTokens: 390, completionTokens: 39, connectorTokens: 0, quota: null,
      byModel: [
        { model: 'mistral-large-latest', promptTokens: 40, completionTokens: 2, connectorTokens: 0, answers: 1 },
        { model: 'mistral-small-latest', promptTokens: 350, completionTokens: 37, connectorTokens: 0, answers: 2 },
      ],
    });
    const rows = await t.db('usage_monthly').where({ user_id: s.user.id });
    expect(rows.map((r) => Number(r.server_key_tokens)).sort((a, b) => a - b)).toEqual([42, 387]);
    // Another user's usage is theirs alone.
    expect((await usage(await signIn(t))).byModel).toEqual([]);
  });

  it('counts the title call too (same model, not as an answer)', async () => {
    const s = await signIn(t);
    t.fake.completionUsage = { prompt_tokens: 33, completion_tokens: 5, total_tokens: 38 };
    try {
      t.fake.enqueue({ tokens: ['x'], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } });
      await answer(s, 'name me', {});
      await waitFor(async () => (await usage(s)).promptTokens === 43);
      expect((await usage(s)).byModel).toEqual([{ model: 'mistral-small-latest', promptTokens: 43, completionTokens: 6, connectorTokens: 0, answers: 1 }]);
    } finally {
      t.fake.completionUsage = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };
    }
  });

  it('counts connector tokens of an answer through tools', async () => {
    const s = await signIn(t);
    t.fake.conversations.enqueue({
      events: [conv.started('t1', 'web_search', '{"query":"q"}'), conv.toolDone('t1', 'web_search'), conv.text('Found.')],
      usage: { prompt_tokens: 300, completion_tokens: 20, total_tokens: 320, connector_tokens: 1200, connectors: { web_search: 1200 } },
    });
    const row = await answer(s, 'search', { title: 'Tools', tools: ['web_search'] });
    expect(row.status).toBe('complete');
    const body = await usage(s);
    expect(body).toMatchObject({ promptTokens: 300, completionTokens: 20, connectorTokens: 1200 });
    const db = await t.db('usage_monthly').where({ user_id: s.user.id }).first();
    expect(Number(db.server_key_tokens)).toBe(1520);
  });

  it("tells the user's own key apart: counted, but not as the server's", async () => {
    const s = await signIn(t);
    expect((await request(t.app).put('/api/settings').set(auth(s)).send({ apiKey: 'sk-own-key-5678' })).status).toBe(200);
    t.fake.enqueue({ tokens: ['own'], usage: { prompt_tokens: 70, completion_tokens: 9, total_tokens: 79 } });
    await answer(s, 'mine');
    expect(t.fake.chatRequests.at(-1)!.headers.authorization).toBe('Bearer sk-own-key-5678');
    const db = await t.db('usage_monthly').where({ user_id: s.user.id }).first();
    expect([Number(db.prompt_tokens), Number(db.completion_tokens), Number(db.server_key_tokens)]).toEqual([70, 9, 0]);
  });

  it('a stopped answer counts only what Mistral reported (nothing, when the stream was cut before its usage)', async () => {
    const s = await signIn(t);
    t.fake.enqueue({ tokens: ['part'], hang: true });
    const th = await request(t.app).post('/api/thread').set(auth(s)).send({ title: 'Stop' });
    const sent = await request(t.app).post(`/api/thread/${th.body.thread.id}/messages`).set(auth(s)).send({ content: 'long' });
    await waitFor(async () => (await t.db('messages').where({ id: sent.body.reply.id }).first())?.status === 'streaming');
    await request(t.app).post(`/api/thread/${th.body.thread.id}/messages/${sent.body.reply.id}/stop`).set(auth(s)).expect(200);
    expect(await t.db('usage_monthly').where({ user_id: s.user.id })).toEqual([]);
    // A conversation that failed after Mistral's usage was sent still counts it.
    t.fake.conversations.enqueue({ events: [conv.text('Half'), conv.error('Connector refused')], done: true, usage: { prompt_tokens: 15, completion_tokens: 3, total_tokens: 18 } });
    const failed = await answer(s, 'fail', { title: 'F', tools: ['web_search'] });
    expect(failed.status).toBe('error');
    expect((await usage(s)).promptTokens).toBe(15);
  });

  it('Account shows the month by model, other months by link, and works without JavaScript', async () => {
    const s = await signIn(t);
    t.fake.enqueue({ tokens: ['a'], usage: { prompt_tokens: 1234, completion_tokens: 56, total_tokens: 1290 } });
    await answer(s, 'page');
    const page = await request(t.app).get('/account').set('Cookie', s.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="usage"');
    expect(page.text).toMatch(/<th scope="row">mistral-small-latest<\/th><td>1,234<\/td><td>56<\/td>/);
    const [y, m] = monthOf().split('-').map(Number);
    const prev = monthOf(new Date(Date.UTC(y, m - 2, 1)));
    expect(page.text).toContain(`href="/account?month=${prev}#usage"`);
    const old = await request(t.app).get(`/account?month=${prev}`).set('Cookie', s.cookie);
    expect(old.text).toMatch(/No tokens in/);
    expect(old.text).not.toContain('1,234');
    // The API refuses a malformed month; a page just shows this one.
    const bad = await request(t.app).get('/api/usage?month=2026-13').set(auth(s));
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid');
    expect((await request(t.app).get('/account?month=<x>').set('Cookie', s.cookie)).text).toContain('1,234');
    expect((await request(t.app).get('/api/usage')).status).toBe(401);
  });
});
