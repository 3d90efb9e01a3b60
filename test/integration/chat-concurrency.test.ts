// Two sends (or a send and a retry) to one thread at the same moment: exactly one starts an answer; the other is
// refused with its text kept.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)('simultaneous sends on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('start one answer, not several', async () => {
    const s = await signIn(t);
    const auth = { Authorization: `Bearer ${s.token}` };
    const created = await request(t.app).post('/api/thread').set(auth).send({});
    const id = created.body.thread.id;
    t.fake.enqueue({ tokens: ['slow'], hang: true }, { tokens: ['slow'], hang: true }, { tokens: ['slow'], hang: true });
    // Through the real listening server, so the requests really run side by side.
    const send = (n: number) => fetch(`${t.baseUrl}/api/thread/${id}/messages`, {
      method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ content: `question ${n}` }),
    });
    const results = await Promise.all([1, 2, 3, 4].map(send));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409]);
    const refused = await results.find((r) => r.status === 409)!.json();
    expect(refused.error.message).toMatch(/still being written/);
    const rows = await t.db('messages').where({ thread_id: id });
    expect(rows.filter((r) => r.role === 'assistant')).toHaveLength(1);
    expect(rows.filter((r) => r.role === 'user')).toHaveLength(1);
    await t.gens.shutdown();
  });

  it('a send and a retry fired together leave at most one live answer', async () => {
    t.fake.reset();
    const s = await signIn(t);
    const auth = { Authorization: `Bearer ${s.token}` };
    // Several threads at once, each with a failed answer, make the interleaving that lets both through likely.
    const threads: Array<{ id: string; failed: number }> = [];
    for (let i = 0; i < 10; i++) {
      const id = (await request(t.app).post('/api/thread').set(auth).send({})).body.thread.id as string;
      t.fake.enqueue({ status: 500 });
      const sent = await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: `first ${i}` });
      await waitFor(async () => (await t.db('messages').where({ id: sent.body.reply.id }).first()).status === 'error');
      threads.push({ id, failed: sent.body.reply.id });
    }
    for (let i = 0; i < threads.length * 2; i++) t.fake.enqueue({ tokens: ['slow'], hang: true });
    // Both with the session cookie, so they go through the same middleware and reach the database side by side.
    const form = (path: string, fields: Record<string, string>) => fetch(`${t.baseUrl}${path}`, {
      method: 'POST', redirect: 'manual', headers: { Cookie: s.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
    });
    const send = (id: string) => form(`/threads/${id}/messages`, { content: 'next question' });
    const retry = (id: string, messageId: number) => form(`/threads/${id}/messages/${messageId}/retry`, {});
    const results = await Promise.all(threads.flatMap((th) => [send(th.id), retry(th.id, th.failed)]));
    for (const [i, th] of threads.entries()) {
      const [sent, retried] = [results[2 * i].status, results[2 * i + 1].status];
      const live = await t.db('messages').where({ thread_id: th.id }).whereIn('status', ['pending', 'streaming']);
      expect(live.length, `thread ${i}: send ${sent}, retry ${retried}`).toBe(1);
      // Exactly one of them went through (303 to the thread); the other was told the thread is busy.
      expect([sent, retried].sort()).toEqual([303, 409]);
    }
    await t.gens.shutdown();
  });

  it('an answer left live by a crashed instance does not block a send or a retry; a recent live one does', async () => {
    t.fake.reset();
    const s = await signIn(t);
    const auth = { Authorization: `Bearer ${s.token}` };
    const id = (await request(t.app).post('/api/thread').set(auth).send({})).body.thread.id as string;
    // A question and its live answer, as a crashed instance left them (the answer follows the question).
    const live = async (updatedAt: Date) => {
      const row = { thread_id: id, thinking: null, error: null, model: null, usage: null, created_at: updatedAt, updated_at: updatedAt };
      const [q] = await t.db('messages').insert({ ...row, role: 'user', content: 'a question', status: 'complete' });
      const [a] = await t.db('messages').insert({ ...row, parent_id: Number(q), role: 'assistant', content: 'half an ans', status: 'streaming' });
      return Number(a);
    };
    const statusOf = async (m: number) => (await t.db('messages').where({ id: m }).first()).status;
    // Recent: a job on another instance may still be writing it. Refused, nothing stored.
    const recent = await live(new Date());
    const busy = await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'too early' });
    expect(busy.status).toBe(409);
    expect(await statusOf(recent)).toBe('streaming');
    await t.db('messages').where({ id: recent }).update({ status: 'stopped' });
    // Stale (no page view has recovered it): the send marks it interrupted, keeps its text, and goes through.
    const stale = await live(new Date(Date.now() - 10 * 60_000));
    t.fake.enqueue({ tokens: ['after', ' the crash'] });
    const sent = await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'after the crash' });
    expect(sent.status).toBe(202);
    expect(await t.db('messages').where({ id: stale }).first()).toMatchObject({ status: 'interrupted', content: 'half an ans' });
    await waitFor(async () => (await statusOf(sent.body.reply.id)) === 'complete');
    // The same for a retry of the stopped answer.
    const stale2 = await live(new Date(Date.now() - 10 * 60_000));
    t.fake.enqueue({ tokens: ['again'] });
    const retried = await fetch(`${t.baseUrl}/threads/${id}/messages/${recent}/retry`, {
      method: 'POST', redirect: 'manual', headers: { Cookie: s.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: s.csrf }).toString(),
    });
    expect(retried.status).toBe(303);
    expect(await statusOf(stale2)).toBe('interrupted');
    await waitFor(async () => (await statusOf(recent)) === 'complete');
    expect((await t.db('messages').where({ id: recent }).first()).content).toBe('again');
  });

  // The same race made certain: a trigger holds the send inside its transaction (thread locked, nothing inserted
  // yet) for a second, and the retry comes in then. Without the thread lock around the retry's check and write, the
  // retry sees no live answer, goes through, and the send then adds a second one.
  // MySQL only (a trigger holds the send inside its transaction); SQLite has a single writer, so the race cannot occur.
  if (dialect === 'mysql') it('a retry that comes in while a send is inside its transaction waits for it (MySQL, certain)', async () => {
    t.fake.reset();
    const s = await signIn(t);
    const auth = { Authorization: `Bearer ${s.token}` };
    const id = (await request(t.app).post('/api/thread').set(auth).send({})).body.thread.id as string;
    t.fake.enqueue({ status: 500 });
    const failed = (await request(t.app).post(`/api/thread/${id}/messages`).set(auth).send({ content: 'first' })).body.reply.id as number;
    await waitFor(async () => (await t.db('messages').where({ id: failed }).first()).status === 'error');
    t.fake.enqueue({ tokens: ['slow'], hang: true }, { tokens: ['slow'], hang: true });
    await t.db.raw("CREATE TRIGGER hold_send BEFORE INSERT ON messages FOR EACH ROW BEGIN IF NEW.content = 'held send' THEN SET @held = SLEEP(1); END IF; END");
    try {
      const sent = fetch(`${t.baseUrl}/api/thread/${id}/messages`, {
        method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ content: 'held send' }),
      });
      await waitFor(async () => {
        const [rows] = await t.db.raw("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND state = 'User sleep'");
        return Number(rows[0].n) > 0;
      });
      const retried = await fetch(`${t.baseUrl}/threads/${id}/messages/${failed}/retry`, {
        method: 'POST', redirect: 'manual', headers: { Cookie: s.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: s.csrf }).toString(),
      });
      expect((await sent).status).toBe(202);
      expect(retried.status).toBe(409);
      const live = await t.db('messages').where({ thread_id: id }).whereIn('status', ['pending', 'streaming']);
      expect(live).toHaveLength(1);
      expect((await t.db('messages').where({ id: failed }).first()).status).toBe('error');
    } finally {
      await t.db.raw('DROP TRIGGER hold_send');
      await t.gens.shutdown();
    }
  });
});
