// Finding one's way in a long thread, in real Chromium: a thread opened from the sidebar shows its latest messages
// and the composer with JavaScript off too (#latest); an older page leads back to newer messages; with JavaScript,
// #latest changes nothing (bottom, no older page loaded until scrolled to), and a "Latest" button brings a reader who
// scrolled up back down.
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { axeViolations, openTab, saveScreenshot, type Look } from '../support/browser.ts';
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
        await saveScreenshot(page, `long-thread-nojs-${phone ? 'phone' : 'desktop'}`);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  it('JavaScript off: an older page opens at its end and leads back to newer and latest messages', async () => {
    const { userId, tab } = await userTab({ javaScript: false, phone: true });
    try {
      await longConversation(f.live.db, userId, 200);
      const { page } = tab;
      /** Taps a link and waits for the page it opens (another URL, loaded). */
      const follow = async (name: string, url: RegExp) => {
        const from = page.url();
        await page.getByRole('link', { name, exact: true }).tap();
        await page.waitForURL((u) => u.href !== from && url.test(u.href));
      };
      await openFromSidebar(page, true, '200 messages');
      await follow('Show older messages', /\?before=\d+#newer$/);
      // The message just before the one the reader was at is in view: reading upwards goes on from there.
      expect(await lastText(page)).toBe('Message 150');
      expect((await placeOf(page, 'Message 150')).inView).toBe(true);
      expect(await page.locator('#thread-head h1').innerText()).toBe('200 messages');
      expect(await page.locator('#composer').count()).toBe(0);
      expect(await page.getByRole('navigation', { name: 'Newer messages' }).isVisible()).toBe(true);
      await saveScreenshot(page, 'older-messages-nojs-phone');
      // Two pages back, then forward again: each "Newer messages" opens at the first message not shown before.
      await follow('Show older messages', /\?before=\d+#newer$/);
      expect(await lastText(page)).toBe('Message 100');
      await follow('Newer messages', /\?before=\d+#m-\d+$/);
      expect((await placeOf(page, 'Message 101')).inView).toBe(true);
      expect(await lastText(page)).toBe('Message 150');
      await follow('Newer messages', /\/threads\/[^/?#]+#m-\d+$/);
      expect((await placeOf(page, 'Message 151')).inView).toBe(true);
      expect(await lastText(page)).toBe('Message 200');
      expect(await page.locator('#composer').count()).toBe(1);
      // And "Latest messages" goes straight to the end, composer and all.
      await follow('Show older messages', /\?before=/);
      await follow('Latest messages', /\/threads\/[^/?#]+#latest$/);
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

  /** The exact time's box and text: a tooltip in sight (wider than the 1 px it is while hidden) or not. */
  const exactOf = (msg: Locator) => msg.locator('time.msg-time .exact').evaluate((el) => ({ width: el.getBoundingClientRect().width, text: el.textContent!.replace(/^, /, '') }));

  it('JavaScript off: each message shows when it was written; the exact UTC time shows on hover and on keyboard focus', async () => {
    const { userId, tab } = await userTab({ javaScript: false });
    try {
      await longConversation(f.live.db, userId, 6);
      const { page } = tab;
      await openFromSidebar(page, false, '6 messages');
      expect(await page.locator('#messages .msg time.msg-time').count()).toBe(6);
      const user = page.locator('#messages .msg-user').last();
      expect(await user.locator('.rel').innerText()).toMatch(/^(just now|\d+ min ago)$/);
      expect((await exactOf(user)).width).toBeLessThanOrEqual(1);
      // By keyboard: Tab from the message's text lands on its time, which shows the exact time.
      await messageText(page, 'Message 5').click();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.matches('.msg-user time.msg-time'))).toBe(true);
      const focused = await exactOf(user);
      expect(focused.width).toBeGreaterThan(50);
      expect(focused.text).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC$/);
      // By mouse: hovering an answer's time.
      await page.mouse.move(1, 1); // off the tooltip, which is over the text clicked
      await page.keyboard.press('Tab');
      expect((await exactOf(user)).width).toBeLessThanOrEqual(1);
      const answer = page.locator('#messages .msg-assistant').last();
      await answer.locator('time.msg-time').hover();
      expect((await exactOf(answer)).width).toBeGreaterThan(50);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('JavaScript on, phone in Tokyo: times are in the reader\'s zone, and a tap shows the exact one', async () => {
    const { userId, tab } = await userTab({ phone: true, extra: { timezoneId: 'Asia/Tokyo', locale: 'en-GB' } });
    try {
      const path = await longConversation(f.live.db, userId, 4);
      // One message from long ago: a date, not "… ago".
      const id = path.split('/').pop()!;
      const first = await f.live.db('messages').where({ thread_id: id }).orderBy('id').first('id');
      await f.live.db('messages').where({ id: first.id }).update({ created_at: new Date('2025-03-09T20:05:00Z') });
      const { page } = tab;
      await page.goto(f.live.pageUrl(`${path}#latest`));
      const oldTime = page.locator(`#m-${first.id} time.msg-time`);
      // 20:05 UTC on 9 March is 05:05 on 10 March in Tokyo.
      await expect.poll(() => oldTime.locator('.rel').innerText()).toBe('10 Mar 2025');
      await oldTime.tap();
      const exact = await exactOf(page.locator(`#m-${first.id}`));
      expect(exact.width).toBeGreaterThan(50);
      expect(exact.text).toBe('10 Mar 2025, 05:05');
      expect(await page.locator('#messages .msg').last().locator('.rel').innerText()).toMatch(/^(just now|\d+ min ago)$/);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  for (const phone of [false, true]) {
    it(`JavaScript on, ${phone ? 'phone, dark' : 'desktop'}: "Latest" appears once scrolled up, brings the reader down and hides; by keyboard too`, async () => {
      const { userId, tab } = await userTab({ phone, reducedMotion: 'reduce', colorScheme: phone ? 'dark' : 'light' });
      try {
        await longConversation(f.live.db, userId, 60);
        const { page } = tab;
        await openFromSidebar(page, phone, '60 messages');
        const button = page.getByRole('button', { name: 'Latest messages' });
        const atBottom = () => page.evaluate(() => innerHeight + scrollY >= document.documentElement.scrollHeight - 2);
        await expect.poll(atBottom).toBe(true);
        expect(await button.isVisible()).toBe(false);
        // Reading older text: the button shows, above the composer, covering neither the box nor Send.
        await messageText(page, 'Message 40').scrollIntoViewIfNeeded();
        await expect.poll(() => button.isVisible()).toBe(true);
        const boxes = await page.evaluate(() => [document.querySelector('.to-latest')!, document.getElementById('content')!, document.querySelector('#composer [type=submit]')!]
          .map((el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; }));
        const [b, box, send] = boxes;
        expect(b.bottom).toBeLessThanOrEqual(box.top);
        expect(b.bottom).toBeLessThanOrEqual(send.top);
        expect(b.right).toBeLessThanOrEqual(await page.evaluate(() => innerWidth));
        expect(b.top).toBeGreaterThan(0);
        await saveScreenshot(page, `thread-latest-button-${phone ? 'phone-dark' : 'desktop'}`);
        if (phone) await button.tap(); else await button.click();
        await expect.poll(atBottom).toBe(true);
        expect((await placeOf(page, 'Message 60')).inView).toBe(true);
        await expect.poll(() => button.isVisible()).toBe(false);
        if (!phone) {
          // By keyboard: Shift+Tab from the composer reaches it; Enter brings the page down and focus back to the composer.
          await messageText(page, 'Message 30').scrollIntoViewIfNeeded();
          await expect.poll(() => button.isVisible()).toBe(true);
          await page.getByLabel('Message', { exact: true }).focus();
          await page.keyboard.press('Shift+Tab');
          expect(await page.evaluate(() => document.activeElement?.className)).toBe('to-latest');
          await page.keyboard.press('Enter');
          await expect.poll(atBottom).toBe(true);
          expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
        }
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`axe, phone, ${colorScheme}: no violations with the "Latest" button and a time's tooltip in view`, async () => {
      // bypassCSP ONLY for axe, as in a11y.browser.test.ts; these two only show after scrolling or focusing.
      const { userId, tab } = await userTab({ phone: true, colorScheme, bypassCSP: true, reducedMotion: 'reduce' });
      try {
        const path = await longConversation(f.live.db, userId, 60);
        const { page } = tab;
        await page.goto(f.live.pageUrl(`${path}#latest`));
        await messageText(page, 'Message 41').scrollIntoViewIfNeeded();
        await expect.poll(() => page.getByRole('button', { name: 'Latest messages' }).isVisible()).toBe(true);
        const user = page.locator('#messages .msg-user', { has: page.locator('.msg-body', { hasText: /^\s*Message 41\s*$/ }) });
        await user.locator('time.msg-time').focus();
        expect((await exactOf(user)).width).toBeGreaterThan(50);
        const violations = await axeViolations(page);
        expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
      } finally { await tab.close(); }
    });
  }
});
