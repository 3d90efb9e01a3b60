// Search on MySQL reads only the user's rows (migration 20261213000100): every row a send, an upload, a fork or an
// import writes carries its owner's word, and a search for a word only another user has reads none of their rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.ts';
import { parseQuery } from '../../src/features/search/query.ts';
import { searchUser } from '../../src/features/search/search.repo.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { seedThread } from '../support/search.ts';
import { bearer, shareOf } from '../support/shares.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures/transfer', name), 'utf8');

/** Rows of the user's threads, messages (`u<id>b<bucket>`) and files (`u<id>`) without their owner word, and how many. */
async function owners(db: Db, userId: number) {
  const threads = await db('threads').where({ user_id: userId }).select('search_owner');
  const messages = await db('messages as m').join('threads as t', 't.id', 'm.thread_id').where('t.user_id', userId).select('m.search_owner');
  const files = await db('files').where({ user_id: userId }).select('search_owner');
  const bucketed = new RegExp(`^u${userId}b\\d+$`);
  const wrong = [...threads.filter((r) => !bucketed.test(r.search_owner)), ...messages.filter((r) => !bucketed.test(r.search_owner)),
    ...files.filter((r) => r.search_owner !== `u${userId}`)];
  return { threads: threads.length, messages: messages.length, files: files.length, wrong };
}

describe.each(DIALECTS)('search owner words on %s', (dialect) => {
  let t: ChatTestApp;
  let a: Session;
  let b: Session;
  beforeAll(async () => { t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' }); a = await signIn(t); b = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  it('is written by a send with a file, a regeneration, a fork (the new owner\'s) and an import (the importer\'s)', async () => {
    const id = (await request(t.app).post('/api/thread').set(bearer(a)).send({ title: 'Owned' })).body.thread.id as string;
    const sent = await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(a)).field('content', 'platypus question')
      .attach('files', Buffer.from('gryphon notes\n'), 'notes.txt');
    expect(sent.status).toBeLessThan(300);
    await t.gens.idle();
    const regen = await request(t.app).post(`/api/thread/${id}/messages/${sent.body.reply.id}/regenerate`).set(bearer(a)).send({});
    expect(regen.status).toBe(202);
    await t.gens.idle();
    await request(t.app).post('/api/thread').set(bearer(a)).send({}).then((r) => request(t.app).post(`/api/thread/${r.body.thread.id}/messages`).set(bearer(a)).send({ content: 'second chat' }));
    await t.gens.idle();
    const { code } = await shareOf(t, a, id);
    expect((await request(t.app).post(`/api/shares/${code}/fork`).set(bearer(b))).status).toBe(201);
    const imported = await request(t.app).post('/api/import').set(bearer(b)).set('Content-Type', 'application/json').send(fixture('openwebui-chat-export.json'));
    expect(imported.status).toBeLessThan(300);
    const mine = await owners(t.db, a.user.id);
    expect(mine).toMatchObject({ threads: 2, wrong: [] });
    expect(mine.messages).toBe(5);
    expect(mine.files).toBe(1);
    const theirs = await owners(t.db, b.user.id);
    expect(theirs.wrong).toEqual([]);
    expect(theirs.threads).toBeGreaterThanOrEqual(2);
  });

  it("finds nothing of another user's, and on MySQL reads none of their rows", async () => {
    const u = await signIn(t);
    const v = await signIn(t);
    await seedThread(t.db, v.user.id, { title: 'Manticore den', messages: Array.from({ length: 30 }, (_, i) => `manticore note ${i}`) });
    await seedThread(t.db, u.user.id, { title: 'Mine', messages: ['a basilisk'] });
    const search = (userId: number) => async (db: Db) => searchUser(db, userId, parseQuery('manticore'), { sort: 'newest', archived: 'exclude', limit: 20 });
    expect((await search(u.user.id)(t.db)).results).toEqual([]);
    expect((await search(v.user.id)(t.db)).results).toHaveLength(20);
    if (dialect !== 'mysql') return;
    // The rows InnoDB hands up (Handler_read_*), on the one connection of a transaction.
    const reads = (userId: number) => t.db.transaction(async (trx) => {
      const count = async () => (await trx.raw("SHOW SESSION STATUS LIKE 'Handler_read%'"))[0].reduce((n: number, r: { Value: string }) => n + Number(r.Value), 0);
      const before = await count();
      await search(userId)(trx);
      return (await count()) - before;
    });
    const other = await reads(u.user.id);
    const own = await reads(v.user.id);
    expect(own).toBeGreaterThanOrEqual(31);
    expect(other).toBeLessThan(5);
  });
});
