// A cheap phone: 360x640, touch, CPU throttled 4x. Nothing may overflow sideways, and the sidebar opens with the
// script-free toggle (a checkbox and its label).
import { expect, it } from 'vitest';
import { saveScreenshot } from '../support/browser.ts';
import { PAGES } from './pages.ts';
import { describeInBrowser, expectNoProblems, useBrowserAndApp, visit } from './suite.ts';

describeInBrowser('a 360x640 phone, CPU throttled 4x', {}, () => {
  const f = useBrowserAndApp();

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
});
