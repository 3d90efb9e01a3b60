// Finding one's way in a long thread, in real Chromium: a thread opened from the sidebar shows its latest messages
// and the composer with JavaScript off too (#latest); an older page leads back to newer messages; with JavaScript,
// #latest changes nothing (bottom, no older page loaded until scrolled to), and a "Latest" button brings a reader who
// scrolled up back down.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { openTab, type Look } from '../support/browser.ts';
import { longConversation } from './data.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

describeInBrowser('thread navigation', {}, () => {
  const f = useChatApp();

  async function userTab(look: Look) {
    const user = await createUser(f.live.db, { email: `nav-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Reader' });
    const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    return { userId: user.id, tab: await openTab(f.browser, f.live, { ...look, token }) };
  }

  /** Opens the thread as a person would: from the sidebar on the home page (the drawer on a phone). */
  async function openFromSidebar(page: Page, phone: boolean, title: string) {
    await page.goto(f.live.pageUrl('/'));
    if (phone) await page.getByText('Show conversations').locator('..').tap();
    const link = page.locator('#thread-list').getByRole('link', { name: title });
    if (phone) await link.tap(); else await link.click();
    await page.waitForURL(/\/threads\/[^/?#]+/);
  }

  /** Where a message is: on screen (between the sticky header and the sticky composer or pager) or not. */
  const messageText = (page: Page, text: string) => page.locator('#messages .msg .msg-body, #messages .msg .md').filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) });
  const placeOf = (page: Page, text: string) => messageText(page, text).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const head = document.getElementById('thread-head')!.getBoundingClientRect().bottom;
    const foot = (document.getElementById('composer') ?? document.querySelector('.pager'))!.getBoundingClientRect().top;
    return { scrollY, inView: r.top >= head - 1 && r.bottom <= foot + 1, footInView: foot < innerHeight };
  });
  const lastText = (page: Page) => page.locator('#messages .msg .msg-body, #messages .msg .md').last().innerText().then((t) => t.trim());

  for (const phone of [false, true]) {
    it(`JavaScript off, ${phone ? 'phone' : 'desktop'}: a long thread opened from the sidebar shows its latest message and the composer`, async () => {
      const { userId, tab } = await userTab({ javaScript: false, phone });
      try {
        await longConversation(f.live.db, userId, 200);
        const { page } = tab;
        await openFromSidebar(page, phone, '200 messages');
        expect(await lastText(page)).toBe('Message 200');
        const where = await placeOf(page, 'Message 200');
        expect(where.scrollY).toBeGreaterThan(0);
        expect(where.inView).toBe(true);
        expect(where.footInView).toBe(true);
        expect(await page.getByLabel('Message', { exact: true }).isVisible()).toBe(true);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  it('JavaScript off: an older page opens at its end and leads back to newer and latest messages', async () => {
    const { userId, tab } = await userTab({ javaScript: false, phone: true });
    try {
      await longConversation(f.live.db, userId, 200);
      const { page } = tab;
      await openFromSidebar(page, true, '200 messages');
      await page.getByRole('link', { name: 'Show older messages' }).tap();
      await page.waitForURL(/\?before=\d+#newer$/);
      // The message just before the one the reader was at is in view: reading upwards goes on from there.
      expect(await lastText(page)).toBe('Message 150');
      expect((await placeOf(page, 'Message 150')).inView).toBe(true);
      expect(await page.locator('#thread-head h1').innerText()).toBe('200 messages');
      expect(await page.locator('#composer').count()).toBe(0);
      // Two pages back, then forward again: each "Newer messages" opens at the first message not shown before.
      await page.getByRole('link', { name: 'Show older messages' }).tap();
      await page.waitForURL(/\?before=\d+#newer$/);
      expect(await lastText(page)).toBe('Message 100');
      const pager = page.getByRole('navigation', { name: 'Newer messages' });
      await pager.getByRole('link', { name: 'Newer messages' }).tap();
      await page.waitForURL(/\?before=\d+#m-\d+$/);
      expect((await placeOf(page, 'Message 101')).inView).toBe(true);
      expect(await lastText(page)).toBe('Message 150');
      await pager.getByRole('link', { name: 'Newer messages' }).tap();
      await page.waitForURL((u) => !u.search && /^#m-\d+$/.test(u.hash));
      expect((await placeOf(page, 'Message 151')).inView).toBe(true);
      expect(await lastText(page)).toBe('Message 200');
      expect(await page.locator('#composer').count()).toBe(1);
      // And "Latest messages" goes straight to the end, composer and all.
      await page.getByRole('link', { name: 'Show older messages' }).tap();
      await page.waitForURL(/\?before=/);
      await pager.getByRole('link', { name: 'Latest messages' }).tap();
      await page.waitForURL(/#latest$/);
      const where = await placeOf(page, 'Message 200');
      expect(where.inView).toBe(true);
      expect(where.scrollY).toBeGreaterThan(0);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('JavaScript on: #latest opens at the bottom, loads no older page by itself, and the loader still works', async () => {
    const { userId, tab } = await userTab({});
    try {
      await longConversation(f.live.db, userId, 200);
      const { page } = tab;
      const older: string[] = [];
      page.on('request', (r) => { if (/\/messages\?before=/.test(r.url())) older.push(r.url()); });
      await openFromSidebar(page, false, '200 messages');
      expect(page.url()).toMatch(/#latest$/);
      await expect.poll(() => page.evaluate(() => innerHeight + scrollY >= document.documentElement.scrollHeight - 2)).toBe(true);
      await page.waitForTimeout(2000);
      expect(older).toEqual([]);
      await page.evaluate(() => window.scrollTo(0, 0));
      await expect.poll(() => page.locator('#messages .msg').count(), { timeout: 10_000 }).toBe(100);
      expect(older).toHaveLength(1);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
