// Administration (issue 16): who is an administrator, and that everyone else meets the unknown-route 404 on every
// admin route (pages and API, read from the router), and that every admin form needs its CSRF token.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { ADMIN, admin, adminRouteList, adminTestApp, cookieAgent, member, type Member, type RouteSpec } from '../support/admin.ts';
import type { TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';
import { csrfOf } from '../support/forms.ts';

describe.each(DIALECTS)('the admin gate on %s', (dialect) => {
  let t: TestApp;
  let boss: Member;
  let plain: Member;
  let squatter: Member;
  let routes: RouteSpec[];
  beforeAll(async () => {
    t = await adminTestApp(dialect, { ALLOW_GUESTS: 'true' });
    boss = await admin(t);
    plain = await member(t, 'plain@example.com', { verified: true });
    // Registered the second administrator's address before its owner (email form, unverified): never an admin.
    squatter = await member(t, 'second-boss@example.com');
    routes = adminRouteList(t.config, t.db);
  });
  afterAll(async () => { await t?.close(); });

  const concrete = (path: string) => path.replace(':id', String(plain.user.id));
  /** The answer, with what differs from request to request (the CSRF token) taken out. */
  const shape = (res: request.Response) => ({ status: res.status, type: res.type, body: res.type === 'application/json' ? JSON.stringify(res.body) : res.text.replace(/"X-CSRF-Token": "[^"]+"/g, '').replace(/name="_csrf" value="[^"]+"/g, '') });

  it('reads a dozen routes from the router, pages and API', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes).toContainEqual({ method: 'get', path: '/admin/users' });
    expect(routes).toContainEqual({ method: 'delete', path: '/api/admin/users/:id' });
    expect(routes.every((r) => r.path.startsWith('/admin') || r.path.startsWith('/api/admin'))).toBe(true);
  });

  it('answers signed-out visitors, members, guests, a squatter and Bearer scripts exactly as an unknown route', async () => {
    const guestAgent = request.agent(t.app);
    const login = await guestAgent.get('/login');
    await guestAgent.post('/auth/guest').type('form').send({ _csrf: csrfOf(login.text) });
    const guestCsrf = csrfOf((await guestAgent.get('/settings')).text);
    const plainA = await cookieAgent(t, plain.cookie);
    const squatA = await cookieAgent(t, squatter.cookie);
    // Signed out, but holding a session and its CSRF token (from the sign-in page): writes reach the gate too.
    const outAgent = request.agent(t.app);
    const outCsrf = csrfOf((await outAgent.get('/login')).text.replace(/[\s\S]*name="_csrf" value="([^"]+)"[\s\S]*/, '"X-CSRF-Token": "$1"'));
    const who: Array<[string, (m: RouteSpec['method'], p: string) => request.Test]> = [
      ['signed out', (m, p) => request(t.app)[m](p)],
      ['signed out with a CSRF token', (m, p) => outAgent[m](p).set('X-CSRF-Token', outCsrf)],
      ['member', (m, p) => plainA.agent[m](p).set('X-CSRF-Token', plainA.csrf)],
      ['guest', (m, p) => guestAgent[m](p).set('X-CSRF-Token', guestCsrf)],
      ['squatter', (m, p) => squatA.agent[m](p).set('X-CSRF-Token', squatA.csrf)],
      ['bearer member', (m, p) => request(t.app)[m](p).set('Authorization', `Bearer ${plain.token}`)],
    ];
    for (const [name, send] of who) {
      for (const r of routes) {
        const path = concrete(r.path);
        const unknown = path.startsWith('/api/') ? '/api/no-such-thing' : '/no-such-page';
        const got = shape(await send(r.method, path).send({ uses: 1 }));
        const expected = shape(await send(r.method, unknown).send({ uses: 1 }));
        // (Signed out without a session, a write meets the CSRF check first, on an unknown route too.)
        expect(got.status, `${name} ${r.method} ${path}`).toBe(name === 'signed out' && r.method !== 'get' ? 403 : 404);
        expect({ ...got, body: got.body.replaceAll(path, '') }, `${name} ${r.method} ${path}`).toEqual({ ...expected, body: expected.body.replaceAll(unknown, '') });
      }
    }
    // Nothing was done on the way.
    expect((await t.db('users').where({ id: plain.user.id }).first()).disabled_at).toBeNull();
    expect(await t.db('invites').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('shows the Administration link to administrators only', async () => {
    expect((await request(t.app).get('/settings').set('Cookie', boss.cookie)).text).toContain('>Administration</a>');
    for (const m of [plain, squatter]) expect((await request(t.app).get('/settings').set('Cookie', m.cookie)).text).not.toContain('Administration');
    const page = await request(t.app).get('/admin/users').set('Cookie', boss.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('plain@example.com');
    expect((await request(t.app).get('/api/admin/users').set('Authorization', `Bearer ${boss.token}`)).status).toBe(200);
  });

  it('refuses every admin form and API write without the CSRF token (cookie), and does nothing', async () => {
    const victim = await member(t, 'victim@example.com');
    await createThread(t.db, victim.user.id, { title: 'keep me' });
    const writes = routes.filter((r) => r.method !== 'get');
    expect(writes.length).toBeGreaterThanOrEqual(10);
    for (const r of writes) {
      const path = r.path.replace(':id', String(victim.user.id));
      const res = await request(t.app)[r.method](path).set('Cookie', boss.cookie).type('form').send({ uses: '1', expiresInDays: '1' });
      expect(res.status, `${r.method} ${path}`).toBe(403);
    }
    const row = await t.db('users').where({ id: victim.user.id }).first();
    expect(row.disabled_at).toBeNull();
    expect(await t.db('threads').where({ user_id: victim.user.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await t.db('invites').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await t.db('password_resets').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('makes ADMIN_EMAILS addresses administrators only once the address is proven, and never a disabled or guest one', async () => {
    expect((await request(t.app).get('/admin/users').set('Cookie', squatter.cookie)).status).toBe(404);
    await t.db('users').where({ id: squatter.user.id }).update({ email_verified_at: new Date() });
    expect((await request(t.app).get('/admin/users').set('Cookie', squatter.cookie)).status).toBe(200);
    await t.db('users').where({ id: squatter.user.id }).update({ email_verified_at: null });
    expect(ADMIN).toBe('boss@example.com');
  });

  it('refuses the email form and the email API for an ADMIN_EMAILS address (whoever registered first would sit on it)', async () => {
    const form = await request.agent(t.app);
    const page = await form.get('/register');
    const res = await form.post('/register').type('form').send({ _csrf: csrfOf(page.text), email: 'Boss@Example.com', password: 'a-long-password-1' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('reserved for an administrator');
    const api = await request(t.app).post('/api/auth/email/register').send({ email: 'second-boss@example.com', password: 'a-long-password-1' });
    expect(api.status).toBe(403);
  });
});
