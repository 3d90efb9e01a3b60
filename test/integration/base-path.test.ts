import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { testApp, type TestApp } from '../support/app.ts';

/** Every URL attribute in a page: links, forms, scripts, styles, htmx and SSE attributes. */
export function urlsIn(html: string): string[] {
  const attr = /\s(?:href|src|action|formaction|hx-(?:get|post|put|patch|delete)|sse-connect|data-url)="([^"]*)"/g;
  return [...html.matchAll(attr)].map((m) => m[1]).filter((u) => !u.startsWith('#'));
}

describe('BASE_PATH=/chat behind a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp('sqlite', { BASE_PATH: '/chat', TRUST_PROXY: 'loopback' }); });
  afterAll(async () => { await t?.close(); });

  it('lives entirely under /chat/', async () => {
    expect((await request(t.app).get('/chat/healthz')).status).toBe(200);
    const root = await request(t.app).get('/chat/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/chat/login?next=%2F');
    const outside = await request(t.app).get('/');
    expect(outside.headers.location).toBe('/chat/');
    expect((await request(t.app).get('/login')).status).toBe(404);
  });

  it('writes every URL in every page with the /chat/ prefix', async () => {
    const user = await createUser(t.db, { email: 'base@example.com', name: 'Base' });
    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const pages = [
      (await request(t.app).get('/chat/login')).text,
      (await request(t.app).get('/chat/no-such-page')).text,
      (await request(t.app).get('/chat/').set('Cookie', `access_token=${token}`)).text,
    ];
    for (const html of pages) {
      const urls = urlsIn(html);
      expect(urls.length).toBeGreaterThan(2);
      for (const u of urls) expect(u, u).toMatch(/^\/chat\//);
    }
    const assets = urlsIn(pages[0]).filter((u) => u.includes('/static/'));
    for (const u of assets) expect((await request(t.app).get(u)).status, u).toBe(200);
  });

  it('scopes cookies to /chat and marks them Secure when the proxy says https', async () => {
    const plain = await request(t.app).get('/chat/login');
    const cookie = plain.headers['set-cookie'][0];
    expect(cookie).toMatch(/Path=\/chat;/);
    expect(cookie).not.toMatch(/Secure/);
    const https = await request(t.app).get('/chat/login').set('X-Forwarded-Proto', 'https');
    expect(https.headers['set-cookie'][0]).toMatch(/; Secure/);
  });
});

describe('X-Forwarded-Proto from an untrusted address', () => {
  it('is ignored without TRUST_PROXY', async () => {
    const t = await testApp('sqlite');
    try {
      const res = await request(t.app).get('/login').set('X-Forwarded-Proto', 'https');
      expect(res.headers['set-cookie'][0]).not.toMatch(/Secure/);
    } finally {
      await t.close();
    }
  });
});
