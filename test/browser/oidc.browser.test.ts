// Single sign-on in a real browser: the button on /login, the real provider's login page (oidc-provider on
// loopback), and back signed in; with JavaScript on and off, directly and under /chat through the docs' nginx.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, openTab, startLiveApp, type LiveApp } from '../support/browser.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { OIDC_CLIENT, startOidcProvider, type TestProvider } from '../support/oidc-provider.ts';
import { describeInBrowser, expectNoProblems } from './suite.ts';

const LABEL = 'Sign in with Test SSO';
// The provider's own pages have no favicon; that 404 is the browser's, not ours.
const PROVIDER_NOISE = [/^404 http:\/\/127\.0\.0\.1:\d+\/favicon\.ico$/, /status of 404/];

async function throughProvider(browser: Browser, live: { origin: string; config: { basePath: string } }, base: string, account: string, javaScript: boolean) {
  const tab = await openTab(browser, live, { javaScript });
  const { page } = tab;
  await page.goto(`${base}/login`);
  await page.getByRole('link', { name: LABEL }).click();
  await page.waitForURL(/\/interaction\//);
  expect(await page.locator('h1').textContent()).toBe('Test provider sign-in');
  await page.getByLabel('Account').fill(account);
  await page.getByRole('button', { name: 'Sign in at the provider' }).click();
  await page.waitForURL(`${base}/`);
  expect(await page.locator('h1').textContent()).toBe('New chat');
  return tab;
}

describeInBrowser('single sign-on (OpenID Connect) in a browser', {}, () => {
  let browser: Browser;
  let op: TestProvider;
  let live: LiveApp;
  beforeAll(async () => {
    // The provider is built on its first request, once the app's address (its redirect URI) is known.
    op = await startOidcProvider({ redirectUris: () => [`${live.origin}/auth/oidc/callback`] });
    [browser, live] = await Promise.all([launchBrowser(), startLiveApp({ OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, OIDC_BUTTON_LABEL: LABEL })]);
  });
  afterAll(async () => { await browser?.close(); await live?.close(); await op?.stop(); });

  for (const javaScript of [true, false]) {
    it(`clicks the button on /login, signs in at the provider and lands signed in (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const account = `sso-${javaScript ? 'js' : 'nojs'}`;
      op.accounts.set(account, { email: `${account}@example.com`, email_verified: true, name: `SSO ${javaScript ? 'JS' : 'NoJS'}` });
      const tab = await throughProvider(browser, live, live.baseUrl, account, javaScript);
      try {
        const nav = tab.page.getByRole('navigation', { name: 'Conversations' });
        expect(await nav.getByRole('link', { name: `SSO ${javaScript ? 'JS' : 'NoJS'}` }).count()).toBe(1);
        expect((await tab.context.cookies(live.origin)).some((c) => c.name === 'access_token' && c.httpOnly)).toBe(true);
        expectNoProblems(tab, PROVIDER_NOISE);
      } finally { await tab.close(); }
    });
  }

  it('an unverified email comes back to a page that says why', async () => {
    op.accounts.set('unverified', { email: 'unverified@example.com', email_verified: false });
    const tab = await openTab(browser, live, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(live.pageUrl('/login'));
      await page.getByRole('link', { name: LABEL }).click();
      await page.getByLabel('Account').fill('unverified');
      await page.getByRole('button', { name: 'Sign in at the provider' }).click();
      await page.waitForURL(/\/auth\/oidc\/callback/);
      expect(await page.getByRole('alert').textContent()).toContain('is not verified at the single sign-on provider');
      expect(await page.getByRole('link', { name: LABEL }).count()).toBe(1);
    } finally { await tab.close(); }
  });
});

describeInBrowser('single sign-on under /chat through nginx', { nginx: true }, () => {
  let browser: Browser;
  let op: TestProvider;
  let live: LiveApp;
  let nginx: RunningNginx;
  beforeAll(async () => {
    op = await startOidcProvider({ redirectUris: () => [`${nginx.origin}/chat/auth/oidc/callback`] });
    [browser, live] = await Promise.all([launchBrowser(), startLiveApp({ BASE_PATH: '/chat', TRUST_PROXY: 'loopback', OIDC_ISSUER: op.issuer, ...OIDC_CLIENT, OIDC_BUTTON_LABEL: LABEL })]);
    nginx = await startNginx(Number(new URL(live.origin).port));
    // The docs' nginx passes Host without its (test-only, random) port, as on 443 in production, where PUBLIC_URL
    // names the site. nginx's address is known only now; the app reads PUBLIC_URL per request.
    (live.config as { publicUrl?: string }).publicUrl = `${nginx.origin}/chat`;
  });
  afterAll(async () => { await browser?.close(); await nginx?.stop(); await live?.close(); await op?.stop(); });

  for (const javaScript of [true, false]) {
    it(`signs in through the proxy and lands on /chat/ (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const account = `proxied-${javaScript ? 'js' : 'nojs'}`;
      op.accounts.set(account, { email: `${account}@example.com`, email_verified: true, name: 'Proxied SSO' });
      const tab = await throughProvider(browser, { origin: nginx.origin, config: live.config }, `${nginx.origin}/chat`, account, javaScript);
      try {
        const cookie = (await tab.context.cookies(`${nginx.origin}/chat/`)).find((c) => c.name === 'access_token');
        expect(cookie?.path).toBe('/chat');
        expectNoProblems(tab, PROVIDER_NOISE);
      } finally { await tab.close(); }
    });
  }
});
