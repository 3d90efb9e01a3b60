// Share links in Chromium, JavaScript on and off, phone and desktop: the owner shares from the thread header, a
// stranger reads the link in a fresh signed-out context, another signed-in user continues it in their account, the
// owner revokes it from Account and the link is 404. Then "New chat from here", the share page's look in dark, and
// one run under /chat/ through docs/deploy/nginx.conf.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import type { Generations } from '../../src/features/chat/generation.ts';
import { launchBrowser, openTab, saveScreenshot, startLiveApp, type LiveApp } from '../support/browser.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { oneExchange } from './data.ts';
import { sharedRichThread } from './pages.ts';
import { describeInBrowser, expectNoProblems, useBrowserAndApp } from './suite.ts';

const where = (phone: boolean) => (phone ? 'phone' : 'desktop');
const NOT_FOUND = [/^404 /, /status of 404/];

async function newUser(live: Pick<LiveApp, 'db'>): Promise<{ id: number; token: string }> {
  const user = await createUser(live.db, { email: `shr-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Sharer' });
  return { id: user.id, token: await issueToken(live.db, user.id, { ttlDays: 1 }) };
}

/** Shares the open thread from its header's Share menu; returns the link shown (in the menu, or on its own page without JS). */
async function shareFromHeader(page: Page, javaScript: boolean): Promise<string> {
  await page.locator('#share-menu > summary').click();
  await page.getByLabel('New read-only link, expires').selectOption('7');
  await page.getByRole('button', { name: 'Create link' }).click();
  if (!javaScript) await expect.poll(() => page.locator('h1').textContent()).toBe('Link created');
  await page.locator('#share-link').waitFor();
  return page.locator('#share-link').inputValue();
}

describeInBrowser('share links', {}, () => {
  const f = useBrowserAndApp();

  for (const javaScript of [true, false]) {
    for (const phone of [false, true]) {
      it(`${where(phone)}, JavaScript ${javaScript ? 'on' : 'off'}: share from the header, read signed out, continue as another user, revoke from Account`, async () => {
        const owner = await newUser(f.live);
        const { path } = await oneExchange(f.live.db, owner.id, 'Where do herons nest?', 'In **colonies**, high in trees.');
        const look = { javaScript, phone };
        const ownerTab = await openTab(f.browser, f.live, { ...look, token: owner.token });
        const stranger = await openTab(f.browser, f.live, look);
        const reader = await openTab(f.browser, f.live, { ...look, token: (await newUser(f.live)).token });
        try {
          await ownerTab.page.goto(f.live.pageUrl(path));
          const link = await shareFromHeader(ownerTab.page, javaScript);
          expect(link).toMatch(new RegExp(`^${f.live.origin}/s/[A-Za-z0-9_-]{43}$`));
          await saveScreenshot(ownerTab.page, `share-${javaScript ? 'menu' : 'created-nojs'}-${where(phone)}`);
          await ownerTab.page.goto(f.live.pageUrl(path));
          await expect.poll(() => ownerTab.page.locator('#share-menu > summary').textContent()).toMatch(/Shared/);

          const res = await stranger.page.goto(link);
          expect(res?.status()).toBe(200);
          expect(await stranger.page.locator('h1').textContent()).toBe('Where do herons nest?');
          expect(await stranger.page.locator('.msg-assistant .md strong').textContent()).toBe('colonies');
          expect(await stranger.page.locator('.sidebar, form').count()).toBe(0);
          expect(await stranger.page.locator('meta[name=robots]').getAttribute('content')).toBe('noindex');
          expect(res?.headers()['referrer-policy']).toBe('no-referrer');

          await reader.page.goto(link);
          await reader.page.getByRole('button', { name: 'Continue in my account' }).click();
          await reader.page.waitForURL(/\/threads\/[A-Za-z0-9_-]+/);
          await expect.poll(() => reader.page.locator('.msg-user .msg-body').allInnerTexts()).toEqual(['Where do herons nest?']);
          expect(await reader.page.locator('.msg-assistant .md').innerText()).toBe('In colonies, high in trees.');

          await ownerTab.page.goto(f.live.pageUrl('/account'));
          await ownerTab.page.locator('#account-shares').getByRole('button', { name: /^Revoke the link to Where do herons nest\?/ }).click();
          await expect.poll(() => ownerTab.page.locator('#account-shares').innerText()).toContain('No open links.');
          expect((await stranger.page.goto(link))?.status()).toBe(404);
          for (const tab of [ownerTab, reader]) expectNoProblems(tab);
          expectNoProblems(stranger, NOT_FOUND);
        } finally {
          await Promise.all([ownerTab.close(), stranger.close(), reader.close()]);
        }
      });
    }

    it(`JavaScript ${javaScript ? 'on' : 'off'}: "New chat from here" on an answer opens a new chat that ends there`, async () => {
      const owner = await newUser(f.live);
      const { path, a } = await oneExchange(f.live.db, owner.id, 'Name a bird', 'A wren.');
      const tab = await openTab(f.browser, f.live, { javaScript, token: owner.token });
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl(path));
        const from = page.url();
        await page.locator(`#m-${a}`).getByRole('link', { name: 'New chat from here' }).click();
        if (!javaScript) {
          expect(await page.locator('h1').textContent()).toBe('New chat from here');
          await page.getByRole('button', { name: 'Start the new chat' }).click();
        }
        await expect.poll(() => page.url()).not.toBe(from);
        expect(page.url()).toMatch(/\/threads\/[A-Za-z0-9_-]+#latest$/);
        await expect.poll(() => page.locator('.msg-assistant .md').allInnerTexts()).toEqual(['A wren.']);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  describe('look', () => {
    for (const phone of [false, true]) {
      it(`${where(phone)}: the share page in dark, signed out`, async () => {
        const owner = await newUser(f.live);
        const tab = await openTab(f.browser, f.live, { phone, colorScheme: 'dark' });
        try {
          await tab.page.goto(f.live.pageUrl(await sharedRichThread(f.live.db, owner.id)));
          const bg = await tab.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          expect(bg).not.toBe('rgb(255, 255, 255)');
          // The column fits the screen: nothing overflows sideways but the code block's own scroller.
          expect(await tab.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
          await saveScreenshot(tab.page, `share-${where(phone)}-dark`);
          expectNoProblems(tab);
        } finally { await tab.close(); }
      });
    }
  });
});

describeInBrowser('share links under /chat/ through nginx', { nginx: true }, () => {
  let browser: Browser;
  let live: LiveApp;
  let nginx: RunningNginx;
  beforeAll(async () => {
    [browser, live] = await Promise.all([launchBrowser(), startLiveApp({ BASE_PATH: '/chat', TRUST_PROXY: 'loopback' })]);
    nginx = await startNginx(Number(new URL(live.origin).port));
    // A deployment sets PUBLIC_URL (docs/deploy/README.md): links name the address people use. The proxy here is on
    // a random port, which its Host header ($host) does not carry, so the test sets it once the port is known.
    (live.config as { publicUrl?: string }).publicUrl = `${nginx.origin}/chat`;
  });
  afterAll(async () => {
    await browser?.close();
    await nginx?.stop();
    await (live?.app.locals.generations as Generations | undefined)?.shutdown();
    await live?.close();
  });

  it('the link is under /chat/ on the proxy\'s origin, and a stranger reads it there', async () => {
    const owner = await newUser(live);
    const { path } = await oneExchange(live.db, owner.id, 'Proxied share?', 'Yes, proxied.');
    const ownerTab = await openTab(browser, { origin: nginx.origin, config: live.config }, { token: owner.token });
    const stranger = await openTab(browser, { origin: nginx.origin, config: live.config }, {});
    const requests: string[] = [];
    ownerTab.page.on('request', (r) => requests.push(r.url()));
    stranger.page.on('request', (r) => requests.push(r.url()));
    try {
      await ownerTab.page.goto(`${nginx.origin}/chat${path}`);
      const link = await shareFromHeader(ownerTab.page, true);
      expect(link).toMatch(new RegExp(`^${nginx.origin}/chat/s/[A-Za-z0-9_-]{43}$`));
      expect((await stranger.page.goto(link))?.status()).toBe(200);
      expect(await stranger.page.locator('.msg-assistant .md').innerText()).toBe('Yes, proxied.');
      for (const u of requests) expect(u.startsWith(`${nginx.origin}/chat/`), u).toBe(true);
      expectNoProblems(ownerTab);
      expectNoProblems(stranger);
    } finally { await Promise.all([ownerTab.close(), stranger.close()]); }
  });
});
