// Single sign-on with OpenID Connect, end to end against a REAL provider (oidc-provider on loopback): discovery, the
// code flow with PKCE, state and nonce, userinfo, account matching, the admin group and the registration policy.
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, migratedDatabase } from '../support/dialects.ts';
import { TEST_SECRETS, testApp, type TestApp } from '../support/app.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/http/logger.ts';
import { csrfOf, tokenOf } from '../support/forms.ts';
import { OIDC_CLIENT, OTHER_CLIENT, startOidcProvider, type TestProvider } from '../support/oidc-provider.ts';
import { isAdmin } from '../../src/features/admin/admin-gate.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { createUser, deleteUser, findUserByEmail } from '../../src/features/auth/users.repo.ts';
import { createInvite } from '../../src/features/auth/invites.repo.ts';

const PUBLIC = 'http://app.test';
const CALLBACK = `${PUBLIC}/auth/oidc/callback`;

/** testApp, with the app's warnings kept: a refused sign-in logs which check failed, for the operator. */
async function loggedApp(dialect: Parameters<typeof testApp>[0], env: Record<string, string>, logs: string[]): Promise<TestApp> {
  const d = await migratedDatabase(dialect);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, DATABASE_URL: d.url, ...env });
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  return { ...d, config, app: createApp({ config, db: d.db, logger: createLogger('warn', sink) }), close: () => d.drop() };
}

