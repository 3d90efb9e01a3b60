// Issue 9, findings 4, 5 and 7: nothing private is cached, a malformed header is no 500, the CSRF token never rides in
// a URL, deleting an account leaves no counter of theirs, a guest's cookie ends with the guest, probes say nosniff.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { chatApp, signIn, waitFor, type ChatTestApp } from '../support/fake-mistral-app.ts';
import { cookieOf, csrfOf, formAgent } from '../support/forms.ts';
import { sendBucket } from '../../src/features/auth/rate-limits.ts';

const maxAgeOf = (setCookie: string | undefined) => Number(/Max-Age=(\d+)/.exec(setCookie ?? '')?.[1]);

describe.each(DIALECTS)('hardening on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect, { ALLOW_GUESTS: 'true', GUEST_TTL_HOURS: '24' }); });
  afterAll(async () => { await t?.close(); });

  async function member(email: string) {
    const reg = await request(t.app).post('/api/auth/email/register').send({ email, password: 'member-password-1' });
    expect(reg.status).toBe(201);
    const agent = request.agent(t.app);
    const page = await agent.get('/account').set('Cookie', `access_token=${reg.body.token}`);
    return { reg, agent, page, cookie: `access_token=${reg.body.token}` };
  }

  it('sends Cache-Control: no-store on signed-in pages, htmx fragments, JSON and the answers that carry a token', async () => {
    const { reg, page, cookie } = await member('cache@example.test');
    expect(reg.headers['cache-control']).toBe('no-store');
    expect(page.status).toBe(200);
    expect(page.text).toContain('cache@example.test');
    expect(page.headers['cache-control']).toBe('no-store');
    const fragment = await request(t.app).get('/threads').set('Cookie', cookie).set('HX-Request', 'true');
    expect(fragment.status).toBe(200);
    expect(fragment.headers['cache-control']).toBe('no-store');
    const user = await request(t.app).get('/api/user').set('Authorization', `Bearer ${reg.body.token}`);
    expect(user.body.email).toBe('cache@example.test');
    expect(user.headers['cache-control']).toBe('no-store');
    const login = await request(t.app).post('/api/auth/email/login').send({ email: 'cache@example.test', password: 'member-password-1' });
    expect(login.body.token).toBeTruthy();
    expect(login.headers['cache-control']).toBe('no-store');
    // Fingerprinted static files stay cacheable for a year.
    const css = /href="([^"]+\.css)"/.exec(page.text)![1];
    expect((await request(t.app).get(css)).headers['cache-control']).toMatch(/max-age=31536000/);
  });

  it('answers a signed-out htmx request with a malformed HX-Current-URL as a sign-in redirect, not a 500', async () => {
    for (const value of ['not a url', 'http://', '::::', '%', 'https://evil.example//x']) {
      const res = await request(t.app).get('/threads').set('HX-Request', 'true').set('HX-Current-URL', value);
      expect(res.status, value).toBe(401);
      expect(res.headers['hx-redirect'], value).toMatch(/^\/login\?next=/);
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    }
    const good = await request(t.app).get('/threads').set('HX-Request', 'true').set('HX-Current-URL', 'http://127.0.0.1/threads/abc');
    expect(good.headers['hx-redirect']).toBe('/login?next=%2Fthreads%2Fabc');
  });

  it('takes the CSRF token only from the form body or the X-CSRF-Token header, never from ?_csrf=', async () => {
    const { agent, csrf } = await formAgent(t, '/login');
    const viaQuery = await agent.post(`/login?_csrf=${encodeURIComponent(csrf)}`).type('form').send({ email: 'cache@example.test', password: 'member-password-1' });
    expect(viaQuery.status).toBe(403);
    expect(cookieOf(viaQuery, 'access_token')).toBeUndefined();
    const viaHeader = await agent.post('/login').set('X-CSRF-Token', csrf).type('form').send({ email: 'cache@example.test', password: 'member-password-1' });
    expect(viaHeader.status).toBe(303);
    const { agent: a2, csrf: c2 } = await formAgent(t, '/login');
    const viaBody = await a2.post('/login').type('form').send({ _csrf: c2, email: 'cache@example.test', password: 'member-password-1' });
    expect(viaBody.status).toBe(303);
  });

  it('gives a guest a cookie that ends when the guest does (24 h), and a member one for the token\'s days', async () => {
    const { agent, csrf } = await formAgent(t, '/login');
    const guest = await agent.post('/auth/guest').type('form').send({ _csrf: csrf });
    expect(guest.status).toBe(303);
    const guestAge = maxAgeOf(cookieOf(guest, 'access_token'));
    expect(guestAge).toBeGreaterThan(24 * 3600 - 60);
    expect(guestAge).toBeLessThanOrEqual(24 * 3600);
    const { reg } = await member('days@example.test');
    expect(maxAgeOf(cookieOf(reg, 'access_token'))).toBe(t.config.tokenTtlDays * 24 * 3600);
  });

  it('says nosniff and no-store on /healthz and /readyz', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });
});

describe.each(DIALECTS)('account deletion and the send counter on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '5' }); });
  afterAll(async () => { await t?.close(); });

  it('removes the user\'s send:user:<id> rows with the account', async () => {
    const s = await signIn(t, 'sender@example.test');
    const auth = { Authorization: `Bearer ${s.token}` };
    const thread = await request(t.app).post('/api/thread').set(auth).send({});
    const sent = await request(t.app).post(`/api/thread/${thread.body.thread.id}/messages`).set(auth).send({ content: 'hello' });
    expect(sent.status).toBe(202);
    await waitFor(async () => (await t.db('messages').where({ id: sent.body.reply.id }).first())?.status === 'complete');
    expect(await t.db('auth_attempts').where({ bucket: sendBucket(s.user.id) }).count({ n: '*' })).toEqual([{ n: 1 }]);
    const gone = await request(t.app).delete('/api/user').set(auth).send({ confirm: 'sender@example.test' });
    expect(gone.status).toBe(204);
    expect(await t.db('auth_attempts').where({ bucket: sendBucket(s.user.id) }).count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
