// Administration (issue 16): password reset links (shown once, single use, expiring, stored hashed, signing out
// every device), and the operator's `npm run admin:reset-link`, the way in for a password-only first administrator.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetLinkFor } from '../../src/features/admin/reset-link-cli.ts';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { admin, adminTestApp, cookieAgent, member, type Member } from '../support/admin.ts';
import { TEST_SECRETS, type TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';
import { csrfOf } from '../support/forms.ts';

describe.each(DIALECTS)('password reset links on %s', (dialect) => {
  let t: TestApp;
  let boss: Member;
  beforeAll(async () => { t = await adminTestApp(dialect); boss = await admin(t); });
  afterAll(async () => { await t?.close(); });

  async function makeLink(userId: number): Promise<string> {
    const { agent, csrf } = await cookieAgent(t, boss.cookie, '/admin/users');
    const res = await agent.post(`/admin/users/${userId}/reset-link`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(200);
    const link = /id="reset-link"[^>]*value="([^"]+)"/.exec(res.text)![1];
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/reset\/[A-Za-z0-9_-]{43}$/);
    return new URL(link).pathname;
  }
  const formOf = async (path: string) => {
    const agent = request.agent(t.app);
    const page = await agent.get(path);
    return { agent, page, csrf: page.status === 200 ? /name="_csrf" value="([^"]+)"/.exec(page.text)![1] : '' };
  };

  it('sets a new password once (the usual rules), signs out every device, and is stored only hashed', async () => {
    const rae = await member(t, 'rae@example.com');
    const path = await makeLink(rae.user.id);
    const code = path.split('/').pop()!;
    const rows = await t.db('password_resets').where({ user_id: rae.user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256Hex(code));
    expect(JSON.stringify(rows)).not.toContain(code);
    const { agent, page, csrf } = await formOf(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('rae@example.com');
    const weak = await agent.post(path).type('form').send({ _csrf: csrf, password: 'password' });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('most common passwords');
    const ok = await agent.post(path).type('form').send({ _csrf: csrf, password: 'a-brand-new-secret' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/login');
    expect((await agent.get('/login')).text).toContain('Your password is set. Sign in with it.');
    expect((await request(t.app).get('/api/user').set('Authorization', `Bearer ${rae.token}`)).status).toBe(401);
    expect((await request(t.app).post('/api/auth/email/login').send({ email: 'rae@example.com', password: 'a-brand-new-secret' })).status).toBe(200);
    // Used: gone.
    expect((await request(t.app).get(path)).status).toBe(404);
    const second = await formOf('/login');
    const reuse = await second.agent.post(path).type('form').send({ _csrf: second.csrf, password: 'another-new-secret' });
    expect(reuse.status).toBe(404);
    expect(reuse.text).toContain('expired or was already used');
  });

  it('expires, and a newer link replaces an older one', async () => {
    const sam = await member(t, 'sam@example.com');
    const first = await makeLink(sam.user.id);
    const second = await makeLink(sam.user.id);
    expect((await request(t.app).get(first)).status).toBe(404);
    expect((await request(t.app).get(second)).status).toBe(200);
    await t.db('password_resets').where({ user_id: sam.user.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await request(t.app).get(second)).status).toBe(404);
    expect((await request(t.app).get('/reset/not-a-real-code')).status).toBe(404);
  });

  it('lets the operator make the first administrator with a password, and proves the address', async () => {
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, DATABASE_URL: t.url, ADMIN_EMAILS: 'second-boss@example.com' };
    const line = await resetLinkFor(['Second-Boss@example.com'], env);
    const path = new URL(line.split('\n')[0]).pathname;
    const { agent, csrf } = await formOf(path);
    expect((await agent.post(path).type('form').send({ _csrf: csrf, password: 'the-second-boss-secret' })).status).toBe(303);
    const login = await request(t.app).post('/api/auth/email/login').send({ email: 'second-boss@example.com', password: 'the-second-boss-secret' });
    expect(login.status).toBe(200);
    expect((await request(t.app).get('/api/admin/users').set('Authorization', `Bearer ${login.body.token}`)).status).toBe(200);
    expect(csrfOf).toBeDefined();
  });
});
