// Paging by scrolling, in real Chromium: the thread list loads its next page when its end scrolls into view inside
// the sidebar's own scroll area (phone and desktop), and a long thread opens at its latest 50 messages, loads the
// previous 50 only when the reader scrolls to the top, and keeps the reader's place. With JavaScript off the
// "More" and "Show older messages" links do the same by navigation.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { openTab, type Look } from '../support/browser.ts';
import { longConversation, manyThreads } from './data.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

describeInBrowser('paging by scrolling', {}, () => {
  const f = useChatApp();

  async function userTab(look: Look) {
    const user = await createUser(f.live.db, { email: `scroll-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Scroller' });
    const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    return { userId: user.id, tab: await openTab(f.browser, f.live, { ...look, token }) };
  }

  const sidebarLinks = (page: Page) => page.locator('#thread-list .threads a');
  /** Scrolls the sidebar's own scroll area to its end, as a finger or a wheel would. */
  const scrollSidebarToEnd = (page: Page) => page.locator('#thread-list').evaluate((el) => { el.scrollTop = el.scrollHeight; });

  for (const phone of [true, false]) {
    it(`${phone ? 'phone (360x640)' : 'desktop'}: scrolling the sidebar to its end loads the next threads, page by page`, async () => {
      const { userId, tab } = await userTab({ phone, reducedMotion: 'reduce' });
      try {
        const { titles, paths } = await manyThreads(f.live.db, userId, 70);
        const { page } = tab;
        const nextPages: string[] = [];
        page.on('request', (r) => { if (/\/threads\?cursor=/.test(r.url())) nextPages.push(r.url()); });
        // A (short) thread page: the sidebar is the only list on it.
        await page.goto(f.live.pageUrl(paths[0]));
        if (phone) await page.getByText('Show conversations').locator('..').tap();
        const list = page.locator('#thread-list');
        // The list is its own scroll area, shorter than its content: the window does not scroll it.
        const box = await list.evaluate((el) => ({ overflow: getComputedStyle(el).overflowY, client: el.clientHeight, scroll: el.scrollHeight }));
        expect(['auto', 'scroll']).toContain(box.overflow);
        expect(box.scroll).toBeGreaterThan(box.client);
        expect(await sidebarLinks(page).count()).toBe(30);
        // Nothing more loads before the end of the list is in view.
        await page.waitForTimeout(1000);
        expect(nextPages).toEqual([]);
        await scrollSidebarToEnd(page);
        await expect.poll(() => sidebarLinks(page).count(), { timeout: 10_000 }).toBe(60);
        await scrollSidebarToEnd(page);
        await expect.poll(() => sidebarLinks(page).count(), { timeout: 10_000 }).toBe(70);
        expect(await sidebarLinks(page).allTextContents()).toEqual(titles);
        expect(nextPages).toHaveLength(2);
        expect(await page.locator('#thread-list .more').count()).toBe(0);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  it('JavaScript off: the "More" link at the end of the list opens the next threads', async () => {
    const { userId, tab } = await userTab({ javaScript: false, phone: true });
    try {
      const { titles } = await manyThreads(f.live.db, userId, 70);
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await page.getByText('Show conversations').locator('..').tap();
      expect(await sidebarLinks(page).allTextContents()).toEqual(titles.slice(0, 30));
      await scrollSidebarToEnd(page);
      await page.locator('#thread-list .more').getByRole('link', { name: 'More' }).tap();
      await page.waitForURL(/\/threads\?cursor=/);
      expect(await page.locator('h1').textContent()).toBe('Conversations');
      expect(await page.locator('main .threads a').allTextContents()).toEqual(titles.slice(30, 60));
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('a 200-message thread opens at the latest 50, loads nothing by itself, and loads older ones on scrolling up, keeping the place', async () => {
    const { userId, tab } = await userTab({});
    try {
      const threadPath = await longConversation(f.live.db, userId, 200);
      const { page } = tab;
      const older: string[] = [];
      page.on('request', (r) => { if (/\/messages\?before=/.test(r.url())) older.push(r.url()); });
      const texts = () => page.locator('#messages .msg .msg-body, #messages .msg .md').allTextContents().then((t) => t.map((s) => s.trim()));
      await page.goto(f.live.pageUrl(threadPath));
      expect(await page.locator('#messages .msg').count()).toBe(50);
      expect((await texts()).at(-1)).toBe('Message 200');
      // Opened at the newest message.
      await expect.poll(() => page.evaluate(() => innerHeight + scrollY >= document.documentElement.scrollHeight - 2)).toBe(true);
      await page.waitForTimeout(2000);
      expect(older, 'no older page may load before the reader scrolls up').toEqual([]);
      expect(await page.locator('#messages .msg').count()).toBe(50);

      for (const [round, expected] of [[1, 100], [2, 150], [3, 200]] as const) {
        const topId = await page.locator('#messages .msg').first().getAttribute('id');
        await page.evaluate(() => window.scrollTo(0, 0));
        await expect.poll(() => page.locator('#messages .msg').count(), { timeout: 10_000 }).toBe(expected);
        expect(older).toHaveLength(round);
        // The message that was at the top is still on screen: the older ones went in above it, out of sight.
        await page.waitForTimeout(300);
        const where = await page.locator(`#${topId}`).evaluate((el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, scrollY, h: innerHeight }; });
        expect(where.scrollY).toBeGreaterThan(0);
        expect(where.top).toBeGreaterThanOrEqual(-1);
        expect(where.bottom).toBeLessThanOrEqual(where.h);
      }
      const all = await texts();
      expect(all).toEqual(Array.from({ length: 200 }, (_, i) => `Message ${i + 1}`));
      expect(await page.locator('#messages .older').count()).toBe(0);
      await page.waitForTimeout(500);
      expect(older).toHaveLength(3);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('JavaScript off: "Show older messages" opens the previous 50', async () => {
    const { userId, tab } = await userTab({ javaScript: false });
    try {
      const threadPath = await longConversation(f.live.db, userId, 200);
      const { page } = tab;
      const texts = () => page.locator('#messages .msg .msg-body, #messages .msg .md').allTextContents().then((t) => t.map((s) => s.trim()));
      await page.goto(f.live.pageUrl(threadPath));
      expect(await texts()).toEqual(Array.from({ length: 50 }, (_, i) => `Message ${i + 151}`));
      await page.getByRole('link', { name: 'Show older messages' }).click();
      await page.waitForURL(/\?before=\d+/);
      expect(await texts()).toEqual(Array.from({ length: 50 }, (_, i) => `Message ${i + 101}`));
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
