import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';
import { linkAsPath } from '../support/message-paths.ts';

/** Every URL a page gives the browser: links, forms, scripts, styles, htmx and SSE attributes, the refresh meta. */
export function urlsIn(html: string): string[] {
  const attr = /\s(?:href|src|action|formaction|hx-(?:get|post|put|patch|delete)|sse-connect|data-url)="([^"]*)"/g;
  const refresh = /<meta http-equiv="refresh" content="\d+;\s*url=([^"]*)"/g;
  return [...html.matchAll(attr), ...html.matchAll(refresh)].map((m) => m[1].replace(/&amp;/g, '&')).filter((u) => !u.startsWith('#'));
}

const ANSWER_LINK = 'https://example.com/docs';

/** Rows for a thread: `pairs` finished question/answer pairs, one failed answer (Retry) and a running one (SSE, Stop). */
async function busyThread(t: TestApp, userId: number, id: string, pairs: number): Promise<void> {
  const at = (i: number) => new Date(Date.now() - (pairs * 2 + 10 - i) * 1000);
  await t.db('threads').insert({ id, user_id: userId, title: 'A busy thread', created_at: at(0), updated_at: at(0) });
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < pairs; i++) {
    rows.push({ thread_id: id, role: 'user', content: `Question ${i}`, status: 'complete', created_at: at(2 * i), updated_at: at(2 * i) });
    rows.push({ thread_id: id, role: 'assistant', content: `Answer ${i} with [a link](https://example.com/docs) and \`code\`.`, status: 'complete', model: 'mistral-small-latest', created_at: at(2 * i + 1), updated_at: at(2 * i + 1) });
  }
  rows.push({ thread_id: id, role: 'user', content: 'Fails', status: 'complete', created_at: at(2 * pairs), updated_at: at(2 * pairs) });
  rows.push({ thread_id: id, role: 'assistant', content: 'Half', status: 'error', error: 'Mistral is unavailable.', created_at: at(2 * pairs + 1), updated_at: at(2 * pairs + 1) });
  rows.push({ thread_id: id, role: 'user', content: 'Still going?', status: 'complete', created_at: at(2 * pairs + 2), updated_at: at(2 * pairs + 2) });
  // Fresh and pending: a live answer as far as the page knows (no job runs for it here).
  rows.push({ thread_id: id, role: 'assistant', content: 'Partly', status: 'pending', created_at: new Date(), updated_at: new Date() });
  for (const r of rows) await t.db('messages').insert(r);
  await linkAsPath(t.db, id);
}

