// Two sends to one thread at the same moment: exactly one starts an answer; the other is refused with its text kept.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp } from '../support/fake-mistral-app.ts';

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
});
