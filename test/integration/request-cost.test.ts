// Issue 18 made requests cheaper without caching what can change: these are its correctness guarantees. A revoked
// token, a disabled account, a deleted thread and a changed setting take effect on the very next request (the token
// lookup is SQL written once, never a cached answer); a Bearer API call makes no session; SQLite statements prepared
// once per connection still see the rows of the moment; remembered translations are the catalogue's own answers; no
// ETag is computed for answers nobody may store.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { createDb, reusePreparedStatements } from '../../src/db.ts';
import { catalogue, tFor } from '../../src/i18n/catalogue.ts';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';

describe.each(DIALECTS)('no stale answers on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('a revoked token is refused on the very next request', async () => {
    const user = await createUser(t.db, { email: 'revoked@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    expect((await request(t.app).get('/api/user').set(bearer(token))).status).toBe(200);
    await t.db('access_tokens').where({ user_id: user.id }).delete();
    expect((await request(t.app).get('/api/user').set(bearer(token))).status).toBe(401);
    expect((await request(t.app).get('/account').set('Cookie', `access_token=${token}`)).status).toBe(302);
  });

  it('an expired token is refused on the very next request', async () => {
    const user = await createUser(t.db, { email: 'expired@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    expect((await request(t.app).get('/api/user').set(bearer(token))).status).toBe(200);
    await t.db('access_tokens').where({ user_id: user.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await request(t.app).get('/api/user').set(bearer(token))).status).toBe(401);
  });

  it('a disabled account is refused on the very next request, even with its token still there', async () => {
    const user = await createUser(t.db, { email: 'disabled@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    expect((await request(t.app).get('/api/user').set(bearer(token))).body.email).toBe('disabled@example.com');
    await t.db('users').where({ id: user.id }).update({ disabled_at: new Date() });
    expect((await request(t.app).get('/api/user').set(bearer(token))).status).toBe(401);
    await t.db('users').where({ id: user.id }).update({ disabled_at: null });
    expect((await request(t.app).get('/api/user').set(bearer(token))).status).toBe(200);
  });

  it('a changed name shows on the very next request', async () => {
    const user = await createUser(t.db, { email: 'renamed@example.com', name: 'Before' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    expect((await request(t.app).get('/api/user').set(bearer(token))).body.name).toBe('Before');
    await t.db('users').where({ id: user.id }).update({ name: 'After' });
    expect((await request(t.app).get('/api/user').set(bearer(token))).body.name).toBe('After');
  });

  it('a deleted thread is gone on the very next request, as JSON and as a page', async () => {
    const user = await createUser(t.db, { email: 'deleted-thread@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    const thread = await createThread(t.db, user.id, { title: 'Soon gone' });
    expect((await request(t.app).get(`/api/thread/${thread.id}`).set(bearer(token))).status).toBe(200);
    expect((await request(t.app).get(`/threads/${thread.id}`).set('Cookie', `access_token=${token}`)).status).toBe(200);
    await t.db('threads').where({ id: thread.id }).delete();
    expect((await request(t.app).get(`/api/thread/${thread.id}`).set(bearer(token))).status).toBe(404);
    expect((await request(t.app).get(`/threads/${thread.id}`).set('Cookie', `access_token=${token}`)).status).toBe(404);
  });

  it('a changed setting (the theme, the language) shows on the very next page', async () => {
    const user = await createUser(t.db, { email: 'theme@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    const page = () => request(t.app).get('/settings').set('Cookie', `access_token=${token}`);
    expect((await page()).text).toContain('<html lang="en">');
    await updateSettings(t.db, user.id, { theme: 'dark' });
    await t.db('users').where({ id: user.id }).update({ language: 'fr' });
    expect((await page()).text).toContain('<html lang="fr" data-theme="dark">');
  });

  it('a Bearer API call makes no session: no cookie, no row, even when it carries a session cookie', async () => {
    const user = await createUser(t.db, { email: 'no-session@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    const before = Number((await t.db('sessions').count({ n: '*' }).first())?.n);
    const plain = await request(t.app).get('/api/user').set(bearer(token));
    expect(plain.status).toBe(200);
    expect(plain.headers['set-cookie']).toBeUndefined();
    const created = await request(t.app).post('/api/thread').set(bearer(token)).send({ title: 'By script' });
    expect(created.status).toBe(201);
    expect(created.headers['set-cookie']).toBeUndefined();
    const withCookie = await request(t.app).get('/api/thread').set(bearer(token)).set('Cookie', 'mc_sid=s%3Aforged.sig');
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers['set-cookie']).toBeUndefined();
    expect(Number((await t.db('sessions').count({ n: '*' }).first())?.n)).toBe(before);
    // A page still gets its session (its forms need the CSRF secret).
    const page = await request(t.app).get('/settings').set('Cookie', `access_token=${token}`);
    expect(String(page.headers['set-cookie'])).toMatch(/mc_sid=/);
  });

  it('computes no ETag for no-store answers; the web manifest keeps its own and its 304', async () => {
    const user = await createUser(t.db, { email: 'etag@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    const thread = await createThread(t.db, user.id, { title: 'No ETag' });
    const answers = {
      page: await request(t.app).get(`/threads/${thread.id}`).set('Cookie', `access_token=${token}`),
      json: await request(t.app).get(`/api/thread/${thread.id}`).set(bearer(token)),
      user: await request(t.app).get('/api/user').set(bearer(token)),
      healthz: await request(t.app).get('/healthz'),
      missing: await request(t.app).get('/no-such-page'),
    };
    for (const [name, res] of Object.entries(answers)) {
      expect(res.headers['cache-control'], name).toBe('no-store');
      expect(res.headers.etag, name).toBeUndefined();
    }
    expect(Object.values(answers).map((r) => r.status)).toEqual([200, 200, 200, 200, 404]);
    const manifest = await request(t.app).get('/manifest.webmanifest');
    expect(manifest.headers.etag).toMatch(/^"[\w-]{16}"$/);
    expect((await request(t.app).get('/manifest.webmanifest').set('If-None-Match', manifest.headers.etag)).status).toBe(304);
  });
});

describe('SQLite statements prepared once per connection', () => {
  it('the same statement object is reused, and it reads the rows of the moment', async () => {
    const db = createDb(':memory:');
    try {
      await db.raw('CREATE TABLE t (v INTEGER)');
      const conn = await db.client.acquireConnection() as { prepare(sql: string): unknown };
      try {
        expect(conn.prepare('SELECT v FROM t')).toBe(conn.prepare('SELECT v FROM t'));
        expect(conn.prepare('SELECT v FROM t')).not.toBe(conn.prepare('SELECT v FROM t WHERE v > 0'));
      } finally {
        await db.client.releaseConnection(conn);
      }
      expect(await db('t').select('v')).toEqual([]);
      await db('t').insert({ v: 1 });
      expect(await db('t').select('v')).toEqual([{ v: 1 }]);
      // A schema change under a kept statement: SQLite prepares it again by itself.
      await db.raw('ALTER TABLE t ADD COLUMN w INTEGER');
      expect(await db('t').select('*')).toEqual([{ v: 1, w: null }]);
    } finally {
      await db.destroy();
    }
  });

  it('is bounded: past its size it starts over', () => {
    let made = 0;
    const conn = { prepare: (sql: string) => ({ sql, n: ++made }) };
    reusePreparedStatements(conn);
    const first = conn.prepare('SELECT 0');
    for (let i = 1; i <= 1000; i++) conn.prepare(`SELECT ${i}`);
    expect(conn.prepare('SELECT 0')).not.toBe(first);
  });
});

describe('remembered translations', () => {
  it('answer what i18next answers, for every language, with and without values', () => {
    for (const lang of ['en', 'fr']) {
      const fixed = catalogue().getFixedT(lang);
      const t = tFor(lang);
      for (const [key, values] of [['chat:time.justNow', undefined], ['chat:time.minutesAgo', { n: 5 }], ['chat:time.minutesAgo', { n: 6 }],
        ['chat:time.minutesAgo', { n: 1 }], ['chat:footer.tokens', { count: 1200 }], ['chat:footer.tokens', { count: 1 }]] as const) {
        // Twice: the second answer is the remembered one.
        expect(t(key, values as never)).toBe(fixed(key, values as never));
        expect(t(key, values as never)).toBe(fixed(key, values as never));
      }
    }
  });
});
