// Appearance (light, dark or the device's) is stored per user and put on <html> by the layout; the web app manifest
// and its icons let the app be installed, with URLs right under BASE_PATH.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';
import { signIn, type Session } from '../support/fake-mistral-app.ts';

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)![0];
const metas = (html: string, name: string) => [...html.matchAll(new RegExp(`<meta name="${name}"[^>]*>`, 'g'))].map((m) => m[0]);

describe.each(DIALECTS)('appearance on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  const page = (s: Session, path = '/settings') => request(t.app).get(path).set('Cookie', s.cookie);
  const save = (s: Session, body: Record<string, string>) => request(t.app).post('/settings/appearance').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, ...body });

  it('defaults to System: no data-theme, both colour schemes, a theme colour for each', async () => {
    const s = await signIn(t);
    const res = await page(s);
    expect(htmlTag(res.text)).toBe('<html lang="en">');
    expect(metas(res.text, 'color-scheme')).toEqual(['<meta name="color-scheme" content="light dark">']);
    expect(metas(res.text, 'theme-color')).toEqual([
      '<meta name="theme-color" media="(prefers-color-scheme: light)" content="#ffffff">',
      '<meta name="theme-color" media="(prefers-color-scheme: dark)" content="#18181b">',
    ]);
    expect(res.text).toContain('<h2 id="appearance-heading">Appearance</h2>');
    expect(res.text).toMatch(/<input type="radio" id="theme-system" name="theme" value="system" checked>/);
    expect((await request(t.app).get('/api/settings').set('Authorization', `Bearer ${s.token}`)).body.theme).toBe('system');
  });

  it('a plain form saves Dark: stored, and every page puts it on <html> with a dark colour scheme', async () => {
    const s = await signIn(t);
    const res = await save(s, { theme: 'dark' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/settings?saved=appearance#appearance');
    expect((await t.db('user_settings').where({ user_id: s.user.id }).first()).theme).toBe('dark');
    for (const path of ['/settings', '/', '/account', '/no-such-page']) {
      const html = (await page(s, path)).text;
      expect(htmlTag(html), path).toBe('<html lang="en" data-theme="dark">');
      expect(metas(html, 'color-scheme'), path).toEqual(['<meta name="color-scheme" content="dark">']);
      expect(metas(html, 'theme-color'), path).toEqual(['<meta name="theme-color" content="#18181b">']);
    }
    const settings = (await page(s, res.headers.location)).text;
    expect(settings).toMatch(/value="dark" checked>/);
    expect(settings).toContain('Your appearance was saved.');
    // Light, then back to System.
    await save(s, { theme: 'light' }).expect(303);
    const light = (await page(s, '/')).text;
    expect(htmlTag(light)).toBe('<html lang="en" data-theme="light">');
    expect(metas(light, 'color-scheme')).toEqual(['<meta name="color-scheme" content="light">']);
    await save(s, { theme: 'system' }).expect(303);
    expect(htmlTag((await page(s, '/')).text)).toBe('<html lang="en">');
    // Another user's pages are not affected; signed-out pages follow the device.
    expect(htmlTag((await page(await signIn(t), '/')).text)).toBe('<html lang="en">');
    expect(htmlTag((await request(t.app).get('/login')).text)).toBe('<html lang="en">');
  });

  it('refuses an unknown theme and a form without its CSRF token, keeping what was saved', async () => {
    const s = await signIn(t);
    await save(s, { theme: 'dark' }).expect(303);
    const bad = await save(s, { theme: 'purple' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Choose System, Light or Dark.');
    const noCsrf = await request(t.app).post('/settings/appearance').set('Cookie', s.cookie).type('form').send({ theme: 'light' });
    expect(noCsrf.status).toBe(403);
    expect((await t.db('user_settings').where({ user_id: s.user.id }).first()).theme).toBe('dark');
    const api = await request(t.app).put('/api/settings').set('Authorization', `Bearer ${s.token}`).send({ theme: 'sepia' });
    expect(api.status).toBe(422);
    expect(api.body.error.fields.theme).toBe('Choose System, Light or Dark.');
  });

  it("the sidebar's switch moves System → Light → Dark → System and comes back to the page", async () => {
    const s = await signIn(t);
    const home = (await page(s, '/')).text;
    expect(home).toMatch(/<form method="post" action="\/settings\/appearance" class="theme-switch">[\s\S]*?name="next" value="\/"[\s\S]*?name="theme" value="light"[^>]*aria-label="Appearance: System. Switch to Light"/);
    const back = await save(s, { theme: 'light', next: '/threads' });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/threads');
    expect((await page(s, '/threads')).text).toMatch(/name="theme" value="dark"[^>]*aria-label="Appearance: Light. Switch to Dark"/);
    // Only a path of this app.
    expect((await save(s, { theme: 'dark', next: '//evil.example/x' })).headers.location).toBe('/settings');
    // htmx (should a form ever send one) gets a whole-page navigation: the theme is on <html>.
    const hx = await request(t.app).post('/settings/appearance').set('Cookie', s.cookie).set('HX-Request', 'true')
      .set('X-CSRF-Token', s.csrf).type('form').send({ theme: 'system' });
    expect(hx.status).toBe(204);
    expect(hx.headers['hx-redirect']).toBe('/settings?saved=appearance#appearance');
    const api = await request(t.app).put('/api/settings').set('Authorization', `Bearer ${s.token}`).send({ theme: 'dark' });
    expect(api.body.theme).toBe('dark');
  });
});

const pngSize = (b: Buffer) => [b.readUInt32BE(16), b.readUInt32BE(20)];

describe.each(DIALECTS)('web app manifest and icons under BASE_PATH=/chat on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect, { BASE_PATH: '/chat' }); });
  afterAll(async () => { await t?.close(); });

  it('every page links the manifest and the touch icon; the manifest is served as such, with /chat/ URLs', async () => {
    const login = await request(t.app).get('/chat/login');
    expect(login.text).toContain('<link rel="manifest" href="/chat/manifest.webmanifest">');
    const touch = /<link rel="apple-touch-icon" href="([^"]+)">/.exec(login.text)![1];
    expect(touch).toMatch(/^\/chat\/static\/icons\/apple-touch-icon-[0-9a-f]{10}\.png$/);
    const icon = await request(t.app).get(touch).buffer(true);
    expect(icon.headers['content-type']).toBe('image/png');
    expect(pngSize(icon.body)).toEqual([180, 180]);

    const res = await request(t.app).get('/chat/manifest.webmanifest');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/manifest+json; charset=utf-8');
    // Public and the same for everyone: cacheable, no session, no cookie.
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    expect(res.headers['set-cookie']).toBeUndefined();
    const m = JSON.parse(res.text);
    expect(m).toMatchObject({ name: 'MistralChat', short_name: 'MistralChat', id: '/chat/', start_url: '/chat/', scope: '/chat/', display: 'standalone',
      background_color: '#ffffff', theme_color: '#ffffff' });
    const png = m.icons.filter((i: { type: string }) => i.type === 'image/png');
    expect(png.map((i: { sizes: string; purpose?: string }) => `${i.sizes} ${i.purpose ?? 'any'}`)).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const i of m.icons) {
      expect(i.src).toMatch(/^\/chat\/static\//);
      const got = await request(t.app).get(i.src).buffer(true);
      expect(got.status, i.src).toBe(200);
      expect(got.headers['content-type']).toBe(i.type);
      if (i.type === 'image/png') expect(pngSize(got.body)).toEqual(i.sizes.split('x').map(Number));
    }
    // A repeat with the ETag costs a 304.
    const again = await request(t.app).get('/chat/manifest.webmanifest').set('If-None-Match', res.headers.etag);
    expect(again.status).toBe(304);
    // Outside the base path there is no manifest.
    expect((await request(t.app).get('/manifest.webmanifest')).status).toBe(404);
  });
});
