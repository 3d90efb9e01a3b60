// Issue 18: the thread page's and thread JSON's reads are SQL written once (db.ts selectRows) and the settings row is
// read once per request. Nothing is kept from one request to the next: these are the guarantees that come with it.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { createThread, listFirstPage, listPinned, listThreads, markThreads } from '../../src/features/threads/threads.repo.ts';
import { sessionMiddleware } from '../../src/http/session.ts';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';

describe.each(DIALECTS)('a thread page\'s reads on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  async function signedIn(email: string) {
    const user = await createUser(t.db, { email });
    return { user, token: await issueToken(t.db, user.id, { ttlDays: 7 }) };
  }

  it('reads the settings row once per page, and a changed setting shows on the very next page', async () => {
    const { user, token } = await signedIn('settings-once@example.com');
    const thread = await createThread(t.db, user.id, { title: 'Settings once' });
    await updateSettings(t.db, user.id, { theme: 'light', fastModels: ['model-before'] });
    const page = async () => {
      const sqls: string[] = [];
      const onQuery = (q: { sql: string }) => { sqls.push(q.sql); };
      t.db.on('query', onQuery);
      try {
        const res = await request(t.app).get(`/threads/${thread.id}`).set('Cookie', `access_token=${token}`);
        expect(res.status).toBe(200);
        return { html: res.text, settingsReads: sqls.filter((s) => /user_settings/i.test(s)).length };
      } finally {
        t.db.off('query', onQuery);
      }
    };
    const before = await page();
    // The header's model menu (the fast list) and the layout's theme, from one read.
    expect(before.settingsReads).toBe(1);
    expect(before.html).toContain('data-theme="light"');
    expect(before.html).toContain('model-before');
    await updateSettings(t.db, user.id, { theme: 'dark', fastModels: ['model-after'] });
    const after = await page();
    expect(after.settingsReads).toBe(1);
    expect(after.html).toContain('data-theme="dark"');
    expect(after.html).toContain('model-after');
    expect(after.html).not.toContain('model-before');
  });

  it('another user\'s thread and a deleted one are 404, as a page and as JSON', async () => {
    const owner = await signedIn('owner-reads@example.com');
    const other = await signedIn('other-reads@example.com');
    const thread = await createThread(t.db, owner.user.id, { title: 'Mine' });
    const page = (token: string) => request(t.app).get(`/threads/${thread.id}`).set('Cookie', `access_token=${token}`);
    const json = (token: string) => request(t.app).get(`/api/thread/${thread.id}`).set('Authorization', `Bearer ${token}`);
    expect((await page(owner.token)).status).toBe(200);
    expect((await json(owner.token)).body.thread.title).toBe('Mine');
    expect((await page(other.token)).status).toBe(404);
    expect((await json(other.token)).status).toBe(404);
    await t.db('threads').where({ id: thread.id }).delete();
    expect((await page(owner.token)).status).toBe(404);
    expect((await json(owner.token)).status).toBe(404);
  });

  it('the sidebar\'s one query answers what listPinned and listThreads\' first page answer, ties and all', async () => {
    const { user } = await signedIn('first-page@example.com');
    const at = new Date('2026-11-30T10:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push((await createThread(t.db, user.id, { title: `T${i}`, temporary: i === 8 })).id);
    // Ties on updated_at and on pinned_at: the order falls to the id, on each dialect's own comparison.
    await t.db('threads').whereIn('id', ids.slice(0, 6)).update({ updated_at: at });
    await markThreads(t.db, user.id, ids.slice(0, 3), 'pinned_at', true);
    await t.db('threads').whereIn('id', ids.slice(0, 3)).update({ pinned_at: at });
    await markThreads(t.db, user.id, [ids[6]], 'archived_at', true);
    for (const limit of [2, 3, 50]) {
      const one = await listFirstPage(t.db, user.id, limit, 2);
      expect(one.pinned).toEqual(await listPinned(t.db, user.id, 2));
      const { threads, nextCursor } = await listThreads(t.db, user.id, { limit });
      expect(one.threads).toEqual(threads);
      expect(one.nextCursor).toBe(nextCursor);
    }
    expect((await listFirstPage(t.db, user.id, 50)).pinned.map((x) => x.title).sort()).toEqual(['T0', 'T1', 'T2']);
  });

  it('the session store reads a live session and no expired one (its own expiry format on each dialect)', async () => {
    const { store } = sessionMiddleware(t.db, { secret: 'x'.repeat(32), basePath: '/' });
    const get = (sid: string) => new Promise((resolve, reject) => { store.get(sid, (err, s) => (err ? reject(err) : resolve(s))); });
    const cookie = (maxAge: number) => ({ originalMaxAge: maxAge, maxAge, expires: new Date(Date.now() + maxAge), httpOnly: true, path: '/' });
    await store.set('live-sid', { cookie: cookie(60_000), csrfSecret: 'kept' } as never);
    await store.set('gone-sid', { cookie: cookie(-60_000), csrfSecret: 'old' } as never);
    expect(await get('live-sid')).toMatchObject({ csrfSecret: 'kept' });
    expect(await get('gone-sid')).toBeNull();
    expect(await get('no-such-sid')).toBeNull();
  });
});
