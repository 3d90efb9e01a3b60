import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { cookieOf, csrfOf, formAgent, tokenOf } from '../support/forms.ts';
import { issueToken, revokeToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';


describe.each(DIALECTS)('email + password accounts on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('registers over a form: normalised email, token cookie, new session id, back to a local next', async () => {
    const { agent, csrf, page } = await formAgent(t, '/register');
    const sidBefore = /mc_sid=([^;]+)/.exec(cookieOf(page, 'mc_sid')!)![1];
    const res = await agent.post('/register').type('form')
      .send({ _csrf: csrf, email: '  Ana@Example.COM ', password: 'correct horse battery', name: 'Ana', next: '/account' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
    const cookie = cookieOf(res, 'access_token')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(tokenOf(res)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await t.db('users').where({ email: 'ana@example.com' }).first();
    expect(row.name).toBe('Ana');
    // The session id changed: a fixed id planted before sign-in is worthless.
    const account = await agent.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('ana@example.com');
    const sidAfter = /mc_sid=([^;]+)/.exec(cookieOf(account, 'mc_sid') ?? cookieOf(res, 'mc_sid') ?? '')?.[1];
    expect(sidAfter).toBeDefined();
    expect(sidAfter).not.toBe(sidBefore);
    // The page after sign-in carries a fresh CSRF token that works.
    const saved = await agent.post('/account/name').type('form').send({ _csrf: csrfOf(account.text), name: 'Ana B' });
    expect(saved.status).toBe(303);
    expect((await t.db('users').where({ email: 'ana@example.com' }).first()).name).toBe('Ana B');
  });

  it('re-renders invalid registration with inline errors, keeping email and name but not the password', async () => {
    const { agent, csrf } = await formAgent(t, '/register');
    const res = await agent.post('/register').type('form').send({ _csrf: csrf, email: 'not-an-email', password: 'short', name: 'Bo <b>' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter an email address such as name@example.com.');
    expect(res.text).toContain('Use at least 8 characters.');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('value="Bo &lt;b&gt;"');
    expect(res.text).not.toContain('value="short"');
    const long = await agent.post('/register').type('form').send({ _csrf: csrf, email: 'long@example.com', password: 'x'.repeat(1025) });
    expect(long.status).toBe(422);
    expect(long.text).toContain('Use at most 1024 characters.');
    expect(await t.db('users').where({ email: 'long@example.com' }).first()).toBeUndefined();
  });

  it('refuses a duplicate email: 409 on the form (input kept) and in JSON', async () => {
    const { agent, csrf } = await formAgent(t, '/register');
    const first = await agent.post('/register').type('form').send({ _csrf: csrf, email: 'dup@example.com', password: 'password-one' });
    expect(first.status).toBe(303);
    const { agent: other, csrf: csrf2 } = await formAgent(t, '/register');
    const again = await other.post('/register').type('form').send({ _csrf: csrf2, email: 'DUP@example.com', password: 'password-two', name: 'Dee' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('An account with this email already exists');
    expect(again.text).toContain('value="DUP@example.com"');
    const api = await request(t.app).post('/api/auth/email/register').send({ email: 'dup@example.com', password: 'password-two' });
    expect(api.status).toBe(409);
    expect(api.body.error.code).toBe('conflict');
    expect(await t.db('users').where({ email: 'dup@example.com' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('signs in over a form; a wrong password and an unknown email get the same 401 message', async () => {
    await createUser(t.db, { email: 'cy@example.com', passwordHash: await hashPassword('cy-password-1') });
    const { agent, csrf } = await formAgent(t);
    const wrong = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'cy@example.com', password: 'nope-nope' });
    const unknown = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'nobody@example.com', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const msg = (html: string) => /<p class="flash flash-error" role="alert">([^<]+)<\/p>/.exec(html)?.[1];
    expect(msg(wrong.text)).toBe('Wrong email or password.');
    expect(msg(unknown.text)).toBe(msg(wrong.text));
    expect(wrong.text).toContain('value="cy@example.com"');
    expect(wrong.text).not.toContain('nope-nope');
    const ok = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'CY@example.com', password: 'cy-password-1' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/');
    expect(tokenOf(ok)).toBeTruthy();
  });

  it('spends the same scrypt work on an unknown email as on a wrong password (median time ratio over several tries)', async () => {
    await createUser(t.db, { email: 'timing@example.com', passwordHash: await hashPassword('timing-password') });
    const time = async (email: string) => {
      await t.db('auth_attempts').delete();
      const start = performance.now();
      const res = await request(t.app).post('/api/auth/email/login').send({ email, password: 'not-the-password' });
      expect(res.status).toBe(401);
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('timing@example.com'));
      unknown.push(await time(`nobody-${i}@example.com`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2];
    const ratio = median(unknown) / median(known);
    console.log(`${dialect} sign-in ms: wrong password ${known.map((x) => x.toFixed(0)).join(' ')}; unknown email ${unknown.map((x) => x.toFixed(0)).join(' ')}; median ratio ${ratio.toFixed(2)}`);
    // Without the dummy hash an unknown email would answer in a few milliseconds (ratio near 0).
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 90_000);

  it('signs in with htmx by a whole-page HX-Redirect, and sends signed-out htmx requests to sign in', async () => {
    await createUser(t.db, { email: 'hx@example.com', passwordHash: await hashPassword('hx-password-1') });
    const { agent, csrf } = await formAgent(t);
    const res = await agent.post('/login').set('HX-Request', 'true').type('form').send({ _csrf: csrf, email: 'hx@example.com', password: 'hx-password-1', next: '/account' });
    expect(res.headers['hx-redirect']).toBe('/account');
    const out = await request(t.app).get('/account').set('HX-Request', 'true').set('HX-Current-URL', 'http://x.test/account');
    expect(out.status).toBe(401);
    expect(out.headers['hx-redirect']).toBe('/login?next=%2Faccount');
    const page = await request(t.app).get('/account');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/login?next=%2Faccount');
  });

  it('keeps next local: absolute, protocol-relative and backslash targets fall back to /', async () => {
    await createUser(t.db, { email: 'nx@example.com', passwordHash: await hashPassword('nx-password-1') });
    for (const next of ['https://elsewhere.example/x', '//elsewhere.example', '/\\elsewhere.example', 'javascript:alert(1)']) {
      const shown = await request(t.app).get(`/login?next=${encodeURIComponent(next)}`);
      expect(shown.text).toContain('name="next" value="/"');
      const { agent, csrf } = await formAgent(t);
      const res = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'nx@example.com', password: 'nx-password-1', next });
      expect(res.status, next).toBe(303);
      expect(res.headers.location, next).toBe('/');
    }
    const kept = await request(t.app).get('/login?next=%2Fthreads%2Fabc%3Fq%3D1');
    expect(kept.text).toContain('name="next" value="/threads/abc?q=1"');
  });

  it('logs out over a form: the token is revoked and the cookie cleared', async () => {
    await createUser(t.db, { email: 'lo@example.com', passwordHash: await hashPassword('lo-password-1') });
    const { agent, csrf } = await formAgent(t);
    const signed = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'lo@example.com', password: 'lo-password-1' });
    const token = tokenOf(signed)!;
    const account = await agent.get('/account');
    const res = await agent.post('/logout').type('form').send({ _csrf: csrfOf(account.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(cookieOf(res, 'access_token')).toMatch(/access_token=;.*Expires=Thu, 01 Jan 1970/);
    const reuse = await request(t.app).get('/api/auth/validate').set('Authorization', `Bearer ${token}`);
    expect(reuse.status).toBe(401);
  });

  it('speaks JSON: register 201, login 200/401, validate, user, logout 204', async () => {
    const reg = await request(t.app).post('/api/auth/email/register').send({ email: 'Json@Example.com', password: 'json-password', name: 'Jay' });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toEqual({ id: expect.any(Number), name: 'Jay', email: 'json@example.com', picture: null });
    expect(reg.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenOf(reg)).toBe(reg.body.token);
    const invalid = await request(t.app).post('/api/auth/email/register').send({ email: 'x', password: '1' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({ code: 'invalid', fields: { email: expect.any(String), password: expect.any(String) } });
    const bad = await request(t.app).post('/api/auth/email/login').send({ email: 'json@example.com', password: 'wrong-password' });
    const unknown = await request(t.app).post('/api/auth/email/login').send({ email: 'ghost@example.com', password: 'wrong-password' });
    expect(bad.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(bad.body.error.message).toBe('Wrong email or password.');
    expect(unknown.body.error.message).toBe(bad.body.error.message);
    const login = await request(t.app).post('/api/auth/email/login').send({ email: 'json@example.com', password: 'json-password' });
    expect(login.status).toBe(200);
    const bearer = { Authorization: `Bearer ${login.body.token}` };
    const valid = await request(t.app).get('/api/auth/validate').set(bearer);
    expect(valid.body).toEqual({ valid: true, user: reg.body.user });
    expect((await request(t.app).get('/api/user').set(bearer)).body).toEqual(reg.body.user);
    const out = await request(t.app).post('/api/auth/logout').set(bearer);
    expect(out.status).toBe(204);
    expect((await request(t.app).get('/api/auth/validate').set(bearer)).status).toBe(401);
    // The other sign-in (from registration) is untouched.
    expect((await request(t.app).get('/api/auth/validate').set('Authorization', `Bearer ${reg.body.token}`)).status).toBe(200);
  });

  it('answers 401 for revoked and expired tokens, by Bearer and by cookie', async () => {
    const user = await createUser(t.db, { email: 'exp@example.com' });
    const expired = await issueToken(t.db, user.id, { ttlDays: 1 });
    await t.db('access_tokens').where({ user_id: user.id }).update({ expires_at: new Date(Date.now() - 1000) });
    const revoked = await issueToken(t.db, user.id, { ttlDays: 1 });
    const row = await t.db('access_tokens').where({ user_id: user.id }).orderBy('id', 'desc').first();
    await revokeToken(t.db, user.id, row.id);
    for (const token of [expired, revoked, 'made-up-token']) {
      expect((await request(t.app).get('/api/auth/validate').set('Authorization', `Bearer ${token}`)).status).toBe(401);
      expect((await request(t.app).get('/api/user').set('Cookie', `access_token=${token}`)).status).toBe(401);
      expect((await request(t.app).get('/account').set('Cookie', `access_token=${token}`)).status).toBe(302);
    }
  });

  it('rejects every form without a CSRF token (403), and cookie-authenticated JSON writes too', async () => {
    const user = await createUser(t.db, { email: 'csrf@example.com', passwordHash: await hashPassword('csrf-password') });
    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const signedIn = request.agent(t.app);
    const forms = ['/login', '/register', '/logout', '/auth/guest', '/account/name', '/account/password', '/account/google',
      '/account/sessions/revoke-all', '/account/sessions/1/revoke', '/account/delete'];
    for (const path of forms) {
      const res = await signedIn.post(path).set('Cookie', `access_token=${token}`).type('form').send({ email: 'csrf@example.com', password: 'csrf-password', confirm: 'csrf@example.com' });
      expect(res.status, path).toBe(403);
    }
    const del = await request(t.app).delete('/api/user').set('Cookie', `access_token=${token}`).send({ confirm: 'csrf@example.com' });
    expect(del.status).toBe(403);
    expect(del.body.error.code).toBe('csrf');
    const out = await request(t.app).post('/api/auth/logout').set('Cookie', `access_token=${token}`).send({});
    expect(out.status).toBe(403);
    // A JSON login that carries cookies is a browser: it needs the token as well.
    const login = await request(t.app).post('/api/auth/email/login').set('Cookie', 'mc_sid=x').send({ email: 'csrf@example.com', password: 'csrf-password' });
    expect(login.status).toBe(403);
    expect(await t.db('users').where({ id: user.id }).first()).toBeDefined();
    expect((await request(t.app).get('/api/auth/validate').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('stores no raw token or password anywhere in the database', async () => {
    const password = 'very-secret-password-42';
    const reg = await request(t.app).post('/api/auth/email/register').send({ email: 'scan@example.com', password });
    const { agent, csrf } = await formAgent(t);
    const form = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'scan@example.com', password });
    const tokens = [reg.body.token as string, tokenOf(form)!];
    await agent.get('/account');
    const dump: string[] = [];
    for (const table of ['users', 'access_tokens', 'sessions', 'auth_attempts']) {
      for (const row of await t.db(table).select()) dump.push(JSON.stringify(row));
    }
    const all = dump.join('\n');
    expect(all).toContain('scan@example.com');
    expect(all).not.toContain(password);
    for (const tok of tokens) expect(all).not.toContain(tok);
    const user = await t.db('users').where({ email: 'scan@example.com' }).first();
    expect(user.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });
});
