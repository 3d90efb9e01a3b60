import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeAuthData } from '../../src/maintenance.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { sessionMiddleware } from '../../src/http/session.ts';
import { DIALECTS } from '../support/dialects.ts';
import { PROJECT_ROOT } from '../../src/lib/paths.ts';
import { testApp, TEST_SECRETS, type TestApp } from '../support/app.ts';

const STACK = /\bat .*\.(ts|js):\d+|Error:/;
const sessionRows = async (t: TestApp) => Number((await t.db('sessions').count({ n: '*' }).first())?.n);

describe.each(DIALECTS)('foundation over HTTP on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('sends a signed-out visitor from / to the sign-in page', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2F');
    const login = await request(t.app).get('/login');
    expect(login.status).toBe(200);
    expect(login.text).toContain('<h1>Sign in</h1>');
  });

  it('answers health and readiness as JSON', async () => {
    const h = await request(t.app).get('/healthz');
    expect(h.status).toBe(200);
    expect(h.body).toEqual({ status: 'ok' });
    const r = await request(t.app).get('/readyz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('sets a strict CSP and serves no inline script', async () => {
    const res = await request(t.app).get('/login');
    const csp = res.headers['content-security-policy'];
    const scriptSrc = csp.split(';').find((d: string) => d.startsWith('script-src'));
    expect(scriptSrc).toBe("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-/);
    expect(csp).toMatch(/style-src 'self'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const scripts = res.text.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/static\/[^"]+"/);
    expect(res.text).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(res.text).not.toMatch(/\son[a-z]+=/i);
    expect(res.text).toContain('"allowEval":false');
    expect(res.text).toContain('"includeIndicatorStyles":false');
  });

  it('serves static files under fingerprinted URLs, cached for a year, and unknown ones 404', async () => {
    const page = await request(t.app).get('/login');
    const urls = [...page.text.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
    expect(urls.some((u) => /\/static\/vendor\/htmx-[0-9a-f]{10}\.js/.test(u))).toBe(true);
    expect(urls.some((u) => /\/static\/css\/app-[0-9a-f]{10}\.css/.test(u))).toBe(true);
    for (const u of urls) {
      const res = await request(t.app).get(u);
      expect(res.status, u).toBe(200);
      expect(res.headers['cache-control'], u).toBe('max-age=31536000, immutable');
      expect(res.headers['x-content-type-options'], u).toBe('nosniff');
    }
    expect((await request(t.app).get('/static/css/app-0000000000.css')).status).toBe(404);
  });

  it('serves app.js minified, still a valid script with every string it listens for and sets', async () => {
    const page = await request(t.app).get('/login');
    const src = /src="(\/static\/js\/app-[0-9a-f]{10}\.js)"/.exec(page.text)![1];
    const served = (await request(t.app).get(src)).text;
    const source = readFileSync(path.join(PROJECT_ROOT, 'public/js/app.js'), 'utf8');
    expect(served.length).toBeLessThan(source.length * 0.7);
    expect(served).not.toMatch(/^\s*\/\/|\n\s+\S/m);
    expect(() => new vm.Script(served)).not.toThrow();
    // Names may shorten, but every string of the source (events, selectors, attributes, words) is still there.
    const strings = (s: string) => [...s.replace(/^\s*\/\/.*$/gm, '').matchAll(/'((?:[^'\\\n]|\\.)*)'/g)].map((m) => m[1]);
    for (const str of strings(source)) expect(served, str).toContain(str);
  });

  it('compresses HTML and CSS', async () => {
    // supertest decodes gzip for us; the header proves it was compressed on the wire.
    const res = await request(t.app).get('/login').set('Accept-Encoding', 'gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.text).toContain('<!doctype html>');
    const css = /href="(\/static\/css\/app-[^"]+)"/.exec(res.text)![1];
    const cssRes = await request(t.app).get(css).set('Accept-Encoding', 'gzip');
    expect(cssRes.headers['content-encoding']).toBe('gzip');
    expect(cssRes.text).toContain(':root');
    // Static files are compressed once at start-up; Brotli when the browser takes it, nothing when it takes neither.
    const br = await request(t.app).get(css).set('Accept-Encoding', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.text).toContain(':root');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    const plain = await request(t.app).get(css).set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBeGreaterThan(Number(br.headers['content-length']));
    expect(plain.headers['content-type']).toBe('text/css');
  });

  it('shows 404 as a page, an htmx fragment and JSON under /api', async () => {
    const page = await request(t.app).get('/no/such/page');
    expect(page.status).toBe(404);
    expect(page.text).toContain('<!doctype html>');
    expect(page.text).toContain('There is nothing here');
    const frag = await request(t.app).get('/no/such/page').set('HX-Request', 'true');
    expect(frag.status).toBe(404);
    expect(frag.text).not.toContain('<!doctype html>');
    expect(frag.text).toContain('role="alert"');
    expect(frag.headers['hx-retarget']).toBe('#flash');
    const api = await request(t.app).get('/api/nothing');
    expect(api.status).toBe(404);
    expect(api.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('nothing here') } });
  });

  it('rejects a state-changing request without a CSRF token (403) and lets one with a token through', async () => {
    const agent = request.agent(t.app);
    const noToken = await agent.post('/login').type('form').send({ email: 'a@b.c' });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('This form has expired');
    const page = await agent.get('/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    // The same token rides on <body> for htmx.
    expect(page.text).toContain(`hx-headers='{"X-CSRF-Token": "${token}"}'`);
    const withToken = await agent.post('/login').set('X-CSRF-Token', token).type('form').send({ email: 'a@b.c' });
    expect(withToken.status).not.toBe(403);
    const wrong = await agent.post('/login').set('X-CSRF-Token', 'forged').type('form').send({});
    expect(wrong.status).toBe(403);
    const api = await request(t.app).post('/api/anything').send({});
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe('csrf');
  });

  it('renders the real HTML error page for errors raised before CSRF runs (413 form, 400 JSON), signed in or not', async () => {
    const big = await request(t.app).post('/login').type('form').send(`email=${'x'.repeat(2_200_000)}`);
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toMatch(/^text\/html/);
    expect(big.text).toContain('<!doctype html>');
    expect(big.text).toContain('That request is too large.');
    expect(big.text).not.toContain('hx-headers');
    const bad = await request(t.app).post('/login').set('Content-Type', 'application/json').send('{"email":');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);
    expect(bad.text).toContain('<!doctype html>');
    expect(bad.text).toContain('The request body is not valid JSON.');
    // Signed in: the page has the app shell (sidebar) around the error, still without a token it cannot have.
    const user = await createUser(t.db, { email: `early-${dialect}@example.com`, name: 'Early' });
    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const mine = await request(t.app).post('/threads').set('Cookie', `access_token=${token}`).set('Content-Type', 'application/json').send('{"content":');
    expect(mine.status).toBe(400);
    expect(mine.headers['content-type']).toMatch(/^text\/html/);
    expect(mine.text).toContain('aria-label="Conversations"');
    expect(mine.text).toContain('The request body is not valid JSON.');
    // htmx gets the fragment, aimed at #flash.
    const frag = await request(t.app).post('/login').set('HX-Request', 'true').type('form').send(`email=${'x'.repeat(2_200_000)}`);
    expect(frag.status).toBe(413);
    expect(frag.headers['hx-retarget']).toBe('#flash');
    expect(frag.text).toMatch(/^<div class="error-box" role="alert"[ >]/);
  });

  it('stores no session for a signed-out page without a form, and one for the sign-in form', async () => {
    await t.db('sessions').delete();
    const missing = await request(t.app).get('/no/such/page');
    expect(missing.status).toBe(404);
    expect(missing.headers['set-cookie']).toBeUndefined();
    expect((await request(t.app).get('/')).headers['set-cookie']).toBeUndefined();
    expect(await sessionRows(t)).toBe(0);
    const login = await request(t.app).get('/login');
    expect(login.headers['set-cookie']?.[0]).toMatch(/^mc_sid=/);
    expect(await sessionRows(t)).toBe(1);
  });

  it('purges expired sessions with the other maintenance, and keeps live ones', async () => {
    await t.db('sessions').delete();
    // Written by the session store itself, in its own date format for this dialect.
    const { store } = sessionMiddleware(t.db, { secret: TEST_SECRETS.SESSION_SECRET, basePath: '' });
    const save = (sid: string, maxAge: number) => new Promise<void>((resolve, reject) =>
      store.set(sid, { cookie: { maxAge, originalMaxAge: maxAge } } as never, (err?: unknown) => (err ? reject(err) : resolve())));
    await save('expired-long-ago', -7 * 24 * 3600 * 1000);
    await save('expired-a-minute-ago', -60_000);
    await save('still-live', 3600 * 1000);
    const loggedIn = await request(t.app).get('/login');
    expect(loggedIn.status).toBe(200);
    expect(await sessionRows(t)).toBe(4);
    const purged = await purgeAuthData(t.db);
    expect(purged.sessions).toBe(2);
    const left = (await t.db('sessions').select('sid')).map((r: { sid: string }) => r.sid);
    expect(left).toHaveLength(2);
    expect(left).toContain('still-live');
    expect(left).not.toContain('expired-long-ago');
    expect(left).not.toContain('expired-a-minute-ago');
  });

  it('answers malformed JSON with a clear 400', async () => {
    const res = await request(t.app).post('/api/x').set('Authorization', 'Bearer abc').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });
});

