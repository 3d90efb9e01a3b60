// Export: a thread as JSON (every branch) imports back equal to the original; Markdown of the shown branch; the
// whole account as one JSON download; another user's ids are 404.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

type Json = Record<string, any>;

/**
 * A thread with branches, written straight into the tables: q1 → a1 → {q2 → a2, q2' → {a2'(stopped), a2''}}, with
 * thinking, usage, models and distinct times; it shows a2' (not the newest message).
 */
export async function branchedThread(db: Db, userId: number, title = 'Physics: $E=mc^2$ & <code>'): Promise<{ id: string; ids: Record<string, number> }> {
  const id = `thr${Math.random().toString(36).slice(2, 14)}x`;
  const t0 = Date.UTC(2026, 10, 20, 9, 30, 0, 123);
  await db('threads').insert({ id, user_id: userId, title, title_set_by_user: true, model: 'mistral-large-latest', context: 'Answer briefly.', think_harder: true, created_at: new Date(t0), updated_at: new Date(t0 + 9000) });
  const ids: Record<string, number> = {};
  const add = async (key: string, parent: string | null, row: Json, at: number) => {
    const [mid] = await db('messages').insert({ thread_id: id, parent_id: parent ? ids[parent] : null, thinking: null, error: null, model: null, usage: null, status: 'complete', ...row, created_at: new Date(t0 + at), updated_at: new Date(t0 + at) });
    ids[key] = Number(mid);
  };
  await add('q1', null, { role: 'user', content: 'Why is $E=mc^2$?' }, 1000);
  await add('a1', 'q1', { role: 'assistant', content: 'Because $$E^2=(pc)^2+(mc^2)^2$$ at rest.\n\n```python\nprint("c")\n```', thinking: 'Energy–momentum relation.', model: 'magistral-medium-latest', usage: JSON.stringify({ promptTokens: 12, completionTokens: 40, totalTokens: 52 }) }, 2000);
  await add('q2', 'a1', { role: 'user', content: 'And for light?' }, 3000);
  await add('a2', 'q2', { role: 'assistant', content: 'Then $E=pc$.', model: 'mistral-small-latest' }, 4000);
  await add('q2b', 'a1', { role: 'user', content: 'And for a moving body?' }, 5000);
  await add('a2b', 'q2b', { role: 'assistant', content: 'Use $\\gamma mc^2$.', model: 'mistral-large-latest', usage: JSON.stringify({ promptTokens: 30, completionTokens: 9, totalTokens: 39 }) }, 6000);
  await add('a2c', 'q2b', { role: 'assistant', content: 'Half', status: 'stopped', model: 'mistral-small-latest' }, 7000);
  await db('threads').where({ id }).update({ current_leaf_id: ids.a2b });
  return { id, ids };
}

/** The thread as a shape without ids: messages by position, parents and the current leaf as positions. */
export function shapeOf(thread: Json): Json {
  const pos = new Map<number, number>(thread.messages.map((m: Json, i: number) => [m.id, i]));
  const { id: _id, messages, currentLeafId, ...rest } = thread;
  return {
    ...rest,
    currentLeaf: currentLeafId === null ? null : pos.get(currentLeafId),
    messages: messages.map(({ id: _m, parentId, ...m }: Json) => ({ ...m, parent: parentId === null ? null : pos.get(parentId) })),
  };
}

