// Administration (issue 16): REGISTRATION=open|domains|invite|closed for the email form, the email API and first
// Google sign-ins (id_token API and the code flow, which carries an invite through its server-side state), and
// invite links: uses, expiry, used up, taken atomically.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createInvite } from '../../src/features/auth/invites.repo.ts';
import { admin, adminTestApp, cookieAgent } from '../support/admin.ts';
import { TEST_SECRETS, type TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';
import { formAgent } from '../support/forms.ts';
import { googleKey, googleTestApp, signIdToken, startFakeGoogle, type FakeGoogle, type GoogleKey } from '../support/google.ts';

// Each test builds its own app on a fresh database (one per mode): on MySQL that is several migrated databases.
vi.setConfig({ testTimeout: 180_000 });

const emailApi = (t: TestApp, email: string, extra: Record<string, unknown> = {}) =>
  request(t.app).post('/api/auth/email/register').send({ email, password: 'a-fine-long-password', ...extra });

async function inviteCode(t: TestApp, uses = 1, days = 7): Promise<string> {
  const creator = await t.db('users').first();
  const by = creator?.id ?? (await admin(t)).user.id;
  return (await createInvite(t.db, { uses, expiresInDays: days, createdBy: by })).code;
}

describe('REGISTRATION in the configuration', () => {
  it('takes open, domains, invite and closed; domains needs REGISTRATION_DOMAINS', () => {
    const base = { NODE_ENV: 'test', ...TEST_SECRETS };
    for (const mode of ['open', 'invite', 'closed']) expect(loadConfig({ ...base, REGISTRATION: mode }).registration.mode).toBe(mode);
    expect(loadConfig({ ...base, REGISTRATION: 'domains', REGISTRATION_DOMAINS: 'corp.example' }).registration).toEqual({ mode: 'domains', domains: ['corp.example'] });
    expect(() => loadConfig({ ...base, REGISTRATION: 'domains' })).toThrow(/REGISTRATION_DOMAINS/);
    expect(() => loadConfig({ ...base, REGISTRATION: 'everyone' })).toThrow(/REGISTRATION/);
  });
});

describe.each(DIALECTS)('registration policy for email on %s', (dialect) => {
  it('open lets anyone in; open with REGISTRATION_DOMAINS and domains limit to them (an invite admits an outsider)', async () => {
    const open = await adminTestApp(dialect);
    try { expect((await emailApi(open, 'anyone@anywhere.example')).status).toBe(201); } finally { await open.close(); }
    for (const env of [{ REGISTRATION_DOMAINS: 'corp.example' }, { REGISTRATION: 'domains', REGISTRATION_DOMAINS: 'corp.example' }] as Array<Record<string, string>>) {
      const t = await adminTestApp(dialect, env);
      try {
        const out = await emailApi(t, 'me@gmail.com');
        expect(out.status).toBe(422);
        expect(out.body.error.fields.email).toBe('Registration is open to @corp.example addresses only.');
        expect((await emailApi(t, 'me@corp.example')).status).toBe(201);
        const code = await inviteCode(t);
        expect((await emailApi(t, 'guest@gmail.com', { invite: code })).status).toBe(201);
        expect((await t.db('invites').first()).uses_left).toBe(0);
      } finally { await t.close(); }
    }
  });

  it('invite: none refused, a valid one admits (one use each), used up, expired and unknown refused with why', async () => {
    const t = await adminTestApp(dialect, { REGISTRATION: 'invite' });
    try {
      const none = await emailApi(t, 'a@example.com');
      expect(none.status).toBe(403);
      expect(none.body.error.message).toBe('Registration is by invitation only. Ask an administrator for an invite link.');
      const page = await request(t.app).get('/register');
      expect(page.text).toContain('Registration is by invitation only.');
      expect(page.text).not.toContain('action="/register"');
      const code = await inviteCode(t, 2);
      // The form carries the invite from the link.
      const { agent, csrf, page: invited } = await formAgent(t, `/register?invite=${code}`);
      expect(invited.text).toContain(`name="invite" value="${code}"`);
      const viaForm = await agent.post('/register').type('form').send({ _csrf: csrf, email: 'b@example.com', password: 'a-fine-long-password', invite: code });
      expect(viaForm.status).toBe(303);
      // An address that already has an account does not use up the invite.
      expect((await emailApi(t, 'b@example.com', { invite: code })).status).toBe(409);
      expect((await emailApi(t, 'c@example.com', { invite: code })).status).toBe(201);
      const usedUp = await emailApi(t, 'd@example.com', { invite: code });
      expect(usedUp.status).toBe(403);
      expect(usedUp.body.error.message).toContain('has been used up');
      expect((await request(t.app).get(`/register?invite=${code}`)).text).toContain('has been used up');
      const old = await inviteCode(t, 5);
      await t.db('invites').where('uses', 5).update({ expires_at: new Date(Date.now() - 1000) });
      expect((await emailApi(t, 'e@example.com', { invite: old })).body.error.message).toContain('has expired');
      expect((await emailApi(t, 'f@example.com', { invite: 'made-up' })).body.error.message).toContain('is not valid');
      expect(await t.db('users').whereIn('email', ['a@example.com', 'd@example.com', 'e@example.com', 'f@example.com'])).toEqual([]);
    } finally { await t.close(); }
  });

  it('takes the last use of an invite once, however many registrations race for it', async () => {
    const t = await adminTestApp(dialect, { REGISTRATION: 'invite' });
    try {
      const code = await inviteCode(t, 2);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => emailApi(t, `race${i}@example.com`, { invite: code })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(2);
      expect(results.filter((r) => r.status === 403)).toHaveLength(4);
      expect((await t.db('invites').first()).uses_left).toBe(0);
    } finally { await t.close(); }
  });

  it('closed refuses everyone, even with an invite', async () => {
    const t = await adminTestApp(dialect, { REGISTRATION: 'closed' });
    try {
      const code = await inviteCode(t);
      const res = await emailApi(t, 'a@example.com', { invite: code });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe('Registration is closed. Ask an administrator for an account.');
      expect((await t.db('invites').first()).uses_left).toBe(1);
    } finally { await t.close(); }
  });

  it('admins create invite links on the page and in the API (201 {invite: {url}}), with limits', async () => {
    const t = await adminTestApp(dialect, { REGISTRATION: 'invite' });
    try {
      const boss = await admin(t);
      const api = await request(t.app).post('/api/admin/invites').set('Authorization', `Bearer ${boss.token}`).send({ uses: 3, expiresInDays: 2 });
      expect(api.status).toBe(201);
      expect(api.body.invite.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/register\?invite=[A-Za-z0-9_-]{43}$/);
      expect((await emailApi(t, 'x@example.com', { invite: new URL(api.body.invite.url).searchParams.get('invite') })).status).toBe(201);
      const bad = await request(t.app).post('/api/admin/invites').set('Authorization', `Bearer ${boss.token}`).send({ uses: 0, expiresInDays: 999 });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.error.fields).sort()).toEqual(['expiresInDays', 'uses']);
      const { agent, csrf } = await cookieAgent(t, boss.cookie, '/admin/invites');
      const page = await agent.post('/admin/invites').type('form').send({ _csrf: csrf, uses: '1', expiresInDays: '1' });
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/id="invite-link"[^>]*value="http:\/\/127\.0\.0\.1:\d+\/register\?invite=/);
      expect(page.text).toContain('2 of 3');
      const id = (await t.db('invites').where({ uses: 1 }).first()).id;
      expect((await agent.post(`/admin/invites/${id}/revoke`).type('form').send({ _csrf: csrf })).status).toBe(303);
      expect((await t.db('invites').where({ id }).first()).uses_left).toBe(0);
    } finally { await t.close(); }
  });
});

