// The app shell on a phone and by keyboard: the top bar and the thread's header stay in view, the menu button is a
// button (a checkbox without JavaScript), Escape and a tap outside close what is open, focus never falls to <body>.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { openTab, type Look } from '../support/browser.ts';
import { longConversation } from './data.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

describeInBrowser('the app shell', {}, () => {
  const f = useChatApp();

  async function userTab(look: Look) {
    const user = await createUser(f.live.db, { email: `shell-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Sheller' });
    const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    return { userId: user.id, tab: await openTab(f.browser, f.live, { ...look, token }) };
  }

  /** Whether the element's middle is on screen and is what a finger there would touch. */
  const onTop = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.bottom <= 0 || r.top >= innerHeight || r.width === 0) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (el === hit || el.contains(hit) || hit.contains(el));
  });

  for (const javaScript of [true, false]) {
    it(`phone, JavaScript ${javaScript ? 'on' : 'off'}: in a long thread the menu and Model/Rename/Delete stay in view`, async () => {
      const { userId, tab } = await userTab({ phone: true, javaScript, reducedMotion: 'reduce' });
      try {
        const { page } = tab;
        const threadPath = await longConversation(f.live.db, userId, 220);
        await page.goto(f.live.pageUrl(threadPath));
        // The middle of the latest 50 messages, then the bottom: neither is near the top of the page.
        for (const n of [190, 220]) {
          await page.getByText(`Message ${n}`, { exact: true }).scrollIntoViewIfNeeded();
          expect(await page.evaluate(() => scrollY)).toBeGreaterThan(1000);
          expect(await onTop(page, '.topbar [for=nav-toggle], .topbar .nav-btn'), `menu at message ${n}`).toBe(true);
          for (const name of ['Rename', 'Delete']) expect(await onTop(page, `#thread-head summary:text-is("${name}")`), name).toBe(true);
          expect(await onTop(page, '#thread-head .model-menu summary'), 'model menu').toBe(true);
        }
        // A message is never hidden under the sticky bars when it is the page's target.
        const target = await page.locator('.msg').nth(10).getAttribute('id');
        await page.goto(f.live.pageUrl(`${threadPath}#${target}`));
        expect(await onTop(page, `#${target} .msg-body, #${target} .md`)).toBe(true);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }
});