describe.each(DIALECTS)('a database that is gone, in production, on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  let sid: string;
  beforeAll(async () => {
    t = await testApp(dialect, { NODE_ENV: 'production' });
    const user = await createUser(t.db, { email: 'gone@example.com' });
    token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const login = await request(t.app).get('/login');
    sid = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('mc_sid='))!.split(';')[0];
    await t.db.destroy();
  });
  afterAll(async () => { await t?.close(); });

  it('answers 500 as the HTML page, the htmx fragment and JSON, with no stack trace; /readyz says 503', async () => {
    const page = await request(t.app).get('/').set('Cookie', `access_token=${token}`);
    expect(page.status).toBe(500);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<!doctype html>');
    expect(page.text).toContain('Something went wrong on our side');
    expect(page.text).not.toMatch(STACK);
    expect(page.text).not.toContain('error-detail');
    const frag = await request(t.app).get('/threads').set('Cookie', `access_token=${token}`).set('HX-Request', 'true');
    expect(frag.status).toBe(500);
    expect(frag.headers['hx-retarget']).toBe('#flash');
    expect(frag.text).not.toContain('<!doctype html>');
    expect(frag.text).toContain('class="error-box"');
    expect(frag.text).not.toMatch(STACK);
    const api = await request(t.app).get('/api/threads').set('Authorization', `Bearer ${token}`);
    expect(api.status).toBe(500);
    expect(api.body).toEqual({ error: { code: 'error', message: expect.stringContaining('Something went wrong') } });
    expect(api.text).not.toMatch(STACK);
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', database: 'unreachable' });
    expect((await request(t.app).get('/healthz')).status).toBe(200);
  });

  it('a request with a session cookie gets the 500 page too (the session store fails without crashing the process)', async () => {
    const page = await request(t.app).get('/login').set('Cookie', sid);
    expect(page.status).toBe(500);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Something went wrong on our side');
    expect(page.text).not.toMatch(STACK);
    // Every store call reports the failure to its callback exactly once and leaves no rejected promise behind
    // (vitest fails the run on an unhandled rejection).
    const { store } = sessionMiddleware(t.db, { secret: TEST_SECRETS.SESSION_SECRET, basePath: '' });
    const sess = { cookie: { maxAge: 60_000, originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) } } as never;
    const calls = await Promise.all([
      new Promise((resolve) => { store.get('some-sid', (err) => resolve(err)); }),
      new Promise((resolve) => { store.set('some-sid', sess, (err) => resolve(err)); }),
      new Promise((resolve) => { store.touch('some-sid', sess, (err) => resolve(err)); }),
      new Promise((resolve) => { store.destroy('some-sid', (err) => resolve(err)); }),
    ]);
    for (const err of calls) expect(err).toBeInstanceOf(Error);
  });
});

describe('errors in production', () => {
  it('never shows a stack trace, even when the error page itself cannot render', async () => {
    const t = await testApp('sqlite', { NODE_ENV: 'production' });
    try {
      t.app.set('views', '/nonexistent-views-dir');
      const res = await request(t.app).get('/login');
      expect(res.status).toBe(500);
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
      expect(res.text).not.toMatch(/Error:/);
    } finally {
      await t.close();
    }
  });
});
