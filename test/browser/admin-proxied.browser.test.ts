// The administration, usage, search and list pages under /chat through the docs' nginx (issues 15 and 16): every
// link and form stays under /chat, the pages' own stylesheets (manage.css, lists.css: a <link> in the page's body)
// load through the proxy and apply, with JavaScript on (htmx swaps) and off (plain forms).
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { launchBrowser, openTab, startLiveApp, type LiveApp } from '../support/browser.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { describeInBrowser, expectNoProblems } from './suite.ts';

const display = (page: Page, selector: string) => page.locator(selector).first().evaluate((e) => getComputedStyle(e).display);
/** Every same-site link and form action on the page, as paths: all must be under /chat. */
const paths = (page: Page, origin: string) => page.evaluate((o) => [
  ...[...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
  ...[...document.querySelectorAll('form')].map((f) => (f as HTMLFormElement).action),
  ...[...document.querySelectorAll('link[rel=stylesheet]')].map((l) => (l as HTMLLinkElement).href),
].filter((u) => u.startsWith(o)).map((u) => new URL(u).pathname), origin);

describeInBrowser('administration, usage, search and lists under /chat through nginx', { nginx: true }, () => {
  let browser: Browser;
  let live: LiveApp;
  let nginx: RunningNginx;
  let token = '';
  let adaId = 0;
  beforeAll(async () => {
    [browser, live] = await Promise.all([launchBrowser(), startLiveApp({ BASE_PATH: '/chat', TRUST_PROXY: 'loopback', ADMIN_EMAILS: 'boss@example.com', MONTHLY_TOKEN_QUOTA: '5000' })]);
    nginx = await startNginx(Number(new URL(live.origin).port));
    const boss = await createUser(live.db, { email: 'boss@example.com', name: 'The Boss', emailVerified: true });
    token = await issueToken(live.db, boss.id, { ttlDays: 1 });
    adaId = (await createUser(live.db, { email: 'ada@example.com', name: 'Ada Lovelace' })).id;
  });
  afterAll(async () => { await browser?.close(); await nginx?.stop(); await live?.close(); });

  for (const javaScript of [true, false]) {
    it(`admin users, usage and a quota, search and select, JavaScript ${javaScript ? 'on' : 'off'}`, async () => {
      const tab = await openTab(browser, { origin: nginx.origin, config: live.config }, { token, javaScript });
      try {
        const { page } = tab;
        await page.goto(`${nginx.origin}/chat/`);
        await page.getByRole('link', { name: 'Administration' }).click();
        await page.waitForURL(`${nginx.origin}/chat/admin/users`);
        // manage.css came through the proxy (from the page's body) and applies: the tabs are a flex row.
        expect(await display(page, '.admin-nav')).toBe('flex');
        for (const p of await paths(page, nginx.origin)) expect(p, p).toMatch(/^\/chat(\/|$)/);
        const ada = page.locator('li.admin-user', { hasText: 'ada@example.com' });
        await ada.getByRole('button', { name: /^Disable/ }).click();
        await expect.poll(() => ada.locator('.badge-warn').count()).toBe(1);
        expect((await live.db('users').where({ id: adaId }).first()).disabled_at).not.toBeNull();
        await ada.getByRole('button', { name: /^Enable/ }).click();
        await expect.poll(() => ada.locator('.badge-warn').count()).toBe(0);

        await page.getByRole('link', { name: 'Usage' }).click();
        await page.waitForURL(/\/chat\/admin\/usage/);
        expect(await page.getByRole('link', { name: /CSV/ }).getAttribute('href')).toMatch(/^\/chat\/admin\/usage\.csv\?month=\d{4}-\d{2}$/);
        await page.goto(`${nginx.origin}/chat/admin/users/${adaId}/quota`);
        await page.getByLabel('This many tokens a month:').check();
        await page.locator('#quota-tokens').fill('1234');
        await page.getByRole('button', { name: 'Save quota' }).click();
        // The answer is the quota page again with a flash: wait for it, or the next goto aborts the form's navigation.
        await page.getByText('The quota of ada@example.com is now 1,234').waitFor();
        await expect.poll(async () => (await live.db('users').where({ id: adaId }).first()).monthly_token_quota).toBe(1234);
        expect(new URL(page.url()).pathname).toMatch(/^\/chat\/admin\//);

        // Search and the list's select mode: lists.css through the proxy; the results stay under /chat.
        await page.goto(`${nginx.origin}/chat/search?q=nothing-like-this`);
        expect(await display(page, '.search-row')).toBe('flex');
        for (const p of await paths(page, nginx.origin)) expect(p, p).toMatch(/^\/chat(\/|$)/);
        await page.goto(`${nginx.origin}/chat/threads?select=1`);
        expect(await page.locator('link[rel=stylesheet][href*="/chat/static/css/lists-"]').count()).toBe(1);
        expectNoProblems(tab);
      } finally {
        await tab.close();
      }
    });
  }
});