describe.each(DIALECTS)('export on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let auth: Record<string, string>;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); auth = { Authorization: `Bearer ${s.token}` }; });
  afterAll(async () => { await t?.close(); });

  it('JSON export → import gives the same tree, contents, roles, models, times, usage and current leaf', async () => {
    const { id, ids } = await branchedThread(t.db, s.user.id);
    const res = await request(t.app).get(`/api/thread/${id}/export?format=json`).set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="mistralchat-physics-e-mc-2-code-\d{4}-\d\d-\d\d\.json"$/);
    const doc = JSON.parse(res.text);
    expect(doc).toMatchObject({ format: 'mistralchat', version: 1, thread: { id, currentLeafId: ids.a2b, thinkHarder: true, context: 'Answer briefly.' } });
    expect(doc.thread.messages).toHaveLength(7);
    expect(doc.thread.messages[1]).toMatchObject({ id: ids.a1, parentId: ids.q1, role: 'assistant', thinking: 'Energy–momentum relation.', model: 'magistral-medium-latest', usage: { promptTokens: 12, completionTokens: 40, totalTokens: 52 }, createdAt: '2026-11-20T09:30:02.123Z' });

    const imported = await request(t.app).post('/api/import').set(auth).set('Content-Type', 'application/json').send(res.text);
    expect(imported.status).toBe(201);
    expect(imported.body.threads).toEqual([{ id: expect.any(String), title: 'Physics: $E=mc^2$ & <code>' }]);
    const copyId = imported.body.threads[0].id;
    expect(copyId).not.toBe(id);
    const again = JSON.parse((await request(t.app).get(`/api/thread/${copyId}/export?format=json`).set(auth)).text);
    expect(shapeOf(again.thread)).toEqual(shapeOf(doc.thread));
    // The copy shows the same branch as the original.
    const shown = (await request(t.app).get(`/api/thread/${copyId}`).set(auth)).body;
    expect(shown.messages.map((m: Json) => m.content)).toEqual(['Why is $E=mc^2$?', expect.stringContaining('E^2=(pc)^2'), 'And for a moving body?', 'Use $\\gamma mc^2$.']);
    expect(shown.messages[2].siblings).toMatchObject({ index: 2, count: 2 });
  });

  it('Markdown export is the shown branch: title, each message with role, model and time, math and code as written', async () => {
    const { id } = await branchedThread(t.db, s.user.id, 'Relativity');
    const res = await request(t.app).get(`/api/thread/${id}/export?format=md`).set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/markdown; charset=utf-8/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="mistralchat-relativity-\d{4}-\d\d-\d\d\.md"$/);
    const md = res.text;
    expect(md.startsWith('# Relativity\n')).toBe(true);
    expect(md).toContain('## You · 2026-11-20 09:30 UTC\n\nWhy is $E=mc^2$?');
    expect(md).toContain('## Mistral (magistral-medium-latest) · 2026-11-20 09:30 UTC');
    expect(md).toContain('Because $$E^2=(pc)^2+(mc^2)^2$$ at rest.\n\n```python\nprint("c")\n```');
    expect(md).toContain('> **Thinking**\n>\n> Energy–momentum relation.');
    expect(md).toContain('## Mistral (mistral-large-latest) · 2026-11-20 09:30 UTC\n\nUse $\\gamma mc^2$.');
    // The other branches are not in it.
    expect(md).not.toContain('And for light?');
    expect(md).not.toContain('Half');
    expect(md.indexOf('Why is')).toBeLessThan(md.indexOf('And for a moving body?'));
  });

  it('the whole account is one JSON download with every thread and message', async () => {
    const other = await signIn(t);
    const a = await branchedThread(t.db, other.user.id, 'One');
    const b = await branchedThread(t.db, other.user.id, 'Two');
    await t.db('threads').insert({ id: `empty${Date.now()}x`, user_id: other.user.id, title: null, title_set_by_user: false, created_at: new Date(), updated_at: new Date() });
    const res = await request(t.app).get('/api/export').set('Authorization', `Bearer ${other.token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="mistralchat-account-\d{4}-\d\d-\d\d\.json"$/);
    const doc = JSON.parse(res.text);
    expect(doc.format).toBe('mistralchat');
    expect(doc.threads).toHaveLength(3);
    const byId = new Map(doc.threads.map((x: Json) => [x.id, x]));
    expect((byId.get(a.id) as Json).messages).toHaveLength(7);
    expect((byId.get(b.id) as Json).currentLeafId).toBe(b.ids.a2b);
    // Re-imported into a fresh account: three threads, equal shapes.
    const fresh = await signIn(t);
    const imp = await request(t.app).post('/api/import').set('Authorization', `Bearer ${fresh.token}`).set('Content-Type', 'application/json').send(res.text);
    expect(imp.status).toBe(201);
    expect(imp.body.threads).toHaveLength(3);
    const back = JSON.parse((await request(t.app).get('/api/export').set('Authorization', `Bearer ${fresh.token}`)).text);
    const shapes = (d: Json) => d.threads.map(shapeOf).sort((x: Json, y: Json) => String(x.title).localeCompare(String(y.title)));
    expect(shapes(back)).toEqual(shapes(doc));
    // A HEAD gets the download's headers without the account being read.
    const read: string[] = [];
    const onQuery = (q: { sql: string }) => { read.push(q.sql); };
    t.db.on('query', onQuery);
    const head = await request(t.app).head('/api/export').set('Authorization', `Bearer ${other.token}`);
    t.db.removeListener('query', onQuery);
    expect(head.status).toBe(200);
    expect(head.headers['content-disposition']).toMatch(/^attachment; filename="mistralchat-account-/);
    expect(read.filter((sql) => /from [`"](threads|messages)[`"]/i.test(sql))).toEqual([]);
  });

  it('another user’s thread is 404, signed out is 401, an unknown format 400', async () => {
    const { id } = await branchedThread(t.db, s.user.id);
    const stranger = await signIn(t);
    for (const format of ['md', 'json']) {
      const res = await request(t.app).get(`/api/thread/${id}/export?format=${format}`).set('Authorization', `Bearer ${stranger.token}`);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('Physics');
    }
    expect((await request(t.app).get(`/api/thread/${id}/export`)).status).toBe(401);
    expect((await request(t.app).get('/api/export')).status).toBe(401);
    expect((await request(t.app).get(`/api/thread/${id}/export?format=html`).set(auth)).status).toBe(400);
    // The stranger's own account export holds nothing of it.
    const mine = JSON.parse((await request(t.app).get('/api/export').set('Authorization', `Bearer ${stranger.token}`)).text);
    expect(mine.threads).toEqual([]);
  });
});
