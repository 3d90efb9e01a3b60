// Sends are idempotent: each composer carries a one-time key, and the same key twice from the same user (a double
// Enter, a resent form, a script's retry) gives the first send's result, also when both arrive at the same moment.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeAuthData } from '../../src/maintenance.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

const keyOf = (html: string) => /<input type="hidden" name="sendKey" id="send-key" value="([A-Za-z0-9_-]+)"/.exec(html)?.[1];

describe.each(DIALECTS)('idempotent sends on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });

  // Through the real listening server, so that simultaneous requests really run side by side.
  const form = (s: Session, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${t.baseUrl}${path}`, {
    method: 'POST', redirect: 'manual', headers: { Cookie: s.cookie, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
  });
  const threadsOf = (userId: number) => t.db('threads').where({ user_id: userId });

  it('renders a fresh key into every composer', async () => {
    const s = await signIn(t);
    const [a, b] = await Promise.all([1, 2].map(() => request(t.app).get('/').set('Cookie', s.cookie)));
    expect(keyOf(a.text)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(keyOf(a.text)).not.toBe(keyOf(b.text));
  });

  it('two simultaneous new-chat sends with one key create one chat with one question and one answer', async () => {
    const s = await signIn(t);
    t.fake.reset();
    const home = await request(t.app).get('/').set('Cookie', s.cookie);
    const sendKey = keyOf(home.text)!;
    const results = await Promise.all([1, 2, 3].map(() => form(s, '/threads', { content: 'Same question', sendKey })));
    expect(results.map((r) => r.status)).toEqual([303, 303, 303]);
    expect(new Set(results.map((r) => r.headers.get('location'))).size).toBe(1);
    const threads = await threadsOf(s.user.id);
    expect(threads).toHaveLength(1);
    expect(await t.db('messages').where({ thread_id: threads[0].id })).toHaveLength(2);
    expect(results[0].headers.get('location')).toMatch(new RegExp(`/threads/${threads[0].id}\\?follow=\\d+#m-\\d+$`));
    await waitFor(async () => (await t.db('messages').where({ thread_id: threads[0].id, role: 'assistant', status: 'complete' })).length === 1);
    expect(t.fake.chatRequests).toHaveLength(1);

    // Later, the same key again (Back and resend): still the first chat. A new key is a new chat.
    const again = await form(s, '/threads', { content: 'Same question', sendKey });
    expect(again.headers.get('location')).toBe(results[0].headers.get('location'));
    expect(await threadsOf(s.user.id)).toHaveLength(1);
    expect((await form(s, '/threads', { content: 'Same question', sendKey: `${sendKey}x` })).status).toBe(303);
    expect(await threadsOf(s.user.id)).toHaveLength(2);
    await t.gens.shutdown();
  });

  it('two simultaneous sends with one key to a thread store one exchange, and neither is refused as busy', async () => {
    const s = await signIn(t);
    const id = (await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({})).body.thread.id;
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    const sendKey = keyOf(page.text)!;
    t.fake.enqueue({ tokens: ['slow'], hang: true });
    const results = await Promise.all([1, 2].map(() => form(s, `/threads/${id}/messages`, { content: 'Once', sendKey })));
    expect(results.map((r) => r.status)).toEqual([303, 303]);
    expect(results[0].headers.get('location')).toBe(results[1].headers.get('location'));
    expect(await t.db('messages').where({ thread_id: id })).toHaveLength(2);
    // The key of a message to another thread is refused rather than answered with that other thread.
    const other = (await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({})).body.thread.id;
    const misused = await form(s, `/threads/${other}/messages`, { content: 'Once', sendKey });
    expect(misused.status).toBe(422);
    expect(await misused.text()).toContain('already sent');
    expect(await t.db('messages').where({ thread_id: other })).toHaveLength(0);
    // A send refused as busy (409) used up nothing: once the answer ends, the same form sends.
    const refused = await form(s, `/threads/${id}/messages`, { content: 'Later', sendKey: 'refused-while-busy' });
    expect(refused.status).toBe(409);
    await t.gens.shutdown();
    const later = await form(s, `/threads/${id}/messages`, { content: 'Later', sendKey: 'refused-while-busy' });
    expect(later.status).toBe(303);
    expect(await t.db('messages').where({ thread_id: id, role: 'user' }).pluck('content')).toEqual(['Once', 'Later']);
    await t.gens.shutdown();
  });

  it('an htmx send gives the composer a fresh key with its exchange', async () => {
    const s = await signIn(t);
    const id = (await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({})).body.thread.id;
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    const sent = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true')
      .set('X-CSRF-Token', s.csrf).type('form').send({ content: 'Hi', sendKey: keyOf(page.text) });
    expect(sent.status).toBe(200);
    const fresh = /<input type="hidden" name="sendKey" id="send-key" value="([^"]+)" hx-swap-oob="true">/.exec(sent.text)?.[1];
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(fresh).not.toBe(keyOf(page.text));
    await t.gens.shutdown();
  });

  it('the JSON API takes the key as Idempotency-Key or idempotencyKey; a malformed key is refused', async () => {
    const s = await signIn(t);
    const auth = { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' };
    const id = (await request(t.app).post('/api/thread').set(auth).send({})).body.thread.id;
    t.fake.enqueue({ tokens: ['slow'], hang: true });
    const post = (body: object, headers: Record<string, string> = {}) => fetch(`${t.baseUrl}/api/thread/${id}/messages`, {
      method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify(body),
    });
    const both = await Promise.all([post({ content: 'q' }, { 'Idempotency-Key': 'script-retry-0001' }), post({ content: 'q', idempotencyKey: 'script-retry-0001' })]);
    expect(both.map((r) => r.status)).toEqual([202, 202]);
    const [a, b] = await Promise.all(both.map((r) => r.json()));
    expect(a.reply.id).toBe(b.reply.id);
    expect(await t.db('messages').where({ thread_id: id })).toHaveLength(2);
    const bad = await post({ content: 'q' }, { 'Idempotency-Key': 'has spaces in it' });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/key/i);
    await t.gens.shutdown();
  });

  it('keys are per user, and the periodic purge forgets them after a day', async () => {
    const [s1, s2] = [await signIn(t), await signIn(t)];
    for (const s of [s1, s2]) expect((await form(s, '/threads', { content: 'Shared key', sendKey: 'the-same-key-for-both' })).status).toBe(303);
    expect(await threadsOf(s1.user.id)).toHaveLength(1);
    expect(await threadsOf(s2.user.id)).toHaveLength(1);
    await t.gens.shutdown();
    await t.db('send_keys').where({ user_id: s1.user.id }).update({ created_at: new Date(Date.now() - 25 * 3600_000) });
    await purgeAuthData(t.db);
    expect(await t.db('send_keys').where({ user_id: s1.user.id })).toHaveLength(0);
    expect(await t.db('send_keys').where({ user_id: s2.user.id })).toHaveLength(1);
  });
});