describe.each(DIALECTS)('BASE_PATH=/chat behind a trusted proxy, on %s', (dialect) => {
  let t: TestApp;
  // Guests and Google on, so the sign-in page shows every link it can have.
  beforeAll(async () => {
    t = await testApp(dialect, { BASE_PATH: '/chat', TRUST_PROXY: 'loopback', ALLOW_GUESTS: 'true',
      GOOGLE_CLIENT_ID: 'base-path.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'base-path-secret' });
  });
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
    // 31 more threads than fit on one page of the list, so it has its "more" loader; one thread has older messages.
    const now = Date.now();
    for (let i = 0; i < 31; i++) {
      const at = new Date(now - (i + 100) * 60_000);
      await t.db('threads').insert({ id: `thread-list${String(i).padStart(5, '0')}`, user_id: user.id, title: `Old ${i}`, created_at: at, updated_at: at });
    }
    await busyThread(t, user.id, 'thread-busy00001', 30);

    // The first signed-in page opens a session; later pages and forms use its cookie and CSRF token.
    const first = await request(t.app).get('/chat/').set('Cookie', `access_token=${token}`);
    const sid = ([] as string[]).concat(first.headers['set-cookie'] ?? []).find((c) => c.startsWith('mc_sid='))!.split(';')[0];
    const cookie = `access_token=${token}; ${sid}`;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(first.text)![1];
    const get = (path: string) => request(t.app).get(path).set('Cookie', cookie);
    const post = (path: string, form: Record<string, string>) => request(t.app).post(path).set('Cookie', cookie).type('form').send({ _csrf: csrf, ...form });

    const pages: [string, request.Response, number, RegExp][] = [
      ['sign in', await request(t.app).get('/chat/login'), 200, /<h1>Sign in<\/h1>/],
      ['register', await request(t.app).get('/chat/register'), 200, /<h1>Create your account<\/h1>/],
      ['404', await request(t.app).get('/chat/no-such-page'), 404, /There is nothing here/],
      ['home', first, 200, /id="composer"/],
      ['home, refused send', await post('/chat/threads', { content: '' }), 422, /id="composer"/],
      ['threads list', await get('/chat/threads'), 200, /<h1>Conversations<\/h1>/],
      ['thread', await get('/chat/threads/thread-busy00001'), 200, /A busy thread/],
      ['thread, older page', await get('/chat/threads/thread-busy00001?before=999999'), 200, /A busy thread/],
      ['rename, refused', await post('/chat/threads/thread-busy00001/rename', { title: '' }), 422, /Give the conversation a title/],
      ['model, refused', await post('/chat/threads/thread-busy00001/model', { model: 'not a model id!', context: '' }), 422, /Model and context|model/i],
      ['settings', await get('/chat/settings'), 200, /<h1>Settings<\/h1>/],
      ['account', await get('/chat/account'), 200, /<h1>Account<\/h1>/],
      ['account, delete refused', await post('/chat/account/delete', { confirm: 'someone@else.example' }), 422, /Type base@example.com exactly/],
    ];
    const seen = new Set<string>();
    for (const [name, res, status, marker] of pages) {
      expect(res.status, name).toBe(status);
      expect(res.text, name).toMatch(marker);
      // A link inside an answer is the answer's content, not the app's URL.
      const urls = urlsIn(res.text).filter((u) => u !== ANSWER_LINK);
      expect(urls.length, name).toBeGreaterThan(2);
      for (const u of urls) {
        expect(u, `${name}: ${u}`).toMatch(/^\/chat\//);
        seen.add(u.replace(/[?#].*$/, '').replace(/\d+/g, 'N').replace(/-[0-9a-f]{10}\./, '-H.'));
      }
    }
    // The scan did reach the URLs that only some pages have: htmx loaders and actions, the event stream, the refresh.
    const thread = pages.find(([n]) => n === 'thread')![1].text;
    expect(thread).toMatch(/sse-connect="\/chat\/threads\/thread-busy00001\/messages\/\d+\/events\?after=/);
    expect(thread).toMatch(/hx-post="\/chat\/threads\/thread-busy00001\/messages\/\d+\/stop"/);
    expect(thread).toMatch(/hx-post="\/chat\/threads\/thread-busy00001\/messages\/\d+\/retry"/);
    expect(thread).toMatch(/hx-get="\/chat\/threads\/thread-busy00001\/messages\?before=\d+"/);
    expect(thread).toMatch(/hx-get="\/chat\/threads\/thread-busy00001\/messages\/\d+\/edit"/);
    expect(thread).toMatch(/action="\/chat\/threads\/thread-busy00001\/messages\/\d+\/regenerate"/);
    expect(thread).toMatch(/<a href="\/chat\/threads\/thread-busy00001\?follow=\d+#m-\d+">Follow the answer/);
    expect(pages.find(([n]) => n === 'threads list')![1].text).toMatch(/hx-get="\/chat\/threads\?cursor=/);
    expect(seen).toContain('/chat/auth/google');
    expect(seen).toContain('/chat/auth/guest');
    expect(thread).toContain(`href="${ANSWER_LINK}"`);
    expect(seen.size).toBeGreaterThan(15);
    const assets = urlsIn(pages[0][1].text).filter((u) => u.includes('/static/'));
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