describe.each(DIALECTS)('OpenID Connect sign-in on %s (real provider)', (dialect) => {
  let op: TestProvider;
  let t: TestApp;
  const logs: string[] = [];
  const lastLog = () => JSON.parse(logs.filter((l) => l.includes('single sign-on did not complete')).at(-1) ?? '{}').oidc as string;
  beforeAll(async () => {
    op = await startOidcProvider({ redirectUris: [CALLBACK, `${PUBLIC}/chat/auth/oidc/callback`] });
    t = await loggedApp(dialect, { OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, PUBLIC_URL: PUBLIC, OIDC_ADMIN_GROUP: 'chat-admins', OIDC_BUTTON_LABEL: 'Sign in with Acme SSO' }, logs);
  });
  afterAll(async () => { await t?.close(); await op?.stop(); });

  /** The app's redirect to the provider; its query says what the app asked for. */
  async function start(app = t.app, agent = request.agent(app), path = '/auth/oidc') {
    const res = await agent.get(path);
    expect(res.status, res.text).toBe(303);
    return { agent, authUrl: res.headers.location as string, q: Object.fromEntries(new URL(res.headers.location).searchParams) };
  }

  /** A whole sign-in as `accountId`: the app, the provider's login page, and the callback back on the app. */
  async function signIn(accountId: string, app = t.app) {
    const { agent, authUrl, q } = await start(app);
    const back = await op.login(authUrl, accountId);
    const cb = await agent.get(back.pathname + back.search);
    return { agent, cb, q, back };
  }

  it('shows the button on /login and /register, sends PKCE S256, state and nonce, and signs a new person in', async () => {
    for (const page of ['/login', '/register']) {
      const html = (await request(t.app).get(page)).text;
      expect(html, page).toContain('Sign in with Acme SSO');
      expect(html, page).toContain('href="/auth/oidc"');
    }
    op.accounts.set('ada', { email: 'Ada@Example.com', email_verified: true, name: 'Ada Lovelace' });
    const { agent, cb, q } = await signIn('ada');
    expect(q).toMatchObject({ client_id: OIDC_CLIENT.OIDC_CLIENT_ID, response_type: 'code', code_challenge_method: 'S256', scope: 'openid email profile', redirect_uri: CALLBACK });
    expect(q.state.length).toBeGreaterThanOrEqual(40);
    expect(q.nonce.length).toBeGreaterThanOrEqual(40);
    expect(q.code_verifier).toBeUndefined();
    expect(cb.status, cb.text).toBe(303);
    expect(cb.headers.location).toBe('/');
    expect(tokenOf(cb)).toBeTruthy();
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('New chat');
    expect((await agent.get('/account')).text).toContain('ada@example.com');
    const user = await findUserByEmail(t.db, 'ada@example.com');
    expect(user).toMatchObject({ name: 'Ada Lovelace', passwordHash: null, oidcAdmin: false });
    expect(await t.db('user_identities').where({ user_id: user!.id })).toMatchObject([{ issuer: op.issuer, sub: 'ada' }]);
  });

  it('matches a second sign-in by sub, even when the email changed at the provider', async () => {
    op.accounts.set('bob', { email: 'bob@example.com', email_verified: true });
    await signIn('bob');
    const first = await findUserByEmail(t.db, 'bob@example.com');
    op.accounts.set('bob', { email: 'robert@example.com', email_verified: true });
    const { cb, agent } = await signIn('bob');
    expect(cb.status).toBe(303);
    expect((await agent.get('/api/user')).body).toMatchObject({ id: first!.id, email: 'bob@example.com' });
    expect(await findUserByEmail(t.db, 'robert@example.com')).toBeNull();
  });

  it('links an existing password account with the same verified email, and keeps its password', async () => {
    const existing = await createUser(t.db, { email: 'carol@example.com', passwordHash: await hashPassword('carol-password-1') });
    op.accounts.set('carol-sso', { email: 'carol@example.com', email_verified: true, name: 'Carol' });
    const { cb, agent } = await signIn('carol-sso');
    expect(cb.status).toBe(303);
    expect((await agent.get('/api/user')).body.id).toBe(existing.id);
    expect(await t.db('user_identities').where({ user_id: existing.id }).first()).toMatchObject({ sub: 'carol-sso' });
    expect((await findUserByEmail(t.db, 'carol@example.com'))!.passwordHash).toBe(existing.passwordHash);
    // The address given to someone else at the provider does not take the account over.
    op.accounts.set('carol-2', { email: 'carol@example.com', email_verified: true });
    const other = await signIn('carol-2');
    expect(other.cb.status).toBe(409);
    expect(other.cb.text).toContain('belongs to another single sign-on identity');
    expect(tokenOf(other.cb)).toBeUndefined();
    // Deleting the account takes its identity with it (the cascade), so the provider account may start afresh.
    await deleteUser(t.db, existing.id);
    expect(await t.db('user_identities').where({ sub: 'carol-sso' })).toEqual([]);
  });

  it('refuses an unverified or missing email with a clear page, creating nothing', async () => {
    op.accounts.set('dan', { email: 'dan@example.com', email_verified: false });
    const { cb } = await signIn('dan');
    expect(cb.status).toBe(403);
    expect(cb.text).toContain('Your email address (dan@example.com) is not verified at the single sign-on provider');
    expect(cb.text).toContain('Single sign-on did not work');
    expect(tokenOf(cb)).toBeUndefined();
    op.accounts.set('nomail', { name: 'No Mail' });
    expect((await signIn('nomail')).cb.text).toContain('did not share an email address');
    expect(await findUserByEmail(t.db, 'dan@example.com')).toBeNull();
  });

  it('refuses a wrong or missing state, and a second use of the same callback', async () => {
    op.accounts.set('eve', { email: 'eve@example.com', email_verified: true });
    const { agent, authUrl } = await start();
    const back = await op.login(authUrl, 'eve');
    const forged = new URL(back);
    forged.searchParams.set('state', 'x'.repeat(back.searchParams.get('state')!.length));
    const wrong = await agent.get(forged.pathname + forged.search);
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('expired or was started in another browser');
    // The pending flow is gone after one callback, right or wrong: the genuine one now fails too.
    expect((await agent.get(back.pathname + back.search)).status).toBe(400);
    // Another browser (no pending flow) with the genuine callback URL.
    expect((await request(t.app).get(back.pathname + back.search)).status).toBe(400);
    expect(await findUserByEmail(t.db, 'eve@example.com')).toBeNull();
  });

  it('refuses a genuine ID token whose nonce is not this browser\'s', async () => {
    op.accounts.set('fay', { email: 'fay@example.com', email_verified: true });
    const { agent, q } = await start();
    // Signed by the provider, for our client, but minted in another flow with another nonce.
    op.nextTokenResponse = await op.tokensFor({ id: OIDC_CLIENT.OIDC_CLIENT_ID, secret: OIDC_CLIENT.OIDC_CLIENT_SECRET, redirectUri: CALLBACK }, 'fay', 'some-other-nonce');
    const cb = await agent.get('/auth/oidc/callback').query({ code: 'whatever', state: q.state, iss: op.issuer });
    expect(cb.status).toBe(401);
    expect(cb.text).toContain('could not be verified');
    expect(lastLog()).toContain('unexpected ID Token "nonce" claim value');
    expect(await findUserByEmail(t.db, 'fay@example.com')).toBeNull();
  });

  it('refuses a genuine ID token issued to another client (wrong audience), even with the right nonce', async () => {
    op.accounts.set('gus', { email: 'gus@example.com', email_verified: true });
    const { agent, q } = await start();
    op.nextTokenResponse = await op.tokensFor(OTHER_CLIENT, 'gus', q.nonce);
    const cb = await agent.get('/auth/oidc/callback').query({ code: 'whatever', state: q.state, iss: op.issuer });
    expect(cb.status).toBe(401);
    expect(cb.text).toContain('could not be verified');
    expect(lastLog()).toContain('"aud" (audience)');
    expect(await findUserByEmail(t.db, 'gus@example.com')).toBeNull();
  });

  it('makes members of OIDC_ADMIN_GROUP admins, refreshed at every sign-in', async () => {
    op.accounts.set('hal', { email: 'hal@example.com', email_verified: true, groups: ['staff', '/chat-admins'] });
    await signIn('hal');
    let hal = await findUserByEmail(t.db, 'hal@example.com');
    expect(hal!.oidcAdmin).toBe(true);
    expect(isAdmin(hal!, t.config)).toBe(true);
    // Without OIDC_ADMIN_GROUP configured the stored flag counts for nothing.
    expect(isAdmin(hal!, { ...t.config, oidc: { ...t.config.oidc, adminGroup: undefined } })).toBe(false);
    op.accounts.set('hal', { email: 'hal@example.com', email_verified: true, groups: ['staff'] });
    await signIn('hal');
    hal = await findUserByEmail(t.db, 'hal@example.com');
    expect(isAdmin(hal!, t.config)).toBe(false);
    op.accounts.set('ivy', { email: 'ivy@example.com', email_verified: true, groups: ['staff'] });
    await signIn('ivy');
    expect(isAdmin((await findUserByEmail(t.db, 'ivy@example.com'))!, t.config)).toBe(false);
  });

  it('with the admin area merged: a group member opens /admin; the provider proves an address (ADMIN_EMAILS); a disabled account is refused', async () => {
    op.accounts.set('jo', { email: 'jo@example.com', email_verified: true, groups: ['chat-admins'] });
    const jo = await signIn('jo');
    expect((await jo.agent.get('/admin/users')).status).toBe(200);
    // A password account of an ADMIN_EMAILS address is no administrator until its address is proven: a single
    // sign-on with the same verified email proves it.
    const kim = await createUser(t.db, { email: 'kim@example.com', passwordHash: await hashPassword('kim-password-12') });
    const withKim = { ...t.config, adminEmails: ['kim@example.com'] };
    expect(isAdmin(kim, withKim)).toBe(false);
    op.accounts.set('kim', { email: 'kim@example.com', email_verified: true });
    expect((await signIn('kim')).cb.status).toBe(303);
    expect(isAdmin((await findUserByEmail(t.db, 'kim@example.com'))!, withKim)).toBe(true);
    // Disabled by an administrator: the provider's yes is not enough.
    await t.db('users').where({ id: kim.id }).update({ disabled_at: new Date() });
    const refused = await signIn('kim');
    expect(refused.cb.status).toBe(403);
    expect(refused.cb.text).toContain('This account is disabled. Ask an administrator.');
    expect(tokenOf(refused.cb)).toBeUndefined();
  });

  it('says so when the person cancels at the provider', async () => {
    const { agent, authUrl } = await start();
    // The provider answers a cancelled login with error=access_denied on our callback.
    const res = await fetch(authUrl, { redirect: 'manual' });
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const interaction = new URL(res.headers.get('location')!, op.issuer).href;
    const cancelled = await fetch(interaction, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'cancel=1' });
    let location = cancelled.headers.get('location')!;
    const resumed = await fetch(new URL(location, op.issuer), { redirect: 'manual', headers: { cookie } });
    location = resumed.headers.get('location')!;
    const back = new URL(location);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const cb = await agent.get(back.pathname + back.search);
    expect(cb.status).toBe(401);
    expect(cb.text).toContain('cancelled at the single sign-on provider');
  });

  it('upgrades a guest who signs in for the first time: their chats stay', async () => {
    const g = await testApp(dialect, { OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, PUBLIC_URL: PUBLIC, ALLOW_GUESTS: 'true' });
    try {
      const agent = request.agent(g.app);
      const login = await agent.get('/login');
      await agent.post('/auth/guest').type('form').send({ _csrf: csrfOf(login.text) });
      const guest = await g.db('users').first();
      const now = new Date();
      await g.db('threads').insert({ id: 'guestoidcthread1', user_id: guest.id, title: 'x', created_at: now, updated_at: now });
      op.accounts.set('jo', { email: 'jo@example.com', email_verified: true, name: 'Jo' });
      const { authUrl } = await start(g.app, agent);
      const back = await op.login(authUrl, 'jo');
      const cb = await agent.get(back.pathname + back.search);
      expect(cb.status).toBe(303);
      expect(await g.db('users').where({ id: guest.id }).first()).toMatchObject({ email: 'jo@example.com', guest_expires_at: null });
      expect(await g.db('threads').where({ id: 'guestoidcthread1', user_id: guest.id }).first()).toBeDefined();
    } finally {
      await g.close();
    }
  });

  it('REGISTRATION=closed refuses a new account with a clear message; an existing account still signs in', async () => {
    const c = await testApp(dialect, { OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, PUBLIC_URL: PUBLIC, REGISTRATION: 'closed' });
    try {
      op.accounts.set('kim', { email: 'kim@example.com', email_verified: true });
      const refused = await signIn('kim', c.app);
      expect(refused.cb.status).toBe(403);
      expect(refused.cb.text).toContain('Registration is closed. Ask an administrator for an account.');
      expect(await findUserByEmail(c.db, 'kim@example.com')).toBeNull();
      await createUser(c.db, { email: 'kim@example.com', name: 'Kim' });
      const ok = await signIn('kim', c.app);
      expect(ok.cb.status).toBe(303);
      expect((await ok.agent.get('/api/user')).body.email).toBe('kim@example.com');
    } finally {
      await c.close();
    }
  });

  it('REGISTRATION=invite and domains apply to a first single sign-on: the register page\'s button carries the invite, one use is taken', async () => {
    const c = await testApp(dialect, { OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, PUBLIC_URL: PUBLIC, REGISTRATION: 'invite' });
    const d = await testApp(dialect, { OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, PUBLIC_URL: PUBLIC, REGISTRATION: 'domains', REGISTRATION_DOMAINS: 'corp.example' });
    try {
      op.accounts.set('lee', { email: 'lee@example.com', email_verified: true });
      const refused = await signIn('lee', c.app);
      expect(refused.cb.status).toBe(403);
      expect(await findUserByEmail(c.db, 'lee@example.com')).toBeNull();
      // An invite for one person: the register page's single sign-on button carries it through the provider.
      const inviter = await createUser(c.db, { email: 'inviter@example.com' });
      const { code } = await createInvite(c.db, { uses: 1, expiresInDays: 1, createdBy: inviter.id });
      const page = await request(c.app).get(`/register?invite=${code}`);
      expect(page.text).toContain(`href="/auth/oidc?invite=${code}"`);
      const { agent, authUrl } = await start(c.app, request.agent(c.app), `/auth/oidc?invite=${code}`);
      const back = await op.login(authUrl, 'lee');
      const cb = await agent.get(back.pathname + back.search);
      expect(cb.status, cb.text).toBe(303);
      expect((await agent.get('/api/user')).body.email).toBe('lee@example.com');
      expect((await c.db('invites').first()).uses_left).toBe(0);
      // Used up: the next new person through the same link is refused, and says why.
      op.accounts.set('max', { email: 'max@example.com', email_verified: true });
      const again = await start(c.app, request.agent(c.app), `/auth/oidc?invite=${code}`);
      const maxBack = await op.login(again.authUrl, 'max');
      const used = await again.agent.get(maxBack.pathname + maxBack.search);
      expect(used.status).toBe(403);
      expect(await findUserByEmail(c.db, 'max@example.com')).toBeNull();
      // REGISTRATION=domains: only addresses of the listed domains get an account.
      expect((await signIn('lee', d.app)).cb.status).toBe(422);
      op.accounts.set('nia', { email: 'nia@corp.example', email_verified: true });
      expect((await signIn('nia', d.app)).cb.status).toBe(303);
      expect(await findUserByEmail(d.db, 'nia@corp.example')).not.toBeNull();
    } finally {
      await c.close();
      await d.close();
    }
  });

  it('under BASE_PATH=/chat: the redirect URI, the callback and the landing page are all under /chat', async () => {
    const b = await testApp(dialect, { OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, PUBLIC_URL: PUBLIC, BASE_PATH: '/chat' });
    try {
      expect((await request(b.app).get('/chat/login')).text).toContain('href="/chat/auth/oidc"');
      op.accounts.set('lee', { email: 'lee@example.com', email_verified: true });
      const { agent, authUrl, q } = await start(b.app, undefined, '/chat/auth/oidc?next=%2Faccount');
      expect(q.redirect_uri).toBe(`${PUBLIC}/chat/auth/oidc/callback`);
      const back = await op.login(authUrl, 'lee');
      expect(back.pathname).toBe('/chat/auth/oidc/callback');
      const cb = await agent.get(back.pathname + back.search);
      expect(cb.status, cb.text).toBe(303);
      expect(cb.headers.location).toBe('/chat/account');
      expect((await agent.get('/chat/account')).text).toContain('lee@example.com');
    } finally {
      await b.close();
    }
  });
});
