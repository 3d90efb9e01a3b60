// axe-core (WCAG 2.0 and 2.1, A and AA, and `region`) on every page in both themes, on desktop and phone.
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

  // (axe is a script: it runs only with JavaScript on.)
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`phone with the conversations drawer open, ${colorScheme}: no violations`, async () => {
      const tab = await visit(f, PAGES.find((p) => p.name === 'thread')!, { phone: true, colorScheme, bypassCSP: true, reducedMotion: 'reduce' });
      try {
        await tab.page.getByText('Show conversations').locator('..').tap();
        await expect.poll(() => tab.page.getByRole('link', { name: 'New chat', exact: true }).isVisible()).toBe(true);
        const violations = await axeViolations(tab.page);
        expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
      } finally { await tab.close(); }
    });
  }

  it('thread page by keyboard: every control is reached by Tab with a visible focus ring, and Enter opens a menu', async () => {
    const tab = await visit(f, PAGES.find((p) => p.name === 'thread')!);
    try {
      const { page } = tab;
      const reached = new Map<string, { outline: string; width: number }>();
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const el = await page.evaluate(() => {
          const a = document.activeElement as HTMLElement;
          const s = getComputedStyle(a);
          const name = a.tagName === 'SUMMARY' ? `summary:${a.textContent?.replace(/Model and context: /, 'model ').trim()}`
            : a.tagName === 'PRE' ? 'code block'
            : a.tagName === 'BUTTON' ? `button:${a.textContent?.trim()}${a.closest('.code') ? ' (code)' : ''}`
            : a.id ? `#${a.id}` : a.tagName;
          return { name, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
        });
        if (!reached.has(el.name)) reached.set(el.name, el);
      }
      for (const name of ['summary:model mistral-small-latest', 'summary:Rename', 'summary:Delete', 'summary:Thinking', 'code block',
        'button:Copy (code)', 'button:Copy', '#content', 'button:Send']) {
        const r = reached.get(name);
        expect(r, `${name} not reached; reached: ${[...reached.keys()].join(', ')}`).toBeDefined();
        expect(r!.outline, name).not.toBe('none');
        expect(r!.width, name).toBeGreaterThanOrEqual(2);
      }
      await page.locator('#thread-head summary', { hasText: 'Rename' }).focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('#thread-head details.menu', { hasText: 'Rename' }).getAttribute('open')).not.toBeNull();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('title');
    } finally { await tab.close(); }
  });

  it('axe does find a violation on a broken page (the check can fail)', async () => {
    const tab = await visit(f, PAGES[0], { bypassCSP: true });
    try {
      await tab.page.evaluate(() => { document.querySelector('h1')!.insertAdjacentHTML('afterend', '<img src="x.png"><input type="text">'); });
      const ids = (await axeViolations(tab.page)).map((v) => v.id);
      expect(ids).toEqual(expect.arrayContaining(['image-alt', 'label']));
    } finally { await tab.close(); }
  });
});
