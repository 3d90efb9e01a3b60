// Quotas (issue 16): MONTHLY_TOKEN_QUOTA on the server's key, refused before Mistral is asked with the text kept
// (page, htmx, API), never cutting an answer already streaming, free again next month, overridden per user by admins.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, migratedDatabase } from '../support/dialects.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { monthEnd, monthOf, shiftMonth } from '../../src/features/usage/usage.repo.ts';
import { resetDay } from '../../src/features/usage/quota.ts';

describe('months in UTC', () => {
  it('turns over at midnight UTC on the 1st, whatever the local zone', () => {
    expect(monthOf(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12');
    expect(monthOf(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01');
    expect(monthEnd('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(monthEnd('2027-02').toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(shiftMonth('2027-01', -1)).toBe('2026-12');
    expect(resetDay(monthEnd('2026-12'))).toBe('1 January 2027');
  });
});

describe.each(DIALECTS)('quota on %s', (dialect) => {
  let t: ChatTestApp;
  const ADMIN = `admin-quota-${dialect}@example.com`;
  let admin: Session;
  beforeAll(async () => {
    t = await chatApp(dialect, { MONTHLY_TOKEN_QUOTA: '1000', ADMIN_EMAILS: ADMIN });
    admin = await signIn(t, ADMIN, { emailVerified: true });
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); });

  const auth = (s: Session) => ({ Authorization: `Bearer ${s.token}` });
  const spent = (s: Session, n: number, month = monthOf()) => t.db('usage_monthly').insert({ user_id: s.user.id, month, model: 'mistral-small-latest', prompt_tokens: n, completion_tokens: 0, server_key_tokens: n, answers: 1 });
  async function thread(s: Session) {
    return (await request(t.app).post('/api/thread').set(auth(s)).send({ title: 'Q' })).body.thread.id as string;
  }
  const send = async (s: Session, id: string, content = 'hello') => request(t.app).post(`/api/thread/${id}/messages`).set(auth(s)).send({ content });
  const done = (replyId: number) => waitFor(async () => ['complete', 'error', 'stopped', 'interrupted'].includes((await t.db('messages').where({ id: replyId }).first())?.status));
  const resets = resetDay(monthEnd(monthOf()));

  it('refuses at the limit before calling Mistral: API 429 quota_exceeded, page and htmx keep the text', async () => {
    const s = await signIn(t);
    await spent(s, 990);
    const id = await thread(s);
    // Under the limit, a send goes; the answer takes the count past it (and is not cut).
    t.fake.enqueue({ tokens: ['long', ' answer'], tokenDelayMs: 20, usage: { prompt_tokens: 400, completion_tokens: 300, total_tokens: 700 } });
    const ok = await send(s, id);
    expect(ok.status).toBe(202);
    await done(ok.body.reply.id);
    expect((await t.db('messages').where({ id: ok.body.reply.id }).first()).status).toBe('complete');
    const asked = t.fake.chatRequests.length;

    const api = await send(s, id, 'over');
    expect(api.status).toBe(429);
    expect(api.body.error.code).toBe('quota_exceeded');
    expect(api.body.error.message).toContain(`resets on ${resets} (UTC)`);
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);

    // JavaScript off: the thread page again, the text in the composer, the reason beside it.
    const page = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'my kept question' });
    expect(page.status).toBe(429);
    expect(page.text).toMatch(/<textarea[^>]*name="content"[^>]*>my kept question<\/textarea>/);
    expect(page.text).toContain(`resets on ${resets}`);
    // A new chat's form (JavaScript off) too.
    const home = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'new chat text' });
    expect(home.status).toBe(429);
    expect(home.text).toMatch(/<textarea[^>]*name="content"[^>]*>new chat text<\/textarea>/);
    // htmx: an error box for #flash (the composer is not swapped, so its text stays).
    const frag = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true').type('form').send({ _csrf: s.csrf, content: 'typed' });
    expect(frag.status).toBe(429);
    expect(frag.text).toContain('error-box');
    expect(frag.text).toContain('tokens on this server');
    // Regenerate and retry are answers too.
    const regen = await request(t.app).post(`/api/thread/${id}/messages/${ok.body.reply.id}/regenerate`).set(auth(s)).send({});
    expect(regen.status).toBe(429);
    expect(t.fake.chatRequests.length).toBe(asked);
    expect(await t.db('messages').whereIn('content', ['over', 'my kept question', 'new chat text', 'typed'])).toEqual([]);

    // Account and the API say so.
    const u = (await request(t.app).get('/api/usage').set(auth(s))).body;
    expect(u.quota).toEqual({ limit: 1000, used: 1690, resetsAt: monthEnd(monthOf()).toISOString() });
    expect((await request(t.app).get('/account').set('Cookie', s.cookie)).text).toContain('tokens are used up');
  });

  it("does not limit a user's own key, and their own-key answers do not count", async () => {
    const s = await signIn(t);
    await spent(s, 5000);
    expect((await request(t.app).put('/api/settings').set(auth(s)).send({ apiKey: 'sk-mine-1234' })).status).toBe(200);
    t.fake.enqueue({ tokens: ['x'], usage: { prompt_tokens: 900, completion_tokens: 900, total_tokens: 1800 } });
    const ok = await send(s, await thread(s));
    expect(ok.status).toBe(202);
    await done(ok.body.reply.id);
    const rows = await t.db('usage_monthly').where({ user_id: s.user.id });
    expect(rows.reduce((a, r) => a + Number(r.server_key_tokens), 0)).toBe(5000);
    expect((await request(t.app).get('/api/usage').set(auth(s))).body.quota).toBeNull();
  });

  it('starts again with the month: last month at the limit, this month free', async () => {
    const s = await signIn(t);
    await spent(s, 50_000, shiftMonth(monthOf(), -1));
    const ok = await send(s, await thread(s));
    expect(ok.status).toBe(202);
    await done(ok.body.reply.id);
    expect((await request(t.app).get('/api/usage').set(auth(s))).body.quota.used).toBeLessThan(1000);
  });

  it('admins override per user: lower, raise, unlimited, back to the default; others get 404', async () => {
    const s = await signIn(t);
    await spent(s, 600);
    const id = await thread(s);
    const put = (body: unknown, who = admin) => request(t.app).put(`/api/admin/users/${s.user.id}/quota`).set(auth(who)).send(body as object);
    expect((await put({ tokens: 500 })).body).toMatchObject({ override: 500, quota: 500 });
    expect((await send(s, id, 'lowered')).status).toBe(429);
    expect((await put({ tokens: 2000 })).status).toBe(200);
    t.fake.enqueue({ tokens: ['y'], usage: { prompt_tokens: 2000, completion_tokens: 0, total_tokens: 2000 } });
    const raised = await send(s, id, 'raised');
    expect(raised.status).toBe(202);
    await done(raised.body.reply.id);
    expect((await send(s, id, 'past raised')).status).toBe(429);
    expect((await put({ tokens: 'unlimited' })).body).toMatchObject({ override: 'unlimited', quota: null });
    const free = await send(s, id, 'unlimited');
    expect(free.status).toBe(202);
    await done(free.body.reply.id);
    expect((await put({ tokens: null })).body).toMatchObject({ override: null, quota: 1000 });
    expect((await send(s, id, 'default again')).status).toBe(429);
    // Refusals: a bad value, an unknown user, a non-admin (the same 404 as an unknown route).
    expect((await put({ tokens: -3 })).status).toBe(422);
    expect((await put({})).status).toBe(422);
    expect((await request(t.app).put('/api/admin/users/99999999/quota').set(auth(admin)).send({ tokens: 1 })).status).toBe(404);
    expect((await put({ tokens: 1 }, s)).status).toBe(404);
    // Signed out: a PUT without a CSRF token stops at the CSRF check (403, as for any route); a GET is the 404.
    expect((await request(t.app).get('/api/admin/usage')).status).toBe(404);
  });

  it('the quota form: saved with CSRF, refused without it, a bad number shown again beside the field', async () => {
    const s = await signIn(t);
    const path = `/admin/users/${s.user.id}/quota`;
    const form = await request(t.app).get(path).set('Cookie', admin.cookie);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="_csrf"');
    expect(form.text).toContain(s.user.email);
    const saved = await request(t.app).post(path).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, mode: 'limit', tokens: '250,000' });
    expect(saved.status).toBe(303);
    expect(Number((await t.db('users').where({ id: s.user.id }).first()).monthly_token_quota)).toBe(250_000);
    const noCsrf = await request(t.app).post(path).set('Cookie', admin.cookie).type('form').send({ mode: 'unlimited' });
    expect(noCsrf.status).toBe(403);
    expect(Number((await t.db('users').where({ id: s.user.id }).first()).monthly_token_quota)).toBe(250_000);
    const bad = await request(t.app).post(path).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, mode: 'limit', tokens: 'lots' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('whole number of tokens');
    expect(bad.text).toContain('value="lots"');
    const unl = await request(t.app).post(path).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, mode: 'unlimited' });
    expect(unl.status).toBe(303);
    expect(Number((await t.db('users').where({ id: s.user.id }).first()).monthly_token_quota)).toBe(-1);
    // A non-admin: 404 for the page and the form, even with a valid CSRF token.
    expect((await request(t.app).get(path).set('Cookie', s.cookie)).status).toBe(404);
    expect((await request(t.app).post(path).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, mode: 'unlimited' })).status).toBe(404);
  });
});

describe.each(DIALECTS)('the quota migration on %s', (dialect) => {
  it("down drops the column and nothing else (SQLite's table rebuild would cascade through users)", async () => {
    const t = await migratedDatabase(dialect);
    try {
      const u = await createUser(t.db, { email: 'keep@example.com' });
      await t.db('users').where({ id: u.id }).update({ monthly_token_quota: 7 });
      await t.db('usage_monthly').insert({ user_id: u.id, month: '2026-12', model: 'm', prompt_tokens: 1 });
      await t.db.migrate.down({ name: '20261211000100_users_monthly_token_quota.ts' });
      expect(await t.db.schema.hasColumn('users', 'monthly_token_quota')).toBe(false);
      expect(Number((await t.db('usage_monthly').count({ n: '*' }))[0].n)).toBe(1);
      await t.db.migrate.latest();
      expect((await t.db('users').where({ id: u.id }).first()).monthly_token_quota).toBeNull();
    } finally {
      await t.drop();
    }
  });
});
