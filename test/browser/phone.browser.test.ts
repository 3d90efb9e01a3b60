// A cheap phone: 360x640, touch, CPU throttled 4x. Nothing may overflow sideways, and the sidebar opens with the
// toggle: a button with JavaScript, a script-free checkbox and its label without.
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { openTab, saveScreenshot } from '../support/browser.ts';
import { lastStatus, SSE_CLOSED } from './flows.ts';
import { longThread, PAGES } from './pages.ts';
import { describeInBrowser, expectNoProblems, useChatApp, visit } from './suite.ts';

describeInBrowser('a 360x640 phone, CPU throttled 4x', {}, () => {
  const f = useChatApp();

  for (const spec of PAGES) {
    for (const javaScript of [true, false]) {
      it(`${spec.name} (JavaScript ${javaScript ? 'on' : 'off'}) does not overflow sideways`, async () => {
        const tab = await visit(f, spec, { phone: true, javaScript });
        try {
          const size = await tab.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
          expect(size.inner).toBe(360);
          expect(size.scroll).toBeLessThanOrEqual(size.inner);
          expectNoProblems(tab, tab.own);
          if (spec.screenshot && javaScript) await saveScreenshot(tab.page, `${spec.name}-phone`);
        } finally { await tab.close(); }
      });
    }
  }

  for (const javaScript of [true, false]) {
    it(`the sidebar is hidden, and tapping the menu opens it (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const tab = await visit(f, PAGES.find((p) => p.name === 'home')!, { phone: true, javaScript, reducedMotion: 'reduce' });
      try {
        const sidebar = tab.page.locator('nav.sidebar');
        const onScreen = () => sidebar.evaluate((el) => { const r = el.getBoundingClientRect(); return r.right > 0 && r.left < innerWidth; });
        expect(await onScreen()).toBe(false);
        await tab.page.getByText('Show conversations').locator('..').tap();
        await expect.poll(onScreen).toBe(true);
        await expect.poll(() => tab.page.getByRole('link', { name: 'New chat' }).isVisible()).toBe(true);
        const size = await tab.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
        expect(size.scroll).toBeLessThanOrEqual(size.inner);
        if (javaScript) {
          // Let the tap highlight fade, so the picture is the same run after run.
          await tab.page.waitForTimeout(600);
          await saveScreenshot(tab.page, 'home-phone-sidebar');
        }
      } finally { await tab.close(); }
    });
  }

  it('a long thread with a wide code block is usable: code scrolls inside itself, the composer is in view and sends', async () => {
    const user = await createUser(f.live.db, { email: `phone-${Date.now()}@example.com`, name: 'Phone User' });
    const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    const threadPath = await longThread(f.live.db, user.id);
    const tab = await openTab(f.browser, f.live, { phone: true, token });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl(threadPath));
      const fits = () => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
      const size = await fits();
      expect(size.inner).toBe(360);
      expect(size.scroll).toBeLessThanOrEqual(size.inner);
      const pre = await page.locator('.msg-assistant pre').first().evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { overflow: getComputedStyle(el).overflowX, scroll: el.scrollWidth, client: el.clientWidth, left: r.left, right: r.right };
      });
      expect(['auto', 'scroll']).toContain(pre.overflow);
      expect(pre.scroll).toBeGreaterThan(pre.client);
      expect(pre.left).toBeGreaterThanOrEqual(0);
      expect(pre.right).toBeLessThanOrEqual(360);
      // The page opens at the newest message, so the composer is on screen without scrolling.
      const box = page.getByLabel('Message', { exact: true });
      await expect.poll(async () => {
        const b = await box.boundingBox();
        return b !== null && b.x >= 0 && b.x + b.width <= 360 && b.y >= 0 && b.y + b.height <= 640;
      }).toBe(true);
      await box.tap();
      await box.fill('Sent from a phone');
      await page.getByRole('button', { name: 'Send' }).tap();
      await expect.poll(() => page.locator('.msg-user').last().textContent()).toContain('Sent from a phone');
      await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
      expect(await page.locator('.msg-assistant').last().locator('.md').textContent()).toContain('Hello from the fake Mistral.');
      expect(await box.inputValue()).toBe('');
      expect((await fits()).scroll).toBeLessThanOrEqual(360);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  for (const javaScript of [true, false]) {
    it(`by keyboard (JavaScript ${javaScript ? 'on' : 'off'}): the closed sidebar takes no focus; Tab reaches the menu toggle, Space opens it, Tab enters it`, async () => {
      const tab = await visit(f, PAGES.find((p) => p.name === 'home')!, { phone: true, javaScript, reducedMotion: 'reduce' });
      try {
        const { page } = tab;
        const focused = () => page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          const r = el.getBoundingClientRect();
          return { id: el.id || el.className, text: el.textContent?.trim(), onScreen: r.right > 0 && r.left < innerWidth && r.bottom > 0 };
        });
        // With JavaScript the toggle is a button (it shows its own focus); without, an invisible checkbox whose label does.
        const toggle = javaScript ? 'icon-btn nav-btn' : 'nav-toggle';
        const ring = javaScript ? '.nav-btn' : 'label[for=nav-toggle]';
        await page.keyboard.press('Tab');
        expect((await focused()).text).toBe('Skip to content');
        await page.keyboard.press('Tab');
        expect((await focused()).id).toBe(toggle);
        expect(await page.locator(ring).first().evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
        await page.keyboard.press('Tab');
        expect((await focused()).text).toBe('MistralChat');
        await page.keyboard.press('Tab');
        expect((await focused()).text, 'a closed sidebar must not take focus').not.toBe('New chat');
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Shift+Tab');
        expect((await focused()).id).toBe(toggle);
        await page.keyboard.press('Space');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        const inSidebar = await focused();
        expect(inSidebar.text).toBe('New chat');
        expect(inSidebar.onScreen).toBe(true);
      } finally { await tab.close(); }
    });
  }

  it('on a desktop the (always visible) sidebar has no toggle in the tab order', async () => {
    const tab = await visit(f, PAGES.find((p) => p.name === 'home')!);
    try {
      const order: string[] = [];
      for (let i = 0; i < 4; i++) {
        await tab.page.keyboard.press('Tab');
        order.push(await tab.page.evaluate(() => (document.activeElement as HTMLElement).id || document.activeElement!.textContent!.trim()));
      }
      // After New chat, the sidebar's search box (issue 15): still no toggle.
      expect(order).toEqual(['Skip to content', 'MistralChat', 'New chat', 'sidebar-search']);
    } finally { await tab.close(); }
  });
});
