// Reading a page must not write to the database: on MySQL every write is a commit (a disk flush), and a thread page
// is what people open most. The first view may slide the session and the token; the next ones read only.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExchange, saveFinal } from '../../src/features/chat/messages.repo.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)('page views on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  /** The SQL a request runs. */
  async function queriesOf(path: string): Promise<string[]> {
    const seen: string[] = [];
    const onQuery = (q: { sql: string }) => { seen.push(q.sql); };
    t.db.on('query', onQuery);
    try {
      const res = await request(t.app).get(path).set('Cookie', s.cookie);
      expect(res.status).toBe(200);
    } finally {
      t.db.removeListener('query', onQuery);
    }
    return seen;
  }
  const writes = (sql: string[]) => sql.filter((q) => /^\s*(insert|update|delete|replace)\b/i.test(q));

  it('a thread page and the home page read only, after the first view', async () => {
    const thread = await createThread(t.db, s.user.id, { title: 'Reading' });
    const { reply } = (await insertExchange(t.db, thread.id, 'Hello', 'mistral-small-latest'))!;
    await saveFinal(t.db, reply.id, { content: 'Hi there.', thinking: null, status: 'complete' });
    await queriesOf(`/threads/${thread.id}`);
    for (const path of [`/threads/${thread.id}`, `/threads/${thread.id}`, '/']) {
      const sql = await queriesOf(path);
      expect(writes(sql), `${path}:\n${sql.join('\n')}`).toEqual([]);
      // (9 on a thread: the versions of its messages are one read, its open share links another; 10 since issue 15:
      // the pinned threads are a small read of their own above the list's page.)
      expect(sql.length).toBeLessThanOrEqual(10);
    }
  });

  it('a stale live answer left by a crashed instance is still recovered by opening its thread (the one write)', async () => {
    const thread = await createThread(t.db, s.user.id, { title: 'Crashed' });
    const old = new Date(Date.now() - 10 * 60_000);
    const [id] = await t.db('messages').insert({ thread_id: thread.id, role: 'assistant', content: 'half', thinking: null, status: 'streaming', error: null, model: null, usage: null, created_at: old, updated_at: old });
    const sql = await queriesOf(`/threads/${thread.id}`);
    expect(writes(sql)).toHaveLength(1);
    expect(await t.db('messages').where({ id: Number(id) }).first()).toMatchObject({ status: 'interrupted', content: 'half' });
  });
});
