// A cheap phone: 360x640, touch, CPU throttled 4x. Nothing may overflow sideways, and the sidebar opens with the
// script-free toggle (a checkbox and its label).
import { expect, it } from 'vitest';
import { saveScreenshot } from '../support/browser.ts';
import { PAGES } from './pages.ts';
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

  it('by keyboard: the closed sidebar takes no focus; Tab reaches the menu toggle, Space opens it, Tab enters it', async () => {
    const tab = await visit(f, PAGES.find((p) => p.name === 'home')!, { phone: true, reducedMotion: 'reduce' });
    try {
      const { page } = tab;
      const focused = () => page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const r = el.getBoundingClientRect();
        return { id: el.id, text: el.textContent?.trim(), onScreen: r.right > 0 && r.left < innerWidth && r.bottom > 0 };
      });
      await page.keyboard.press('Tab');
      expect((await focused()).text).toBe('Skip to content');
      await page.keyboard.press('Tab');
      expect((await focused()).id).toBe('nav-toggle');
      // The checkbox is invisible; its label (the menu button) shows the focus.
      expect(await page.locator('label[for=nav-toggle]').evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
      await page.keyboard.press('Tab');
      expect((await focused()).text).toBe('MistralChat');
      await page.keyboard.press('Tab');
      expect((await focused()).text, 'a closed sidebar must not take focus').not.toBe('New chat');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect((await focused()).id).toBe('nav-toggle');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const inSidebar = await focused();
      expect(inSidebar.text).toBe('New chat');
      expect(inSidebar.onScreen).toBe(true);
    } finally { await tab.close(); }
  });

  it('on a desktop the (always visible) sidebar has no toggle in the tab order', async () => {
    const tab = await visit(f, PAGES.find((p) => p.name === 'home')!);
    try {
      const order: string[] = [];
      for (let i = 0; i < 4; i++) {
        await tab.page.keyboard.press('Tab');
        order.push(await tab.page.evaluate(() => (document.activeElement as HTMLElement).id || document.activeElement!.textContent!.trim()));
      }
      expect(order).toEqual(['Skip to content', 'MistralChat', 'New chat', 'Settings']);
    } finally { await tab.close(); }
  });
});
