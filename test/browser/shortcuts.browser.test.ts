// Keyboard shortcuts (issue 15) in real Chromium: each one works, none fires while typing in another field, the "?"
// dialog opens and Esc closes it, and the list is a plain page without JavaScript.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openTab, signedInToken } from '../support/browser.ts';
import { lastStatus, send, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

describeInBrowser('keyboard shortcuts', {}, () => {
  const f = useChatApp();
  const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

  it('/, ?, Esc, Ctrl+Alt+N, Ctrl+K, Ctrl+Shift+C and Esc-to-stop; none while typing in another field', async () => {
    const tab = await openTab(f.browser, f.live, { token: await signedInToken(f.live), extra: { permissions: ['clipboard-read', 'clipboard-write'] } });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      f.fake.enqueue({ tokens: ['The ', 'first ', 'answer.'] });
      await send(page, 'Hello');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      const threadUrl = page.url();

      // "/" focuses the composer.
      await page.locator('h1').first().click();
      await page.keyboard.press('/');
      await expect.poll(() => focusedId(page)).toBe('content');
      expect(await page.locator('#content').inputValue()).toBe('');

      // "?" opens the list in a dialog; Esc closes it.
      await page.locator('h1').first().click();
      await page.keyboard.press('Shift+?');
      const dialog = page.locator('dialog.shortcuts-dialog');
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.innerText()).toContain('Copy the last answer');
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.isVisible()).toBe(false);

      // Typing in another field (the Rename box): the keys are typed, nothing fires.
      await page.locator('details.menu summary', { hasText: 'Rename' }).click();
      const title = page.locator('#title');
      await title.fill('');
      await title.type('a/b?');
      await page.keyboard.press('Control+Alt+KeyN');
      await page.keyboard.press('Control+k');
      expect(await title.inputValue()).toBe('a/b?');
      expect(await focusedId(page)).toBe('title');
      expect(page.url()).toBe(threadUrl);
      expect(await dialog.isVisible()).toBe(false);
      await page.keyboard.press('Escape');

      // Ctrl+Shift+C copies the last answer (through its Copy button).
      await page.locator('h1').first().click();
      await page.keyboard.press('Control+Shift+KeyC');
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('The first answer.');

      // Ctrl+K focuses the sidebar's search box (issue 15's, on every page with the sidebar), else opens /search.
      await page.locator('h1').first().click();
      await page.keyboard.press('Control+k');
      await expect.poll(() => focusedId(page)).toBe('sidebar-search');
      // (and in the search box itself, Ctrl+K is left alone: it is another field). Without the box: the search page.
      await page.evaluate(() => document.getElementById('sidebar-search')!.closest('form')!.remove());
      await page.locator('h1').first().click();
      await page.keyboard.press('Control+Alt+KeyF');
      await page.waitForURL(/\/search$/);

      // Ctrl+Alt+N: a new chat.
      await page.goto(threadUrl);
      await page.locator('h1').first().click();
      await page.keyboard.press('Control+Alt+KeyN');
      await page.waitForURL(f.live.pageUrl('/'));

      // Esc in the empty composer stops the answer being written; with text in it, it does nothing.
      await page.goto(threadUrl);
      f.fake.enqueue({ tokens: Array.from({ length: 60 }, (_, i) => `w${i} `), tokenDelayMs: 150 });
      await send(page, 'Write slowly');
      await expect.poll(() => lastStatus(page)).toBe('live');
      const box = page.locator('#content');
      await box.fill('draft');
      await box.press('Escape');
      await page.waitForTimeout(400);
      expect(await lastStatus(page)).toBe('live');
      await box.fill('');
      const stopped = page.waitForResponse((r) => r.request().method() === 'POST' && /\/stop$/.test(new URL(r.url()).pathname));
      await box.press('Escape');
      expect((await stopped).status()).toBe(200);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('stopped');
      // /search is the search feature's page (another branch): a 404 here until it is merged.
      expectNoProblems(tab, [SSE_CLOSED, /^404 \S+\/search$/, /404 \(Not Found\)/]);
    } finally { await tab.close(); }
  });

  it('the first keys typed in the composer are typed, not taken as shortcuts (keys.js loads meanwhile)', async () => {
    const tab = await openTab(f.browser, f.live, { token: await signedInToken(f.live) });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await page.locator('#content').click();
      await page.keyboard.type('a/b?');
      expect(await page.locator('#content').inputValue()).toBe('a/b?');
      await expect.poll(() => page.evaluate(() => typeof (window as unknown as { mcKeys?: unknown }).mcKeys)).toBe('function');
      expect(await page.locator('dialog').count()).toBe(0);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('without JavaScript the shortcuts are a page linked from the sidebar', async () => {
    const tab = await openTab(f.browser, f.live, { javaScript: false, token: await signedInToken(f.live) });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await page.getByRole('link', { name: 'Shortcuts' }).click();
      await page.waitForURL(/\/shortcuts$/);
      expect(await page.locator('h2').first().innerText()).toBe('Keyboard shortcuts');
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
