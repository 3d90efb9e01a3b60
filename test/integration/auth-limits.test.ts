// Rate limits, registration settings, base path and HTTPS cookies for sign-in.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { cookieOf, csrfOf, formAgent, tokenOf } from '../support/forms.ts';
import { googleKey, googleTestApp, signIdToken } from '../support/google.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { accountBucket } from '../../src/features/auth/rate-limits.ts';


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
  }, 120_000);
});

const statuses = (responses: request.Response[]) => {
  const by: Record<number, number> = {};
  for (const r of responses) by[r.status] = (by[r.status] ?? 0) + 1;
  return by;
};
const through = (responses: request.Response[]) => responses.filter((r) => r.status !== 429).length;
const expectRetryAfter = (responses: request.Response[]) => {
  for (const r of responses.filter((x) => x.status === 429)) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
};
/** Sends one request at a time until one is refused; how many got through. */
async function throughUntilLimited(send: () => Promise<request.Response>, atMost: number): Promise<number> {
  for (let n = 0; n <= atMost; n++) {
    const res = await send();
    if (res.status === 429) {
      expectRetryAfter([res]);
      return n;
    }
  }
  return Infinity;
}

// A burst is counted as it arrives: every attempt is written before its bucket is counted. Attempts that arrive
// together may all see each other and be refused, but no mix of simultaneous and later attempts gets more than the
// limit through; the sequential top-up after each burst proves the total is exactly the limit.
describe.each(DIALECTS)('rate limits under simultaneous requests on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect, { ALLOW_GUESTS: 'true' }); });
  afterAll(async () => { await t?.close(); });

  it('20 simultaneous wrong passwords for one account: at most 5 are checked (401), the rest 429', async () => {
    await createUser(t.db, { email: 'burst@example.com', passwordHash: await hashPassword('burst-password') });
    const wrong = (i: number) => request(t.app).post('/api/auth/email/login').send({ email: 'burst@example.com', password: `wrong-${i}` });
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => wrong(i)));
    const by = statuses(all);
    console.log(`${dialect}: 20 simultaneous wrong sign-ins → ${JSON.stringify(by)}`);
    expect((by[401] ?? 0) + (by[429] ?? 0)).toBe(20);
    expect(by[401] ?? 0).toBeLessThanOrEqual(5);
    expectRetryAfter(all);
    expect(await throughUntilLimited(() => wrong(99), 5) + (by[401] ?? 0)).toBe(5);
    // Now locked, even with the right password; refused attempts are not kept, so the wait does not grow.
    const right = await request(t.app).post('/api/auth/email/login').send({ email: 'burst@example.com', password: 'burst-password' });
    expect(right.status).toBe(429);
    expect(await t.db('auth_attempts').where({ bucket: accountBucket('burst@example.com') }).count({ n: '*' })).toEqual([{ n: 5 }]);
  });

  it('simultaneous registrations: at most 20 per address, at most 5 attempts per email', async () => {
    await t.db('auth_attempts').delete();
    const all = await Promise.all(Array.from({ length: 26 }, (_, i) =>
      request(t.app).post('/api/auth/email/register').send({ email: `wave${i}@example.com`, password: 'wave-password' })));
    const by = statuses(all);
    console.log(`${dialect}: 26 simultaneous registrations → ${JSON.stringify(by)}`);
    expect(through(all)).toBeLessThanOrEqual(20);
    expectRetryAfter(all);
    expect(Number((await t.db('users').where('email', 'like', 'wave%').count({ n: '*' }))[0].n)).toBe(by[201] ?? 0);
    // Every attempt counts, even an invalid one (cheap to send): the address has exactly 20 in all.
    const invalid = () => request(t.app).post('/api/auth/email/register').send({ email: 'not-an-email', password: 'x' });
    expect(await throughUntilLimited(invalid, 20) + through(all)).toBe(20);

    // By email: probing one address (a 409 says it exists) stops after 5 attempts, from any address.
    await t.db('auth_attempts').delete();
    await createUser(t.db, { email: 'taken@example.com' });
    const probe = () => request(t.app).post('/api/auth/email/register').send({ email: 'Taken@example.com', password: 'probe-password' });
    const probes = await Promise.all(Array.from({ length: 8 }, probe));
    console.log(`${dialect}: 8 simultaneous registrations of one email → ${JSON.stringify(statuses(probes))}`);
    expect(through(probes)).toBeLessThanOrEqual(5);
    expect(probes.every((r) => r.status === 409 || r.status === 429)).toBe(true);
    expectRetryAfter(probes);
    expect(await throughUntilLimited(probe, 5) + through(probes)).toBe(5);
    const limited = await probe();
    expect(limited.body.error.message).toMatch(/Too many registration attempts for this email address\. Wait \d+ minutes? and try again\./);
  });

  it('guest creation is limited per address (20 an hour), even when the requests arrive together', async () => {
    await t.db('auth_attempts').delete();
    const visitor = async () => {
      const agent = request.agent(t.app);
      const csrf = csrfOf((await agent.get('/login')).text);
      return () => agent.post('/auth/guest').type('form').send({ _csrf: csrf });
    };
    const visitors = [];
    for (let i = 0; i < 24; i++) visitors.push(await visitor());
    const all = await Promise.all(visitors.map((go) => go()));
    const by = statuses(all);
    console.log(`${dialect}: 24 simultaneous guests → ${JSON.stringify(by)}`);
    expect(through(all)).toBeLessThanOrEqual(20);
    expectRetryAfter(all);
    let topUp = 0;
    for (; topUp <= 20; topUp++) {
      const res = await (await visitor())();
      if (res.status === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.text).toMatch(/Too many guest sessions from your network/);
        expect(tokenOf(res)).toBeUndefined();
        break;
      }
      expect(res.status).toBe(303);
    }
    expect(topUp + through(all)).toBe(20);
    expect(await t.db('users').whereNotNull('guest_expires_at').count({ n: '*' })).toEqual([{ n: 20 }]);
  });
});

describe.each(DIALECTS)('failed Google id_tokens count per address on %s', (dialect) => {
  it('answers 429 after 30 bad id_tokens from one address, even for a good one; failures never create users', async () => {
    const key = googleKey();
    const t = await googleTestApp(dialect, { google: { certs: { [key.kid]: key.publicPem } } });
    try {
      const bad = (i: number) => request(t.app).post('/api/auth/google/token').send({ id_token: signIdToken(key, { sub: `x-${i}`, aud: 'someone-else' }) });
      const burst = await Promise.all(Array.from({ length: 34 }, (_, i) => bad(i)));
      expect(burst.every((r) => r.status === 401 || r.status === 429)).toBe(true);
      expect(through(burst)).toBeLessThanOrEqual(30);
      expectRetryAfter(burst);
      expect(await throughUntilLimited(() => bad(99), 30) + through(burst)).toBe(30);
      const good = await request(t.app).post('/api/auth/google/token').send({ id_token: signIdToken(key, { sub: 'fine' }) });
      expect(good.status).toBe(429);
      expect(good.body.error.message).toMatch(/failed sign-ins from your network/);
      expect(await t.db('users').count({ n: '*' })).toEqual([{ n: 0 }]);
      // A good token does not count as a failure.
      await t.db('auth_attempts').delete();
      for (let i = 0; i < 3; i++) expect((await request(t.app).post('/api/auth/google/token').send({ id_token: signIdToken(key, { sub: 'fine' }) })).status).toBe(200);
      expect(await t.db('auth_attempts').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await t.close();
    }
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
