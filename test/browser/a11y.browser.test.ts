// axe-core (WCAG 2.0 and 2.1, A and AA) on every page in both themes, on desktop and phone.
import { expect, it } from 'vitest';
import { axeViolations } from '../support/browser.ts';
import { PAGES } from './pages.ts';
import { describeInBrowser, useChatApp, visit } from './suite.ts';

describeInBrowser('accessibility (axe-core, WCAG 2.1 A/AA)', {}, () => {
  const f = useChatApp();

  for (const spec of PAGES) {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const phone of [false, true]) {
        it(`${spec.name}, ${colorScheme}${phone ? ', phone' : ''}: no violations`, async () => {
          // bypassCSP ONLY here: axe is injected as a script the app's CSP (script-src 'self') rightly refuses.
          // Every other browser test runs under the real CSP.
          const tab = await visit(f, spec, { colorScheme, phone, bypassCSP: true });
          try {
            const violations = await axeViolations(tab.page);
            expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
          } finally { await tab.close(); }
        });
      }
    }
  }

  it('axe does find a violation on a broken page (the check can fail)', async () => {
    const tab = await visit(f, PAGES[0], { bypassCSP: true });
    try {
      await tab.page.evaluate(() => { document.querySelector('h1')!.insertAdjacentHTML('afterend', '<img src="x.png"><input type="text">'); });
      const ids = (await axeViolations(tab.page)).map((v) => v.id);
      expect(ids).toEqual(expect.arrayContaining(['image-alt', 'label']));
    } finally { await tab.close(); }
  });
});
