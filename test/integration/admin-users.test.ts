// Administration (issue 16): the users list (search, pages, last active, tokens this month), disable on every
// instance at once, enable, delete every row, and not yourself.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createDb } from '../../src/db.ts';
import { monthOf } from '../../src/features/admin/admin.repo.ts';
import { accountBucket } from '../../src/features/auth/rate-limits.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { createLogger } from '../../src/http/logger.ts';
import { admin, adminTestApp, cookieAgent, member, type Member } from '../support/admin.ts';
import { tablesOf, type TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';

describe.each(DIALECTS)('administering users on %s', (dialect) => {
  let t: TestApp;
  let other: { app: ReturnType<typeof createApp>; db: ReturnType<typeof createDb> };
  let boss: Member;
  beforeAll(async () => {
    t = await adminTestApp(dialect, { TRUSTED_AUTH_HEADER: 'Remote-Email', TRUST_PROXY: 'loopback' });
    // A second instance: its own app and connection pool on the same database.
    const db = createDb(t.url);
    other = { db, app: createApp({ config: t.config, db, logger: createLogger('silent') }) };
    boss = await admin(t);
  });
  afterAll(async () => { await other?.db.destroy(); await t?.close(); });

  const api = (m: 'get' | 'post' | 'delete', path: string) => request(t.app)[m](path).set('Authorization', `Bearer ${boss.token}`);

  it('lists members with search, cursor pages, last active and tokens this month', async () => {
    const now = new Date();
    const ann = await member(t, 'ann@list.example', { name: 'Ann Lister' });
    for (let i = 0; i < 52; i++) await createUser(t.db, { email: `bulk${i}@bulk.example` });
    await t.db('usage_monthly').insert([
      { user_id: ann.user.id, month: monthOf(now), model: 'a', prompt_tokens: 1000, completion_tokens: 234 },
      { user_id: ann.user.id, month: monthOf(now), model: 'b', prompt_tokens: 10, completion_tokens: 0 },
      { user_id: ann.user.id, month: '2000-01', model: 'a', prompt_tokens: 99999, completion_tokens: 1 },
    ]);
    const byName = await api('get', '/api/admin/users?q=LISTER');
    expect(byName.body.users).toEqual([expect.objectContaining({ email: 'ann@list.example', name: 'Ann Lister', tokensThisMonth: 1244, disabled: false, admin: false })]);
    expect((await api('get', '/api/admin/users?q=%25')).body.users).toEqual([]);
    const page1 = await api('get', '/api/admin/users?q=bulk');
    expect(page1.body.users).toHaveLength(50);
    const page2 = await api('get', `/api/admin/users?q=bulk&cursor=${page1.body.nextCursor}`);
    expect(page2.body.users).toHaveLength(2);
    expect(page2.body.nextCursor).toBeNull();
    expect(new Set([...page1.body.users, ...page2.body.users].map((u: { id: number }) => u.id)).size).toBe(52);
    // Last active: set by the first request of the hour, not by the next ones.
    expect(byName.body.users[0].lastActiveAt).toBeNull();
    await request(t.app).get('/api/user').set('Authorization', `Bearer ${ann.token}`);
    const seen = (await t.db('users').where({ id: ann.user.id }).first()).last_active_at;
    expect(seen).not.toBeNull();
    await request(t.app).get('/api/user').set('Authorization', `Bearer ${ann.token}`);
    expect((await t.db('users').where({ id: ann.user.id }).first()).last_active_at).toEqual(seen);
    const html = await request(t.app).get('/admin/users?q=ann%40list').set('Cookie', boss.cookie);
    expect(html.text).toContain('1,244 tokens this month');
    expect(html.text).toMatch(/last active \d{4}-\d\d-\d\d/);
  });

  it('disables a user on every instance at once (cookie and Bearer), says why at sign-in, and enable restores it', async () => {
    const dee = await member(t, 'dee@example.com');
    const cookieOnB = () => request(other.app).get('/api/user').set('Cookie', dee.cookie);
    const bearerOnB = () => request(other.app).get('/api/user').set('Authorization', `Bearer ${dee.token}`);
    expect((await cookieOnB()).status).toBe(200);
    expect((await bearerOnB()).status).toBe(200);
    const { agent, csrf } = await cookieAgent(t, boss.cookie, '/admin/users');
    const res = await agent.post(`/admin/users/${dee.user.id}/disable`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/users');
    expect((await cookieOnB()).status).toBe(401);
    expect((await bearerOnB()).status).toBe(401);
    expect((await request(other.app).get('/settings').set('Cookie', dee.cookie)).status).toBe(302);
    expect(await t.db('access_tokens').where({ user_id: dee.user.id }).count({ n: '*' })).toEqual([{ n: 0 }]);
    const list = await agent.get('/admin/users?q=dee');
    expect(list.text).toContain('dee@example.com is disabled and signed out everywhere.');
    expect(list.text).toContain('badge-warn">disabled');
    // The right password says the account is disabled; a wrong one says nothing more than usual.
    const wrong = await request(other.app).post('/api/auth/email/login').send({ email: 'dee@example.com', password: 'not-it-at-all' });
    expect(wrong.status).toBe(401);
    const login = await request(other.app).post('/api/auth/email/login').send({ email: 'dee@example.com', password: dee.password });
    expect(login.status).toBe(403);
    expect(login.body.error.message).toBe('This account is disabled. Ask an administrator.');
    const form = await request.agent(other.app);
    const page = await form.get('/login');
    const csrfLogin = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const formLogin = await form.post('/login').type('form').send({ _csrf: csrfLogin, email: 'dee@example.com', password: dee.password });
    expect(formLogin.status).toBe(403);
    expect(formLogin.text).toContain('This account is disabled. Ask an administrator.');
    // The column alone is enough on every instance, even for a token that still exists.
    const { issueToken } = await import('../../src/features/auth/tokens.repo.ts');
    const leftover = await issueToken(t.db, dee.user.id, { ttlDays: 1 });
    expect((await request(other.app).get('/api/user').set('Authorization', `Bearer ${leftover}`)).status).toBe(401);
    // The trusted proxy's header: every page says the account is disabled.
    const viaProxy = await request(other.app).get('/settings').set('Remote-Email', 'dee@example.com');
    expect(viaProxy.status).toBe(403);
    expect(viaProxy.text).toContain('This account is disabled. Ask an administrator.');

    const enabled = await api('post', `/api/admin/users/${dee.user.id}/enable`);
    expect(enabled.body.user).toMatchObject({ email: 'dee@example.com', disabled: false });
    expect((await request(other.app).get('/api/user').set('Authorization', `Bearer ${leftover}`)).status).toBe(200);
    expect((await request(other.app).post('/api/auth/email/login').send({ email: 'dee@example.com', password: dee.password })).status).toBe(200);
    expect((await request(other.app).get('/settings').set('Remote-Email', 'dee@example.com')).status).toBe(200);
  }, 120_000);

  it('swaps the row in place for htmx, and the API disables too', async () => {
    const hx = await member(t, 'hx@example.com');
    const { agent, csrf } = await cookieAgent(t, boss.cookie, '/admin/users');
    const res = await agent.post(`/admin/users/${hx.user.id}/disable`).set('HX-Request', 'true').set('X-CSRF-Token', csrf).type('form').send({});
    expect(res.status).toBe(200);
    expect(res.text.trim()).toMatch(/^<li class="admin-user is-disabled" id="user-\d+">/);
    expect(res.text).toContain('Enable');
    expect(res.text).not.toContain('<html');
    const again = await api('post', `/api/admin/users/${hx.user.id}/enable`);
    expect(again.status).toBe(200);
    const off = await api('post', `/api/admin/users/${hx.user.id}/disable`);
    expect(off.body.user.disabled).toBe(true);
    expect((await request(t.app).get('/api/user').set('Cookie', hx.cookie)).status).toBe(401);
  });

  it('refuses to disable or delete yourself, with a clear message', async () => {
    const api1 = await api('post', `/api/admin/users/${boss.user.id}/disable`);
    expect(api1.status).toBe(409);
    expect(api1.body.error.message).toBe('You cannot disable your own account. Another administrator can.');
    expect((await api('delete', `/api/admin/users/${boss.user.id}`)).status).toBe(409);
    const { agent, csrf } = await cookieAgent(t, boss.cookie, '/admin/users');
    const form = await agent.post(`/admin/users/${boss.user.id}/disable`).type('form').send({ _csrf: csrf });
    expect(form.status).toBe(303);
    expect((await agent.get(form.headers.location)).text).toContain('You cannot disable your own account.');
    expect((await agent.get(`/admin/users/${boss.user.id}/delete`)).text).toContain('You cannot delete your own account here.');
    expect((await t.db('users').where({ id: boss.user.id }).first()).disabled_at).toBeNull();
    // Unknown ids and guests are not found.
    expect((await api('post', '/api/admin/users/999999/disable')).status).toBe(404);
    expect((await api('delete', '/api/admin/users/abc')).status).toBe(404);
  });

  it('deletes every row of a user, as their own deletion does (page with a confirmation step, and the API)', async () => {
    const gone = await member(t, 'gone@example.com');
    const now = new Date();
    await t.db('threads').insert({ id: 'admingone000001', user_id: gone.user.id, title: 'Mine', created_at: now, updated_at: now });
    await t.db('messages').insert({ thread_id: 'admingone000001', role: 'user', content: 'hello', status: 'complete', created_at: now, updated_at: now });
    await t.db('user_settings').insert({ user_id: gone.user.id, default_context: 'ctx', updated_at: now });
    await t.db('usage_monthly').insert({ user_id: gone.user.id, month: monthOf(now), model: 'm', prompt_tokens: 1 });
    await request(t.app).post('/api/auth/email/login').send({ email: 'gone@example.com', password: 'wrong-password' });
    const { agent, csrf } = await cookieAgent(t, boss.cookie, '/admin/users');
    const confirm = await agent.get(`/admin/users/${gone.user.id}/delete`);
    expect(confirm.text).toContain('This cannot be undone.');
    const done = await agent.post(`/admin/users/${gone.user.id}/delete`).type('form').send({ _csrf: csrf });
    expect(done.status).toBe(303);
    const leftovers: string[] = [];
    // (sessions: the administrator's own, whose flash names the deleted address.)
    for (const table of (await tablesOf(t)).filter((n) => n !== 'sessions')) {
      for (const row of await t.db(table).select()) {
        const text = JSON.stringify(row);
        if (row.user_id === gone.user.id || (table === 'users' && row.id === gone.user.id) || text.includes('gone@example.com') || text.includes('admingone000001')) leftovers.push(`${table}: ${text}`);
      }
    }
    expect(leftovers).toEqual([]);
    expect(await t.db('auth_attempts').where({ bucket: accountBucket('gone@example.com') }).first()).toBeUndefined();
    expect((await agent.get('/admin/users')).text).toContain('gone@example.com and everything of theirs is deleted.');
    const viaApi = await member(t, 'gone2@example.com');
    expect((await api('delete', `/api/admin/users/${viaApi.user.id}`)).status).toBe(204);
    expect(await t.db('users').where({ id: viaApi.user.id }).first()).toBeUndefined();
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${viaApi.token}`)).status).toBe(401);
  });
});
