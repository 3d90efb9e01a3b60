// Sending is limited per user (SEND_LIMIT_PER_MINUTE), counted in the database; the text is kept on refusal.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)('send rate limit on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '3' }); });
  afterAll(async () => { await t?.close(); });

  it('refuses the fourth message in a minute with 429, Retry-After and the text kept; other users are not affected', async () => {
    const s = await signIn(t);
    const auth = { Authorization: `Bearer ${s.token}` };
    for (let i = 0; i < 3; i++) {
      const res = await request(t.app).post('/api/thread').set(auth).send({});
      const sent = await request(t.app).post(`/api/thread/${res.body.thread.id}/messages`).set(auth).send({ content: `q${i}` });
      expect(sent.status).toBe(202);
      await waitFor(async () => (await t.db('messages').where({ id: sent.body.reply.id }).first())?.status === 'complete');
    }
    const json = await request(t.app).post('/api/thread').set(auth).send({});
    const refused = await request(t.app).post(`/api/thread/${json.body.thread.id}/messages`).set(auth).send({ content: 'one too many' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.error.message).toMatch(/faster than 3 messages a minute/);

    // A plain form (JavaScript off) gets the page again with the text in the composer.
    const page = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'my long question' });
    expect(page.status).toBe(429);
    expect(page.headers['retry-after']).toBeTruthy();
    expect(page.text).toMatch(/<textarea[^>]*name="content"[^>]*>my long question<\/textarea>/);
    expect(page.text).toContain('faster than 3 messages a minute');
    expect(await t.db('messages').where({ content: 'my long question' }).first()).toBeUndefined();

    const other = await signIn(t);
    const o = await request(t.app).post('/api/thread').set({ Authorization: `Bearer ${other.token}` }).send({});
    const ok = await request(t.app).post(`/api/thread/${o.body.thread.id}/messages`).set({ Authorization: `Bearer ${other.token}` }).send({ content: 'hi' });
    expect(ok.status).toBe(202);
  });

  it('holds for simultaneous sends: of eight at once, at most three get through, and three in all', async () => {
    const s = await signIn(t);
    const auth = { Authorization: `Bearer ${s.token}` };
    const send = async (content: string) => {
      const th = await request(t.app).post('/api/thread').set(auth).send({});
      return (await request(t.app).post(`/api/thread/${th.body.thread.id}/messages`).set(auth).send({ content })).status;
    };
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => send(`burst ${i}`)));
    expect(burst.filter((x) => ![202, 429].includes(x))).toEqual([]);
    let accepted = burst.filter((x) => x === 202).length;
    expect(accepted).toBeLessThanOrEqual(3);
    // Refused attempts are taken back, so sending one at a time fills up to the limit and no further.
    for (let i = 0; i < 4 && (await send(`then ${i}`)) === 202; i++) accepted++;
    expect(accepted).toBe(3);
    await t.gens.idle();
  });
});
