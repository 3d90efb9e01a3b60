// The app under /chat/ behind docs/deploy/nginx.conf, as an intranet would run it: BASE_PATH=/chat,
// TRUST_PROXY=loopback. Pages and every asset load through the proxy, cookies are scoped to /chat, and
// X-Forwarded-Proto: https from nginx makes them Secure.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, openTab, signedInToken, startLiveApp, type LiveApp } from '../support/browser.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { describeInBrowser, expectNoProblems } from './suite.ts';

describeInBrowser('behind nginx under /chat/', { nginx: true }, () => {
  let browser: Browser;
  let live: LiveApp;
  let nginx: RunningNginx;
  beforeAll(async () => {
    [browser, live] = await Promise.all([launchBrowser(), startLiveApp({ BASE_PATH: '/chat', TRUST_PROXY: 'loopback' })]);
    nginx = await startNginx(Number(new URL(live.origin).port));
  });
  afterAll(async () => {
    await browser?.close();
    await nginx?.stop();
    await live?.close();
  });
  // The browser talks to nginx only; the app's own port is never used.
  const proxied = () => ({ origin: nginx.origin, config: live.config });

  it('the sign-in page loads through /chat/ with every asset, under the real CSP', async () => {
    const tab = await openTab(browser, proxied());
    const responses: Array<{ url: string; status: number }> = [];
    tab.page.on('response', (r) => responses.push({ url: r.url(), status: r.status() }));
    try {
      await tab.page.goto(`${nginx.origin}/chat/`);
      expect(new URL(tab.page.url()).pathname).toBe('/chat/login');
      expect(await tab.page.locator('h1').textContent()).toBe('Sign in');
      expect(await tab.page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');
      const assets = responses.filter((r) => r.url.includes('/static/'));
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const r of responses) {
        expect(r.url.startsWith(`${nginx.origin}/chat/`), r.url).toBe(true);
        expect(r.status, r.url).toBeLessThan(400);
      }
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('a signed-in visitor gets the shell through the proxy, JavaScript off', async () => {
    const token = await signedInToken(live);
    const tab = await openTab(browser, proxied(), { token, javaScript: false });
    try {
      const res = await tab.page.goto(`${nginx.origin}/chat/`);
      expect(res?.status()).toBe(200);
      expect(await tab.page.locator('h1').textContent()).toBe('New chat');
      expect(await tab.page.getByRole('link', { name: 'New chat' }).getAttribute('href')).toBe('/chat/');
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('cookies are scoped to /chat and not Secure over plain HTTP', async () => {
    const tab = await openTab(browser, proxied());
    try {
      await tab.page.goto(`${nginx.origin}/chat/login`);
      const cookies = await tab.context.cookies();
      expect(cookies.length).toBeGreaterThan(0);
      for (const c of cookies) {
        expect(c.path, c.name).toBe('/chat');
        expect(c.secure, c.name).toBe(false);
      }
    } finally { await tab.close(); }
  });

  it('X-Forwarded-Proto: https from nginx marks cookies Secure', async () => {
    const res = await fetch(`${nginx.httpsOrigin}/chat/login`);
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) {
      expect(c).toMatch(/; Path=\/chat;/);
      expect(c).toMatch(/; Secure/);
    }
  });

  it('sends /chat to /chat/, redirects plain HTTP to HTTPS, and compresses styles and scripts', async () => {
    const bare = await fetch(`${nginx.origin}/chat`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(new URL(bare.headers.get('location')!, nginx.origin).pathname).toBe('/chat/');
    const http = await fetch(`${nginx.redirectOrigin}/chat/login`, { redirect: 'manual' });
    expect(http.status).toBe(301);
    expect(http.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1\/chat\/login$/);
    const html = await (await fetch(`${nginx.origin}/chat/login`)).text();
    for (const href of html.match(/\/chat\/static\/[^"]+\.(?:css|js)/g) ?? []) {
      const res = await fetch(nginx.origin + href, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.status, href).toBe(200);
      if (Number(res.headers.get('content-length') ?? 2000) > 1024) expect(res.headers.get('content-encoding'), href).toBe('gzip');
      expect(res.headers.get('cache-control'), href).toMatch(/immutable/);
    }
  });

  it('accepts a 100,000-character message body (client_max_body_size)', async () => {
    // The worst case: 100,000 four-byte characters, each byte percent-encoded (1.2 MB). Nothing takes this POST
    // yet, so the app parses it and refuses it for lacking a CSRF token (403); nginx must not answer 413 first.
    const body = new URLSearchParams({ content: '😀'.repeat(100_000) }).toString();
    expect(body.length).toBeGreaterThan(1_200_000);
    const res = await fetch(`${nginx.origin}/chat/login`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/form has expired/);
  });

  // The web app manifest (issue 10): installable from the sub-path too.
  it('is linked from the page, served as a manifest with /chat/ URLs, and its icons load', async () => {
    const tab = await openTab(browser, proxied());
    try {
      const { page } = tab;
      await page.goto(`${nginx.origin}/chat/login`);
      const href = await page.locator('link[rel=manifest]').getAttribute('href');
      expect(href).toBe('/chat/manifest.webmanifest');
      const res = await page.request.get(`${nginx.origin}${href}`);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toMatch(/^application\/manifest\+json/);
      const m = await res.json();
      expect([m.start_url, m.scope, m.display]).toEqual(['/chat/', '/chat/', 'standalone']);
      for (const icon of m.icons) {
        const got = await page.request.get(`${nginx.origin}${icon.src}`);
        expect(got.status(), icon.src).toBe(200);
        expect(got.headers()['content-type']).toBe(icon.type);
      }
      // Chromium's own reading of it (what "Install app" uses): no errors, the icons and start URL resolved.
      const cdp = await tab.context.newCDPSession(page);
      const app = await cdp.send('Page.getAppManifest') as { url: string; errors: unknown[]; data?: string };
      expect(app.url).toBe(`${nginx.origin}/chat/manifest.webmanifest`);
      expect(app.errors).toEqual([]);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
