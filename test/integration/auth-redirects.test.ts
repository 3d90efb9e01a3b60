// `next` after sign-in, registration and guest access stays on this site, however it is disguised, at the root and
// under a base path; and a signed-in visitor asking for a guest sign-in keeps their own.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { csrfOf, tokenOf } from '../support/forms.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';

// Each one turns into "//evil.example" (another site) if only checked before the URL parser normalises it.
const ESCAPES = [
  '/..//evil.example', '/.//evil.example', '/%2e%2e//evil.example', '/.%2e//evil.example', '/a/..//evil.example',
  '/\\evil.example', '/./\\evil.example', '/\t/evil.example', '/\n//evil.example', '/%2f%2fevil.example',
  '//evil.example', 'https://evil.example/', '/chat/..//evil.example',
];

/** Where a browser on https://app.example goes with this Location. */
const hostOf = (location: string) => new URL(location, 'https://app.example/page').host;

for (const basePath of ['', '/chat']) {
  describe.each(DIALECTS)(`next stays local with BASE_PATH="${basePath}" on %s`, (dialect) => {
    let t: TestApp;
    const at = (p: string) => basePath + p;
    const home = basePath ? '/chat/' : '/';
    // Under /chat, "/chat//evil.example" is app path "//evil.example"; at the root it is the harmless /chat//evil.example.
    const escapes = basePath ? [...ESCAPES, '/chat//evil.example'] : ESCAPES;
    beforeAll(async () => {
      t = await testApp(dialect, { ALLOW_GUESTS: 'true', ...(basePath ? { BASE_PATH: basePath } : {}) });
      await createUser(t.db, { email: 'nx@example.com', passwordHash: await hashPassword('nx-password-1') });
    });
    afterAll(async () => { await t?.close(); });

    async function formAgent(path: string) {
      const agent = request.agent(t.app);
      const page = await agent.get(at(path));
      expect(page.status).toBe(200);
      return { agent, csrf: csrfOf(page.text) };
    }

    it('POST /login, /register and /auth/guest redirect home for every disguised way out', async () => {
      let n = 0;
      for (const next of escapes) {
        await t.db('auth_attempts').delete();
        const login = await formAgent('/login');
        const signedIn = await login.agent.post(at('/login')).type('form').send({ _csrf: login.csrf, email: 'nx@example.com', password: 'nx-password-1', next });
        expect(signedIn.status, next).toBe(303);
        expect(signedIn.headers.location, `login ${JSON.stringify(next)}`).toBe(home);

        const reg = await formAgent('/register');
        const registered = await reg.agent.post(at('/register')).type('form').send({ _csrf: reg.csrf, email: `nx${n++}@example.com`, password: 'nx-password-1', next });
        expect(registered.status, next).toBe(303);
        expect(registered.headers.location, `register ${JSON.stringify(next)}`).toBe(home);

        const g = await formAgent('/login');
        const guest = await g.agent.post(at('/auth/guest')).type('form').send({ _csrf: g.csrf, next });
        expect(guest.status, next).toBe(303);
        expect(guest.headers.location, `guest ${JSON.stringify(next)}`).toBe(home);

      }
      // An htmx sign-in gets the same target in HX-Redirect.
      const hx = await formAgent('/login');
      const hxIn = await hx.agent.post(at('/login')).set('HX-Request', 'true').type('form').send({ _csrf: hx.csrf, email: 'nx@example.com', password: 'nx-password-1', next: '/..//evil.example' });
      expect(hxIn.headers['hx-redirect']).toBe(home);
      // A real local target is still honoured.
      const ok = await formAgent('/login');
      const kept = await ok.agent.post(at('/login')).type('form').send({ _csrf: ok.csrf, email: 'nx@example.com', password: 'nx-password-1', next: '/account?tab=1' });
      expect(kept.headers.location).toBe(at('/account?tab=1'));
    }, 180_000);

    it('a signed-in GET of /login or /register sends them home, never elsewhere, and the form carries a safe next', async () => {
      const user = await createUser(t.db, { email: 'in@example.com' });
      const cookie = `access_token=${await issueToken(t.db, user.id, { ttlDays: 1 })}`;
      for (const next of escapes) {
        for (const page of ['/login', '/register']) {
          const res = await request(t.app).get(`${at(page)}?next=${encodeURIComponent(next)}`).set('Cookie', cookie);
          expect(res.status, `${page} ${JSON.stringify(next)}`).toBe(302);
          expect(res.headers.location, `${page} ${JSON.stringify(next)}`).toBe(home);
          expect(hostOf(res.headers.location)).toBe('app.example');
        }
        const form = await request(t.app).get(`${at('/login')}?next=${encodeURIComponent(next)}`);
        expect(form.text, JSON.stringify(next)).toContain('name="next" value="/"');
      }
    });

    it('a signed-in user posting /auth/guest keeps their sign-in: no guest is created, no new token', async () => {
      const user = await createUser(t.db, { email: `member${basePath.length}@example.com` });
      const token = await issueToken(t.db, user.id, { ttlDays: 1 });
      const agent = request.agent(t.app);
      agent.set('Cookie', `access_token=${token}`);
      const page = await agent.get(at('/account'));
      expect(page.status).toBe(200);
      const guestsBefore = await t.db('users').whereNotNull('guest_expires_at').count({ n: '*' });
      const tokensBefore = await t.db('access_tokens').count({ n: '*' });
      const res = await agent.post(at('/auth/guest')).type('form').send({ _csrf: csrfOf(page.text), next: '/account' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(at('/account'));
      expect(tokenOf(res)).toBeUndefined();
      expect(await t.db('users').whereNotNull('guest_expires_at').count({ n: '*' })).toEqual(guestsBefore);
      expect(await t.db('access_tokens').count({ n: '*' })).toEqual(tokensBefore);
      const still = await agent.get(at('/account'));
      expect(still.text).toContain(`member${basePath.length}@example.com`);
    });
  });
}