describe.each(DIALECTS)('registration policy for first Google sign-ins on %s', (dialect) => {
  let key: GoogleKey;
  let fake: FakeGoogle;
  beforeAll(async () => { key = googleKey(); fake = await startFakeGoogle(key); });
  afterAll(async () => { await fake?.close(); });

  const idToken = (t: TestApp, sub: string, email: string, extra: Record<string, unknown> = {}) =>
    request(t.app).post('/api/auth/google/token').send({ id_token: signIdToken(key, { sub, email }), ...extra });

  it('closed: no new Google account, but an existing one signs in; a disabled one is told why', async () => {
    const t = await googleTestApp(dialect, { env: { REGISTRATION: 'closed' }, google: fake.endpoints });
    try {
      const res = await idToken(t, 'g-new', 'new@example.com');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe('Registration is closed. Ask an administrator for an account.');
      await t.db('users').insert({ email: 'old@example.com', google_sub: 'g-old', created_at: new Date(), updated_at: new Date() });
      expect((await idToken(t, 'g-old', 'old@example.com')).status).toBe(200);
      await t.db('users').where({ google_sub: 'g-old' }).update({ disabled_at: new Date() });
      const disabled = await idToken(t, 'g-old', 'old@example.com');
      expect(disabled.status).toBe(403);
      expect(disabled.body.error.message).toBe('This account is disabled. Ask an administrator.');
    } finally { await t.close(); }
  });

  it('domains: only those addresses; invite: only with an invite (API body, or the code flow carrying it)', async () => {
    const d = await googleTestApp(dialect, { env: { REGISTRATION: 'domains', REGISTRATION_DOMAINS: 'corp.example' }, google: fake.endpoints });
    try {
      const out = await idToken(d, 'g-out', 'out@gmail.com');
      expect(out.status).toBe(422);
      expect(out.body.error.fields.email).toContain('@corp.example');
      expect((await idToken(d, 'g-in', 'in@corp.example')).status).toBe(200);
    } finally { await d.close(); }
    const t = await googleTestApp(dialect, { env: { REGISTRATION: 'invite' }, google: fake.endpoints });
    try {
      expect((await idToken(t, 'g-1', 'one@example.com')).status).toBe(403);
      const code = await inviteCode(t, 2);
      expect((await idToken(t, 'g-1', 'one@example.com', { invite: code })).status).toBe(200);
      // The code flow started from /register?invite=…: the invite rides in the session, not in Google's URL.
      const agent = request.agent(t.app);
      const page = await agent.get(`/register?invite=${code}`);
      const href = /class="btn btn-google" href="([^"]+)"/.exec(page.text)![1].replaceAll('&amp;', '&');
      expect(href).toBe(`/auth/google?invite=${code}`);
      const start = await agent.get(href);
      const q = Object.fromEntries(new URL(start.headers.location).searchParams);
      expect(start.headers.location).not.toContain(code);
      fake.grant('code-inv', { challenge: q.code_challenge, redirectUri: q.redirect_uri, claims: { sub: 'g-2', email: 'two@example.com', nonce: q.nonce } });
      const cb = await agent.get(`/auth/google/callback?code=code-inv&state=${q.state}`);
      expect(cb.status).toBe(303);
      expect((await t.db('users').where({ google_sub: 'g-2' }).first()).email_verified_at).not.toBeNull();
      // Used up now: a third Google account started from the same link is told why on the sign-in page.
      const agent3 = request.agent(t.app);
      const start3 = await agent3.get(href);
      const q3 = Object.fromEntries(new URL(start3.headers.location).searchParams);
      fake.grant('code-inv3', { challenge: q3.code_challenge, redirectUri: q3.redirect_uri, claims: { sub: 'g-3', email: 'three@example.com', nonce: q3.nonce } });
      const cb3 = await agent3.get(`/auth/google/callback?code=code-inv3&state=${q3.state}`);
      expect(cb3.status).toBe(403);
      expect(cb3.text).toContain('has been used up');
      expect(await t.db('users').where({ google_sub: 'g-3' }).first()).toBeUndefined();
    } finally { await t.close(); }
  });
});
