// Rate limits, registration settings, base path and HTTPS cookies for sign-in.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { cookieOf, formAgent, tokenOf } from '../support/forms.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';


describe.each(DIALECTS)('sign-in rate limits on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('answers 429 with Retry-After after 5 failures on one account, on the form and in JSON', async () => {
    await createUser(t.db, { email: 'rl@example.com', passwordHash: await hashPassword('rl-password-1') });
    const { agent, csrf } = await formAgent(t);
    for (let i = 0; i < 5; i++) {
      const res = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'rl@example.com', password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    const limited = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'rl@example.com', password: 'rl-password-1' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(limited.text).toMatch(/Too many failed sign-ins for this account\. Wait \d+ minutes? and try again\./);
    expect(limited.text).toContain('value="rl@example.com"');
    expect(tokenOf(limited)).toBeUndefined();
    const api = await request(t.app).post('/api/auth/email/login').send({ email: 'RL@example.com', password: 'rl-password-1' });
    expect(api.status).toBe(429);
    expect(api.body.error.code).toBe('rate_limited');
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
    // Another account from the same address is not held back by this one.
    await createUser(t.db, { email: 'rl2@example.com', passwordHash: await hashPassword('rl2-password') });
    const other = await request(t.app).post('/api/auth/email/login').send({ email: 'rl2@example.com', password: 'rl2-password' });
    expect(other.status).toBe(200);
    // Counted in the database, so every instance sees the same count.
    expect(Number((await t.db('auth_attempts').count({ n: '*' }))[0].n)).toBeGreaterThanOrEqual(10);
  });

  it('limits one address across many accounts (30 failures) and registrations (20 per hour)', async () => {
    await t.db('auth_attempts').delete();
    for (let i = 0; i < 30; i++) {
      const res = await request(t.app).post('/api/auth/email/login').send({ email: `spray${i}@example.com`, password: 'guess-guess' });
      expect(res.status).toBe(401);
    }
    const limited = await request(t.app).post('/api/auth/email/login').send({ email: 'spray-last@example.com', password: 'guess-guess' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/from your network/);
    let last: request.Response | undefined;
    for (let i = 0; i < 21; i++) last = await request(t.app).post('/api/auth/email/register').send({ email: `mass${i}@example.com`, password: 'mass-password' });
    expect(last!.status).toBe(429);
    expect(last!.headers['retry-after']).toBeDefined();
    expect(await t.db('users').where('email', 'like', 'mass%').count({ n: '*' })).toEqual([{ n: 20 }]);
  });
});

describe.each(DIALECTS)('registration settings on %s', (dialect) => {
  it('REGISTRATION=closed refuses registration on the form and in JSON', async () => {
    const t = await testApp(dialect, { REGISTRATION: 'closed' });
    try {
      const page = await request(t.app).get('/register');
      expect(page.text).toContain('Registration is closed');
      expect(page.text).not.toContain('action="/register"');
      const login = await request(t.app).get('/login');
      expect(login.text).not.toContain('Create an account');
      const { agent, csrf } = await formAgent(t);
      const res = await agent.post('/register').type('form').send({ _csrf: csrf, email: 'new@example.com', password: 'new-password' });
      expect(res.status).toBe(403);
      const api = await request(t.app).post('/api/auth/email/register').send({ email: 'new@example.com', password: 'new-password' });
      expect(api.status).toBe(403);
      expect(await t.db('users').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await t.close();
    }
  });

  it('REGISTRATION_DOMAINS limits registration to those domains', async () => {
    const t = await testApp(dialect, { REGISTRATION_DOMAINS: 'corp.example,partner.example' });
    try {
      const out = await request(t.app).post('/api/auth/email/register').send({ email: 'me@gmail.com', password: 'my-password' });
      expect(out.status).toBe(422);
      expect(out.body.error.fields.email).toContain('@corp.example, @partner.example');
      const ok = await request(t.app).post('/api/auth/email/register').send({ email: 'me@Partner.example', password: 'my-password' });
      expect(ok.status).toBe(201);
    } finally {
      await t.close();
    }
  });
});

describe.each(DIALECTS)('sign-in under a base path and behind HTTPS on %s', (dialect) => {
  it('keeps every URL and the cookie Path under BASE_PATH, and marks the cookie Secure over HTTPS', async () => {
    const t = await testApp(dialect, { BASE_PATH: '/chat', TRUST_PROXY: 'loopback' });
    try {
      await createUser(t.db, { email: 'bp@example.com', passwordHash: await hashPassword('bp-password-1') });
      const out = await request(t.app).get('/chat/account');
      expect(out.headers.location).toBe('/chat/login?next=%2Faccount');
      const { agent, csrf, page } = await formAgent(t, '/chat/login?next=%2Faccount');
      expect(page.text).toContain('action="/chat/login"');
      expect(page.text).toContain('href="/chat/register?next=%2Faccount"');
      const res = await agent.post('/chat/login').set('X-Forwarded-Proto', 'https').type('form')
        .send({ _csrf: csrf, email: 'bp@example.com', password: 'bp-password-1', next: '/chat/account' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/chat/account');
      const cookie = cookieOf(res, 'access_token')!;
      expect(cookie).toMatch(/Path=\/chat(;|$)/);
      expect(cookie).toMatch(/Secure/);
      const plain = await request(t.app).post('/chat/api/auth/email/login').send({ email: 'bp@example.com', password: 'bp-password-1' });
      expect(cookieOf(plain, 'access_token')).not.toMatch(/Secure/);
    } finally {
      await t.close();
    }
  });
});
