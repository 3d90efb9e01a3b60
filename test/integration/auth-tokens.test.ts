// Tokens as the browser and scripts see them: lifetime (TOKEN_TTL_DAYS), sliding expiry that reaches the cookie,
// and one reading of the Authorization header for both sign-in and CSRF.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { cookieOf, csrfOf, formAgent, tokenOf } from '../support/forms.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { toDate } from '../../src/lib/time.ts';

const DAY = 24 * 3600 * 1000;
const maxAgeOf = (cookie: string | undefined) => Number(/Max-Age=(\d+)/.exec(cookie ?? '')?.[1]);
const rowOf = (t: TestApp, token: string) => t.db('access_tokens').where({ token_hash: sha256Hex(token) }).first();
const near = (actual: Date, expected: number, slackMs = 60_000) => Math.abs(actual.getTime() - expected) < slackMs;

describe.each(DIALECTS)('token lifetime on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect, { TOKEN_TTL_DAYS: '7', ALLOW_GUESTS: 'true' }); });
  afterAll(async () => { await t?.close(); });

  it('honours TOKEN_TTL_DAYS in the cookie Max-Age and in the stored expiry', async () => {
    await createUser(t.db, { email: 'ttl@example.com', passwordHash: await hashPassword('ttl-password') });
    const { agent, csrf } = await formAgent(t);
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'ttl@example.com', password: 'ttl-password' });
    expect(res.status).toBe(303);
    expect(maxAgeOf(cookieOf(res, 'access_token'))).toBe(7 * 24 * 3600);
    const row = await rowOf(t, tokenOf(res)!);
    expect(near(toDate(row.expires_at), Date.now() + 7 * DAY)).toBe(true);
    const api = await request(t.app).post('/api/auth/email/login').send({ email: 'ttl@example.com', password: 'ttl-password' });
    expect(near(toDate((await rowOf(t, api.body.token)).expires_at), Date.now() + 7 * DAY)).toBe(true);
  });

  it('slides the expiry with use, re-sending the cookie when it moved by more than a day, not on every request', async () => {
    const user = await createUser(t.db, { email: 'slide@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    // As if signed in three days ago and last used then: four days left.
    await t.db('access_tokens').where({ token_hash: sha256Hex(token) })
      .update({ last_used_at: new Date(Date.now() - 3 * DAY), expires_at: new Date(Date.now() + 4 * DAY) });
    const used = await request(t.app).get('/account').set('Cookie', `access_token=${token}`);
    expect(used.status).toBe(200);
    const cookie = cookieOf(used, 'access_token');
    expect(tokenOf(used)).toBe(token);
    expect(maxAgeOf(cookie)).toBe(7 * 24 * 3600);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const row = await rowOf(t, token);
    expect(near(toDate(row.expires_at), Date.now() + 7 * DAY)).toBe(true);
    expect(near(toDate(row.last_used_at), Date.now())).toBe(true);
    // The next request changes nothing and sends no cookie.
    const again = await request(t.app).get('/account').set('Cookie', `access_token=${token}`);
    expect(again.status).toBe(200);
    expect(cookieOf(again, 'access_token')).toBeUndefined();
    expect(toDate((await rowOf(t, token)).expires_at).getTime()).toBe(toDate(row.expires_at).getTime());

    // Used a few minutes ago: last use moves, the expiry (under a day off) does not, and no cookie is sent.
    const expiresBefore = new Date(Date.now() + 7 * DAY - 5 * 60_000);
    await t.db('access_tokens').where({ token_hash: sha256Hex(token) }).update({ last_used_at: new Date(Date.now() - 5 * 60_000), expires_at: expiresBefore });
    const soon = await request(t.app).get('/api/user').set('Cookie', `access_token=${token}`);
    expect(soon.status).toBe(200);
    expect(cookieOf(soon, 'access_token')).toBeUndefined();
    const touched = await rowOf(t, token);
    expect(near(toDate(touched.last_used_at), Date.now())).toBe(true);
    expect(Math.abs(toDate(touched.expires_at).getTime() - expiresBefore.getTime())).toBeLessThan(1000);
  });

  it('slides a Bearer token in the database without setting a cookie; an expired token is 401', async () => {
    const user = await createUser(t.db, { email: 'script@example.com' });
    const token = await issueToken(t.db, user.id, { ttlDays: 7 });
    await t.db('access_tokens').where({ token_hash: sha256Hex(token) })
      .update({ last_used_at: new Date(Date.now() - 2 * DAY), expires_at: new Date(Date.now() + 5 * DAY) });
    const res = await request(t.app).get('/api/user').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(cookieOf(res, 'access_token')).toBeUndefined();
    expect(near(toDate((await rowOf(t, token)).expires_at), Date.now() + 7 * DAY)).toBe(true);

    await t.db('access_tokens').where({ token_hash: sha256Hex(token) }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    const page = await request(t.app).get('/account').set('Cookie', `access_token=${token}`);
    expect(page.status).toBe(302);
    expect(cookieOf(page, 'access_token')).toBeUndefined();
  });

  it('does not slide a guest past the guest lifetime', async () => {
    const { agent, csrf } = await formAgent(t);
    const guest = await agent.post('/auth/guest').type('form').send({ _csrf: csrf });
    const token = tokenOf(guest)!;
    const expiresAt = new Date(Date.now() + 3600_000);
    await t.db('access_tokens').where({ token_hash: sha256Hex(token) }).update({ last_used_at: new Date(Date.now() - DAY), expires_at: expiresAt });
    const res = await agent.get('/account');
    expect(res.status).toBe(200);
    expect(cookieOf(res, 'access_token')).toBeUndefined();
    expect(Math.abs(toDate((await rowOf(t, token)).expires_at).getTime() - expiresAt.getTime())).toBeLessThan(1000);
  });
});

describe.each(DIALECTS)('the Authorization header on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  async function browser(email: string) {
    const user = await createUser(t.db, { email, name: 'Before' });
    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const agent = request.agent(t.app);
    agent.set('Cookie', `access_token=${token}`);
    const page = await agent.get('/account');
    expect(page.status).toBe(200);
    return { user, token, agent, csrf: csrfOf(page.text) };
  }
  const nameOf = async (id: number) => (await t.db('users').where({ id }).first()).name;

  it('a malformed Bearer header does not skip CSRF and does not fall back to the cookie', async () => {
    const { user, agent } = await browser('victim@example.com');
    for (const header of ['Bearer x y', 'Bearer', 'Bearer ', 'Bearer x,y', 'Bearer\tx', 'bearer a b c', 'Bearer x y z']) {
      const write = await agent.post('/account/name').set('Authorization', header).type('form').send({ name: 'Changed' });
      expect(write.status, header).toBe(403);
      expect(await nameOf(user.id), header).toBe('Before');
      const read = await agent.get('/api/user').set('Authorization', header);
      expect(read.status, header).toBe(401);
    }
  });

  it('another scheme (Basic from a proxy) leaves the cookie in charge, and CSRF with it', async () => {
    const { user, agent, csrf } = await browser('basic@example.com');
    const basic = `Basic ${Buffer.from('proxyuser:proxypass').toString('base64')}`;
    expect((await agent.get('/api/user').set('Authorization', basic)).body.email).toBe('basic@example.com');
    const refused = await agent.post('/account/name').set('Authorization', basic).type('form').send({ name: 'Changed' });
    expect(refused.status).toBe(403);
    expect(await nameOf(user.id)).toBe('Before');
    const ok = await agent.post('/account/name').set('Authorization', basic).type('form').send({ _csrf: csrf, name: 'After' });
    expect(ok.status).toBe(303);
    expect(await nameOf(user.id)).toBe('After');
  });

  it('a well-formed Bearer token needs no CSRF token and wins over a cookie', async () => {
    const { token: cookieToken } = await browser('cookie-owner@example.com');
    const scripted = await createUser(t.db, { email: 'script-owner@example.com', name: 'Before' });
    const bearer = await issueToken(t.db, scripted.id, { ttlDays: 1 });
    const res = await request(t.app).post('/account/name').set('Authorization', `Bearer ${bearer}`).set('Cookie', `access_token=${cookieToken}`)
      .type('form').send({ name: 'By script' });
    expect(res.status).toBe(303);
    expect(await nameOf(scripted.id)).toBe('By script');
    expect((await t.db('users').where({ email: 'cookie-owner@example.com' }).first()).name).toBe('Before');
  });
});
