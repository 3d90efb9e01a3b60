// Everything a text user needs with JavaScript OFF: register, sign in, send, read the whole answer as the page
// refreshes itself (never calling reload here), stop, rename, delete, settings. Plain forms and a <noscript> refresh.
import { expect, it } from 'vitest';
import { openTab } from '../support/browser.ts';
import { register, signIn, signOut } from './flows.ts';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

describeInBrowser('JavaScript off', {}, () => {
  const f = useChatApp();
  const base = (p: string) => f.live.pageUrl(p);

  it('register and sign in with plain forms', async () => {
    const tab = await openTab(f.browser, f.live, { javaScript: false });
    const who = { name: 'Noscript Nell', email: `nell-${Date.now()}@example.com`, password: 'no scripts here' };
    try {
      const { page } = tab;
      await register(page, base, who);
      await page.waitForURL(base('/'));
      expect(await page.locator('h1').textContent()).toBe('New chat');
      await signOut(page, base);
      await page.waitForURL(base('/login'));
      await signIn(page, base, who);
      await page.waitForURL(base('/'));
      expect(await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Noscript Nell' }).count()).toBe(1);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('send by the form, then read the whole answer as the page refreshes itself', async () => {
    const tokens = Array.from({ length: 10 }, (_, i) => `${i ? ' ' : ''}slow${i}`);
    f.fake.enqueue({ tokens, tokenDelayMs: 400 });
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      const loads: string[] = [];
      page.on('load', () => loads.push(page.url()));
      await page.goto(base('/'));
      await page.getByLabel('Message', { exact: true }).fill('Take your time');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\//);
      // The first view is unfinished: a live status, a Stop button, and a refresh waiting in <noscript>.
      const first = page.locator('.msg-assistant').last();
      expect(['pending', 'streaming']).toContain(await first.getAttribute('data-status'));
      expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(1);
      // <noscript> content parses as elements only when scripting is really off.
      expect(await page.locator('noscript meta[http-equiv="refresh"]').count()).toBe(1);
      const loadsAtFirstView = loads.length;
      const status = () => page.locator('.msg-assistant').last().getAttribute('data-status', { timeout: 1000 }).catch(() => null);
      await expect.poll(status, { timeout: 20_000, interval: 250 }).toBe('complete');
      const text = (await page.locator('.msg-assistant').last().locator('.md').textContent())?.replace(/\s+/g, ' ').trim();
      expect(text).toBe(tokens.join(''));
      // The page reloaded itself (fresh ?live= URLs), and the final view no longer refreshes.
      expect(loads.length - loadsAtFirstView).toBeGreaterThanOrEqual(1);
      expect(loads.slice(loadsAtFirstView).every((u) => /[?&]live=\d+/.test(u))).toBe(true);
      expect(await page.locator('noscript').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('Stop is a plain form: it ends a running answer, keeps the partial text, and the page stops refreshing', async () => {
    f.fake.enqueue({ tokens: ['Partial', ' answer'], tokenDelayMs: 50, hang: true });
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/'));
      await page.getByLabel('Message', { exact: true }).fill('Talk forever, no scripts');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\//);
      const threadPath = new URL(page.url()).pathname;
      const shown = () => page.locator('.msg-assistant').last().evaluate((el) =>
        `${el.querySelector('.md')?.textContent ?? ''}${el.querySelector('.tail')?.textContent ?? ''}`.trim(), undefined, { timeout: 1000 }).catch(() => null);
      // The self-refreshing page catches up with the partial answer; the answer is still running.
      await expect.poll(shown, { timeout: 15_000, interval: 250 }).toBe('Partial answer');
      const aborted = f.fake.aborted;
      // The page reloads itself every two seconds: press Stop on whichever copy of it is showing.
      const status = () => page.locator('.msg-assistant').last().getAttribute('data-status', { timeout: 1000 }).catch(() => null);
      await expect.poll(async () => {
        const now = await status();
        if (now !== 'stopped') await page.getByRole('button', { name: 'Stop' }).click({ timeout: 1000 }).catch(() => {});
        return now;
      }, { timeout: 15_000, interval: 500 }).toBe('stopped');
      expect(new URL(page.url()).pathname).toBe(threadPath);
      await expect.poll(() => f.fake.aborted).toBeGreaterThan(aborted);
      expect(await page.locator('.msg-assistant .msg-status').last().textContent()).toBe('Stopped.');
      expect(await shown()).toBe('Partial answer');
      expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
      // Final: no refresh any more, and the page stays as it is.
      expect(await page.locator('noscript').count()).toBe(0);
      const url = page.url();
      await page.waitForTimeout(2500);
      expect(page.url()).toBe(url);
      // Copy buttons need the script: without it they are not shown at all.
      expect(await page.locator('button.copy').count()).toBeGreaterThan(0);
      expect(await page.locator('button.copy:visible').count()).toBe(0);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('rename and delete through the header menus', async () => {
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/'));
      await page.getByLabel('Message', { exact: true }).fill('Rename me then delete me');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\//);
      const threadPath = new URL(page.url()).pathname;
      await page.locator('#thread-head summary', { hasText: 'Rename' }).click();
      await page.getByLabel('Title', { exact: true }).fill('Renamed without scripts');
      await page.locator('#thread-head').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('h1').textContent().catch(() => null)).toBe('Renamed without scripts');
      expect(new URL(page.url()).pathname).toBe(threadPath);
      expect(await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Renamed without scripts' }).count()).toBe(1);

      await page.locator('#thread-head summary', { hasText: 'Delete' }).click();
      await page.getByRole('button', { name: 'Delete for good' }).click();
      await page.waitForURL((u) => !u.pathname.includes('/threads/'));
      expect(await page.getByRole('link', { name: 'Renamed without scripts' }).count()).toBe(0);
      expect((await page.goto(base(threadPath)))?.status()).toBe(404);
      expectNoProblems(tab, [/^404 /, /status of 404/]);
    } finally { await tab.close(); }
  });

  it('settings: save defaults and add a model to the fast list', async () => {
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/settings'));
      await page.getByLabel('Default model').selectOption('mistral-large-latest');
      await page.getByLabel('Default context (system prompt)').fill('Be brief.');
      // The form posts and the answer sends the browser back to /settings: wait for that new page, not the old one.
      const reloaded = page.waitForEvent('load');
      await page.getByRole('button', { name: 'Save defaults' }).click();
      await reloaded;
      expect(new URL(page.url()).pathname).toBe('/settings');
      expect(await page.getByLabel('Default model').inputValue()).toBe('mistral-large-latest');
      expect(await page.getByLabel('Default context (system prompt)').inputValue()).toBe('Be brief.');
      await page.locator('#model-open-mistral-7b').getByRole('button', { name: '☆ Add to fast list' }).click();
      await expect.poll(() => page.locator('#model-open-mistral-7b button').getAttribute('aria-pressed').catch(() => null)).toBe('true');
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
