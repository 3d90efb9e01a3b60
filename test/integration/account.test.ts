import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp, tablesOf } from '../support/app.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { accountBucket } from '../../src/features/auth/rate-limits.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { csrfOf } from '../support/forms.ts';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { toDate } from '../../src/lib/time.ts';

const ANDROID_FIREFOX = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';
const MAC_SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

async function signedIn(t: TestApp, email: string, password = 'old-password-1') {
  const user = await createUser(t.db, { email, name: 'Ada', passwordHash: await hashPassword(password) });
  const token = await issueToken(t.db, user.id, { ttlDays: 1, userAgent: ANDROID_FIREFOX });
  const agent = request.agent(t.app);
  agent.set('Cookie', `access_token=${token}`);
  const page = await agent.get('/account');
  expect(page.status).toBe(200);
  return { user, token, agent, page, csrf: csrfOf(page.text) };
}

describe.each(DIALECTS)('account page on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('shows name, email, sign-in methods and active sign-ins with their device', async () => {
    const { user, page } = await signedIn(t, 'ada@example.com');
    expect(page.text).toContain('ada@example.com');
    expect(page.text).toContain('value="Ada"');
    expect(page.text).toMatch(/Email and password: <strong>set<\/strong>/);
    // Google is not configured here: no line about it at all (auth-google.test.ts shows "Link Google" when it is).
    expect(page.text).not.toContain('Google:');
    expect(page.text).toContain('Firefox on Android');
    expect(page.text).toContain('this device');
    expect(page.text).not.toContain('Link Google');
    // Another device shows up in the list; an htmx request (HX-Location after a save) gets the whole page, layout
    // included: htmx swaps it into <body> (test/integration/htmx-navigation.test.ts).
    await issueToken(t.db, user.id, { ttlDays: 1, userAgent: MAC_SAFARI });
    const htmx = await request(t.app).get('/account').set('Cookie', `access_token=${await issueToken(t.db, user.id, { ttlDays: 1 })}`).set('HX-Request', 'true');
    expect(htmx.text).toContain('<!doctype html>');
    expect(htmx.text).toContain('id="sidebar"');
    expect(htmx.text).toContain('Safari on macOS');
  });

  it('shows when each sign-in was last used (not when it was created), most recent first', async () => {
    const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
    const before = minute(new Date());
    const { user, token, agent } = await signedIn(t, 'lastused@example.com');
    const safari = await issueToken(t.db, user.id, { ttlDays: 1, userAgent: MAC_SAFARI });
    const curl = await issueToken(t.db, user.id, { ttlDays: 1, userAgent: 'curl/8.5.0' });
    const set = (tok: string, created: string, used: string) => t.db('access_tokens').where({ token_hash: sha256Hex(tok) })
      .update({ created_at: new Date(created), last_used_at: new Date(used) });
    await set(safari, '2024-01-02T03:04:00Z', '2024-03-05T14:07:30Z');
    await set(curl, '2023-10-01T10:00:00Z', '2023-11-20T08:30:00Z');
    const page = await agent.get('/account');
    const after = minute(new Date());
    const rows = page.text.split('<li class="session-row">').slice(1).map((r) => r.replace(/\s+/g, ' '));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('Firefox on Android');
    expect(rows[0]).toContain('this device');
    expect([before, after].some((m) => rows[0].includes(`Last used ${m} UTC`)), rows[0]).toBe(true);
    expect(rows[1]).toContain('Safari on macOS');
    expect(rows[1]).toContain('Last used 2024-03-05 14:07 UTC');
    expect(rows[2]).toContain('curl');
    expect(rows[2]).toContain('Last used 2023-11-20 08:30 UTC');
    expect(page.text).not.toContain('2024-01-02 03:04');
    // Using a sign-in moves its "last used" (the current one was just written by this page view).
    const current = await t.db('access_tokens').where({ token_hash: sha256Hex(token) }).first();
    expect(Date.now() - toDate(current.last_used_at).getTime()).toBeLessThan(120_000);
  });

  it('refuses every account form without its CSRF token even in a live session (403), changing nothing', async () => {
    const { user, agent, csrf } = await signedIn(t, 'live-csrf@example.com');
    const other = await issueToken(t.db, user.id, { ttlDays: 1, userAgent: MAC_SAFARI });
    const otherRow = await t.db('access_tokens').where({ token_hash: sha256Hex(other) }).first();
    const forms: Array<[string, Record<string, string>]> = [
      ['/account/name', { name: 'Mallory' }],
      ['/account/password', { current: 'old-password-1', password: 'new-password-9' }],
      ['/account/google', {}],
      [`/account/sessions/${otherRow.id}/revoke`, {}],
      ['/account/sessions/revoke-all', {}],
      ['/account/delete', { confirm: 'live-csrf@example.com' }],
      ['/logout', {}],
    ];
    const hashBefore = (await t.db('users').where({ id: user.id }).first()).password_hash;
    for (const [path, body] of forms) {
      for (const token of [undefined, '', 'forged-token', csrf.slice(0, -2) + 'xx']) {
        const res = await agent.post(path).type('form').send(token === undefined ? body : { ...body, _csrf: token });
        expect(res.status, `${path} ${token}`).toBe(403);
      }
      // And by htmx, with a wrong header.
      const hx = await agent.post(path).set('HX-Request', 'true').set('X-CSRF-Token', 'forged').type('form').send(body);
      expect(hx.status, `${path} htmx`).toBe(403);
    }
    const row = await t.db('users').where({ id: user.id }).first();
    expect(row.name).toBe('Ada');
    expect(row.password_hash).toBe(hashBefore);
    expect(await t.db('access_tokens').where({ user_id: user.id }).count({ n: '*' })).toEqual([{ n: 2 }]);
    // The session is still live and the right token still works.
    const ok = await agent.post('/account/name').type('form').send({ _csrf: csrf, name: 'Ada L' });
    expect(ok.status).toBe(303);
    expect((await t.db('users').where({ id: user.id }).first()).name).toBe('Ada L');
  });

  it('changes the password: a wrong current password is refused inline; success signs out other devices', async () => {
    const { user, token, agent, csrf } = await signedIn(t, 'pw@example.com');
    const other = await issueToken(t.db, user.id, { ttlDays: 1, userAgent: MAC_SAFARI });
    const wrong = await agent.post('/account/password').type('form').send({ _csrf: csrf, current: 'not-it', password: 'new-password-2' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password.');
    const short = await agent.post('/account/password').type('form').send({ _csrf: csrf, current: 'old-password-1', password: 'short' });
    expect(short.status).toBe(422);
    expect(short.text).toContain('Use at least 8 characters.');
    const ok = await agent.post('/account/password').type('form').send({ _csrf: csrf, current: 'old-password-1', password: 'new-password-2' });
    expect(ok.status).toBe(303);
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${other}`)).status).toBe(401);
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await agent.get('/account')).text).toContain('Your password is changed');
    expect((await request(t.app).post('/api/auth/email/login').send({ email: 'pw@example.com', password: 'old-password-1' })).status).toBe(401);
    expect((await request(t.app).post('/api/auth/email/login').send({ email: 'pw@example.com', password: 'new-password-2' })).status).toBe(200);
  });

  it('lets an account without a password (Google, trusted header) set one without a current password', async () => {
    const user = await createUser(t.db, { email: 'nopw@example.com', googleSub: 'g-nopw' });
    const agent = request.agent(t.app);
    agent.set('Cookie', `access_token=${await issueToken(t.db, user.id, { ttlDays: 1 })}`);
    const page = await agent.get('/account');
    expect(page.text).toMatch(/Email and password: <strong>not set<\/strong>/);
    expect(page.text).toContain('Set a password');
    expect(page.text).not.toContain('name="current"');
    const res = await agent.post('/account/password').type('form').send({ _csrf: csrfOf(page.text), password: 'first-password' });
    expect(res.status).toBe(303);
    expect((await request(t.app).post('/api/auth/email/login').send({ email: 'nopw@example.com', password: 'first-password' })).status).toBe(200);
  });

  it('signs out one device, refuses another user\'s sign-in (404), and signs out everywhere', async () => {
    const { user, token, agent, csrf } = await signedIn(t, 'dev@example.com');
    const phone = await issueToken(t.db, user.id, { ttlDays: 1, userAgent: MAC_SAFARI });
    const phoneRow = (await t.db('access_tokens').where({ user_id: user.id }).orderBy('id', 'desc').first());
    const stranger = await createUser(t.db, { email: 'stranger@example.com' });
    const strangerToken = await issueToken(t.db, stranger.id, { ttlDays: 1 });
    const strangerRow = await t.db('access_tokens').where({ user_id: stranger.id }).first();
    const foreign = await agent.post(`/account/sessions/${strangerRow.id}/revoke`).type('form').send({ _csrf: csrf });
    expect(foreign.status).toBe(404);
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${strangerToken}`)).status).toBe(200);
    const one = await agent.post(`/account/sessions/${phoneRow.id}/revoke`).type('form').send({ _csrf: csrf });
    expect(one.status).toBe(303);
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${phone}`)).status).toBe(401);
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await issueToken(t.db, user.id, { ttlDays: 1 });
    const all = await agent.post('/account/sessions/revoke-all').type('form').send({ _csrf: csrf });
    expect(all.status).toBe(303);
    expect(all.headers.location).toBe('/login');
    expect(await t.db('access_tokens').where({ user_id: user.id }).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('deletes the account only with the email typed, leaving no row of the user in any table', async () => {
    const { user, agent, csrf } = await signedIn(t, 'gone@example.com');
    const now = new Date();
    await t.db('threads').insert({ id: 'gonethread00001', user_id: user.id, title: 'Mine', created_at: now, updated_at: now });
    const [messageId] = await t.db('messages').insert({ thread_id: 'gonethread00001', role: 'user', content: 'hello', status: 'complete', created_at: now, updated_at: now });
    await t.db('user_settings').insert({ user_id: user.id, default_context: 'ctx', updated_at: now });
    await t.db('shares').insert({ thread_id: 'gonethread00001', user_id: user.id, code_hash: 'a'.repeat(64), last_message_id: messageId, created_at: now });
    await request(t.app).post('/api/auth/email/login').send({ email: 'gone@example.com', password: 'wrong-password' });
    expect(await t.db('auth_attempts').where({ bucket: accountBucket('gone@example.com') }).first()).toBeDefined();

    const refused = await agent.post('/account/delete').type('form').send({ _csrf: csrf, confirm: 'someone@example.com' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Type gone@example.com exactly to confirm.');
    expect(refused.text).toContain('value="someone@example.com"');
    expect(await t.db('users').where({ id: user.id }).first()).toBeDefined();

    const done = await agent.post('/account/delete').type('form').send({ _csrf: csrf, confirm: ' GONE@example.com ' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login');
    const leftovers: string[] = [];
    for (const table of await tablesOf(t)) {
      for (const row of await t.db(table).select()) {
        const text = JSON.stringify(row);
        if (row.user_id === user.id || (table === 'users' && row.id === user.id) || text.includes('gone@example.com') || text.includes('gonethread00001')) leftovers.push(`${table}: ${text}`);
      }
    }
    expect(leftovers).toEqual([]);
    // Failed sign-ins against this account go too; the address's own count is not the user's to delete.
    expect(await t.db('auth_attempts').where({ bucket: accountBucket('gone@example.com') }).first()).toBeUndefined();
  });

  it('deletes by the JSON API with a Bearer token (no CSRF needed), 422 without the right confirmation', async () => {
    const reg = await request(t.app).post('/api/auth/email/register').send({ email: 'api-del@example.com', password: 'api-password' });
    const bearer = { Authorization: `Bearer ${reg.body.token}` };
    const wrong = await request(t.app).delete('/api/user').set(bearer).send({ confirm: 'nope' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields.confirm).toContain('api-del@example.com');
    const ok = await request(t.app).delete('/api/user').set(bearer).send({ confirm: 'api-del@example.com' });
    expect(ok.status).toBe(204);
    expect(await t.db('users').where({ email: 'api-del@example.com' }).first()).toBeUndefined();
    expect((await request(t.app).get('/api/auth/validate').set(bearer)).status).toBe(401);
  });
});
