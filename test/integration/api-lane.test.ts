// Issue 18: API calls skip what only pages use (the sidebar, the theme, the admin link, routers of pages alone) and
// pages skip routers of the API alone. What must not change: the API's headers, its translated JSON errors, CSRF on
// cookie-authenticated writes, 404 for unknown paths, case-insensitive routes; and pages still get all of it.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';

describe.each(DIALECTS)('the API lane on %s', (dialect) => {
  let t: TestApp;
  let token = '';
  let threadId = '';
  beforeAll(async () => {
    t = await testApp(dialect, { ADMIN_EMAILS: 'lane@example.com' });
    const user = await createUser(t.db, { email: 'lane@example.com', name: 'Lane', emailVerified: true });
    token = await issueToken(t.db, user.id, { ttlDays: 7 });
    threadId = (await createThread(t.db, user.id, { title: 'Sidebar witness' })).id;
    await updateSettings(t.db, user.id, { theme: 'dark' });
  });
  afterAll(async () => { await t?.close(); });

  it('a Bearer call keeps every header a page gets: security, no-store, request id, Vary', async () => {
    const api = await request(t.app).get('/api/user').set('Authorization', `Bearer ${token}`);
    const page = await request(t.app).get('/settings').set('Cookie', `access_token=${token}`);
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ email: 'lane@example.com' });
    for (const h of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy', 'cache-control']) {
      expect(api.headers[h], h).toBe(page.headers[h]);
    }
    expect(api.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.headers.vary).toBe('Accept-Language, Accept-Encoding');
  });

  it('errors stay JSON in the reader\'s language: unknown path, signed out, by header or cookie', async () => {
    const unknown = await request(t.app).get('/api/nope').set('Authorization', `Bearer ${token}`).set('Accept-Language', 'fr');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const signedOut = await request(t.app).get('/api/user').set('Cookie', 'lang=fr');
    expect(signedOut.status).toBe(401);
    const english = await request(t.app).get('/api/user');
    expect(signedOut.body.error.message).not.toBe(english.body.error.message);
    expect(unknown.body.error.message).not.toBe((await request(t.app).get('/api/nope').set('Authorization', `Bearer ${token}`)).body.error.message);
  });

  it('routes stay case-insensitive for the API routers too', async () => {
    const res = await request(t.app).get(`/API/thread/${threadId}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.title ?? res.body.thread?.title).toBe('Sidebar witness');
  });

  it('a cookie-authenticated write to the API still needs its CSRF token; a Bearer one does not', async () => {
    const cookie = await request(t.app).patch(`/api/thread/${threadId}`).set('Cookie', `access_token=${token}`).send({ title: 'x' });
    expect(cookie.status).toBe(403);
    expect(cookie.body.error.code).toBe('csrf');
    const bearer = await request(t.app).patch(`/api/thread/${threadId}`).set('Authorization', `Bearer ${token}`).send({ title: 'Sidebar witness' });
    expect(bearer.status).toBeLessThan(300);
  });

  it('pages still get the sidebar, the theme and the admin link, error pages too', async () => {
    for (const path of ['/settings', '/nope', '/API-docs']) {
      const res = await request(t.app).get(path).set('Cookie', `access_token=${token}`);
      expect(res.text, path).toContain('data-theme="dark"');
      expect(res.text, path).toContain('Sidebar witness');
      expect(res.text, path).toContain('href="/admin"');
    }
  });
});
