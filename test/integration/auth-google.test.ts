import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { googleKey, googleTestApp, signIdToken, startFakeGoogle, TEST_GOOGLE_CLIENT, type FakeGoogle, type GoogleKey } from '../support/google.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { csrfOf } from '../support/forms.ts';

const hasTokenCookie = (res: request.Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => /^access_token=[^;]+/.test(c));

describe.each(DIALECTS)('Google id_token API on %s (real verification, local RSA key)', (dialect) => {
  let t: TestApp;
  let key: GoogleKey;
  beforeAll(async () => {
    key = googleKey();
    t = await googleTestApp(dialect, { google: { certs: { [key.kid]: key.publicPem } } });
  });
  afterAll(async () => { await t?.close(); });

  const post = (idToken: unknown) => request(t.app).post('/api/auth/google/token').send({ id_token: idToken });

  it('accepts a good id_token: creates the account and returns {user, token} with the cookie', async () => {
    const res = await post(signIdToken(key, { sub: 'g-1', email: 'Gina@Example.com', picture: 'https://lh3.example/p.png' }));
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: expect.any(Number), name: 'Gina Google', email: 'gina@example.com', picture: 'https://lh3.example/p.png' });
    expect(hasTokenCookie(res)).toBe(true);
    const row = await t.db('users').where({ google_sub: 'g-1' }).first();
    expect(row.password_hash).toBeNull();
    // The same Google account signs in to the same user again.
    const again = await post(signIdToken(key, { sub: 'g-1', email: 'gina@example.com' }));
    expect(again.body.user.id).toBe(res.body.user.id);
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${again.body.token}`)).body.email).toBe('gina@example.com');
  });

  it('rejects a wrong audience, issuer, signature, expiry, unverified email or garbage with 401', async () => {
    const other = googleKey(key.kid);
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, unknown> = {
      audience: signIdToken(key, { sub: 'bad-1', aud: 'someone-else.apps.googleusercontent.com' }),
      issuer: signIdToken(key, { sub: 'bad-2', iss: 'https://evil.example' }),
      signature: signIdToken(other, { sub: 'bad-3' }),
      unknownKey: signIdToken(googleKey('unknown-kid'), { sub: 'bad-4' }),
      expired: signIdToken(key, { sub: 'bad-5', iat: now - 7200, exp: now - 3600 }),
      unverified: signIdToken(key, { sub: 'bad-6', email_verified: false }),
      tampered: signIdToken(key, { sub: 'bad-7' }).replace(/\.([^.]+)\./, (_m, body: string) => `.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), email: 'admin@example.com' })).toString('base64url')}.`),
      garbage: 'not.a.jwt',
      missing: undefined,
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await post(token);
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe('unauthorized');
      expect(hasTokenCookie(res), name).toBe(false);
    }
    expect(await t.db('users').where('google_sub', 'like', 'bad-%').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('refuses a Google email that already belongs to a password account (no silent linking)', async () => {
    await createUser(t.db, { email: 'pat@example.com', passwordHash: await hashPassword('pat-password') });
    const res = await post(signIdToken(key, { sub: 'g-pat', email: 'pat@example.com' }));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/link Google from your account page/);
    expect((await t.db('users').where({ email: 'pat@example.com' }).first()).google_sub).toBeNull();
  });
});

describe.each(DIALECTS)('Google settings on %s', (dialect) => {
  it('answers 404 with a clear message and shows no button when Google is not configured', async () => {
    const t = await testApp(dialect);
    try {
      const res = await request(t.app).post('/api/auth/google/token').send({ id_token: 'x.y.z' });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('Google sign-in is not configured on this server.');
      expect((await request(t.app).get('/login')).text).not.toContain('Continue with Google');
      expect((await request(t.app).get('/auth/google')).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('GOOGLE_ALLOWED_DOMAINS admits only that hosted domain', async () => {
    const key = googleKey();
    const t = await googleTestApp(dialect, { env: { GOOGLE_ALLOWED_DOMAINS: 'corp.example' }, google: { certs: { [key.kid]: key.publicPem } } });
    try {
      const outsider = await request(t.app).post('/api/auth/google/token').send({ id_token: signIdToken(key, { sub: 'o', email: 'o@gmail.com' }) });
      expect(outsider.status).toBe(401);
      expect(outsider.body.error.message).toContain('corp.example');
      const insider = await request(t.app).post('/api/auth/google/token').send({ id_token: signIdToken(key, { sub: 'i', email: 'i@corp.example', hd: 'corp.example' }) });
      expect(insider.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.each(DIALECTS)('Google code flow on %s (fake Google on loopback)', (dialect) => {
  let t: TestApp;
  let key: GoogleKey;
  let fake: FakeGoogle;
  beforeAll(async () => {
    key = googleKey();
    fake = await startFakeGoogle(key);
    t = await googleTestApp(dialect, { google: fake.endpoints });
  });
  afterAll(async () => { await t?.close(); await fake?.close(); });

  /** Starts the flow like a browser: the app sends us to "Google" with state, nonce and a PKCE challenge. */
  async function start(agent = request.agent(t.app), path = '/auth/google?next=%2Faccount') {
    const res = await agent.get(path);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.location);
    expect(`${to.origin}${to.pathname}`).toBe(fake.endpoints.authUrl);
    const q = Object.fromEntries(to.searchParams);
    return { agent, q };
  }

  it('sends the browser to Google with state, nonce and an S256 PKCE challenge (never the verifier)', async () => {
    const { q } = await start();
    expect(q).toMatchObject({ response_type: 'code', client_id: TEST_GOOGLE_CLIENT.GOOGLE_CLIENT_ID, code_challenge_method: 'S256', scope: 'openid email profile' });
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/google\/callback$/);
    expect(q.code_verifier).toBeUndefined();
    expect((await request(t.app).get('/login')).text).toContain('Continue with Google');
  });

  it('signs in on a good callback, then refuses to replay the same state', async () => {
    const { agent, q } = await start();
    fake.grant('code-good', { challenge: q.code_challenge, redirectUri: q.redirect_uri, claims: { sub: 'flow-1', email: 'flow@example.com', nonce: q.nonce } });
    const cb = await agent.get(`/auth/google/callback?code=code-good&state=${q.state}`);
    expect(cb.status).toBe(303);
    expect(cb.headers.location).toBe('/account');
    expect(hasTokenCookie(cb)).toBe(true);
    const exchange = fake.exchanges.at(-1)!;
    expect(exchange.code_verifier).toMatch(/^[A-Za-z0-9_.~-]{43,128}$/);
    const page = await agent.get('/account');
    expect(page.status).toBe(200);
    expect(page.text).toContain('flow@example.com');
    expect(page.text).toMatch(/Google: <strong>linked<\/strong>/);
    fake.grant('code-replay', { challenge: q.code_challenge, redirectUri: q.redirect_uri, claims: { sub: 'flow-1', email: 'flow@example.com', nonce: q.nonce } });
    const replay = await request(t.app).get(`/auth/google/callback?code=code-replay&state=${q.state}`);
    expect(replay.status).toBe(400);
    expect(hasTokenCookie(replay)).toBe(false);
  });

  it('rejects a wrong or missing state before talking to Google', async () => {
    const { agent, q } = await start();
    const before = fake.exchanges.length;
    fake.grant('code-state', { challenge: q.code_challenge, redirectUri: q.redirect_uri, claims: { sub: 'st', email: 'st@example.com', nonce: q.nonce } });
    const wrong = await agent.get(`/auth/google/callback?code=code-state&state=forged${q.state.slice(6)}`);
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('expired or was started elsewhere');
    expect(hasTokenCookie(wrong)).toBe(false);
    // The pending flow was consumed by the failed attempt: the right state no longer works either.
    expect((await agent.get(`/auth/google/callback?code=code-state&state=${q.state}`)).status).toBe(400);
    // A callback in a browser that never started the flow (login CSRF) fails the same way.
    expect((await request(t.app).get(`/auth/google/callback?code=code-state&state=${q.state}`)).status).toBe(400);
    expect(fake.exchanges.length).toBe(before);
    expect(await t.db('users').where({ email: 'st@example.com' }).first()).toBeUndefined();
  });

  it('rejects a code bound to another PKCE challenge (Google refuses our verifier)', async () => {
    const { agent, q } = await start();
    // An attacker's code, obtained with the attacker's own challenge, injected into the victim's callback.
    fake.grant('code-stolen', { challenge: 'A'.repeat(43), redirectUri: q.redirect_uri, claims: { sub: 'pk', email: 'pk@example.com', nonce: q.nonce } });
    const cb = await agent.get(`/auth/google/callback?code=code-stolen&state=${q.state}`);
    expect(cb.status).toBe(401);
    expect(cb.text).toContain('Google did not accept the sign-in');
    expect(hasTokenCookie(cb)).toBe(false);
    expect(await t.db('users').where({ email: 'pk@example.com' }).first()).toBeUndefined();
  });

  it('rejects an id_token whose nonce is not the one this browser was given', async () => {
    const { agent, q } = await start();
    fake.grant('code-nonce', { challenge: q.code_challenge, redirectUri: q.redirect_uri, claims: { sub: 'nn', email: 'nn@example.com', nonce: 'another-nonce' } });
    const cb = await agent.get(`/auth/google/callback?code=code-nonce&state=${q.state}`);
    expect(cb.status).toBe(401);
    expect(hasTokenCookie(cb)).toBe(false);
    expect(await t.db('users').where({ email: 'nn@example.com' }).first()).toBeUndefined();
  });

  it('keeps a guest\'s threads when the guest signs in with Google for the first time', async () => {
    const key2 = googleKey();
    const g = await googleTestApp(dialect, { env: { ALLOW_GUESTS: 'true' }, google: { certs: { [key2.kid]: key2.publicPem } } });
    try {
      const agent = request.agent(g.app);
      const login = await agent.get('/login');
      await agent.post('/auth/guest').type('form').send({ _csrf: csrfOf(login.text) });
      const guest = await g.db('users').first();
      const now = new Date();
      await g.db('threads').insert({ id: 'guestgooglethr1', user_id: guest.id, title: 'x', created_at: now, updated_at: now });
      const page = await agent.get('/account');
      const res = await agent.post('/api/auth/google/token').set('X-CSRF-Token', csrfOf(page.text)).send({ id_token: signIdToken(key2, { sub: 'from-guest', email: 'fromguest@example.com' }) });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(guest.id);
      const row = await g.db('users').where({ id: guest.id }).first();
      expect(row).toMatchObject({ email: 'fromguest@example.com', google_sub: 'from-guest', guest_expires_at: null });
      expect(await g.db('threads').where({ id: 'guestgooglethr1', user_id: guest.id }).first()).toBeDefined();
    } finally {
      await g.close();
    }
  });

  it('refuses to sign in a password account by its Google email, and links Google from the account page', async () => {
    const user = await createUser(t.db, { email: 'link@example.com', passwordHash: await hashPassword('link-password') });
    const refused = await start();
    fake.grant('code-link-1', { challenge: refused.q.code_challenge, redirectUri: refused.q.redirect_uri, claims: { sub: 'link-sub', email: 'link@example.com', nonce: refused.q.nonce } });
    const cb = await refused.agent.get(`/auth/google/callback?code=code-link-1&state=${refused.q.state}`);
    expect(cb.status).toBe(409);
    expect(cb.text).toContain('link Google from your account page');
    expect((await t.db('users').where({ id: user.id }).first()).google_sub).toBeNull();

    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const agent = request.agent(t.app);
    agent.set('Cookie', `access_token=${token}`);
    const account = await agent.get('/account');
    expect(account.text).toContain('Link Google');
    const go = await agent.post('/account/google').type('form').send({ _csrf: csrfOf(account.text) });
    expect(go.status).toBe(303);
    const q = Object.fromEntries(new URL(go.headers.location).searchParams);
    fake.grant('code-link-2', { challenge: q.code_challenge, redirectUri: q.redirect_uri, claims: { sub: 'link-sub', email: 'link@example.com', nonce: q.nonce } });
    const linked = await agent.get(`/auth/google/callback?code=code-link-2&state=${q.state}`);
    expect(linked.status).toBe(303);
    expect(linked.headers.location).toBe('/account');
    expect((await t.db('users').where({ id: user.id }).first()).google_sub).toBe('link-sub');
    expect((await agent.get('/account')).text).toContain('Google is linked');
  });
});
