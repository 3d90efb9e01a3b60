// How a thread with versions looks (issue 11): ‹ n/m › under a question and an answer, the inline edit form, the edit
// page without JavaScript and the "Other model" form, on the phone and the desktop, light and dark. Layout is
// measured (the meta row ends at the bubble's edge, nothing overflows, the edit form spans the column, a disabled
// ‹ › looks disabled) and pictures are saved (docs/screenshots/branches-*.png with UPDATE_SCREENSHOTS=1).
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { axeViolations, openTab, saveScreenshot, signedInToken, type Look } from '../support/browser.ts';
import { branchedThread } from './data.ts';
import { describeInBrowser, expectNoProblems, useChatApp, type ChatFixture } from './suite.ts';

async function threadTab(f: ChatFixture, look: Look) {
  const token = await signedInToken(f.live);
  const userId = (await f.live.db('users').orderBy('id', 'desc').first()).id;
  const { path, ids } = await branchedThread(f.live.db, userId);
  const tab = await openTab(f.browser, f.live, { ...look, token });
  await tab.page.goto(f.live.pageUrl(path));
  return { tab, path, ids };
}

const looks = (phone: boolean) => `${phone ? 'phone' : 'desktop'}`;

describeInBrowser('branches: the look', {}, () => {
  const f = useChatApp();

  for (const phone of [false, true]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`a thread with versions, ${looks(phone)}, ${colorScheme}, JavaScript off`, async () => {
        const { tab, ids } = await threadTab(f, { phone, colorScheme, javaScript: false });
        try {
          const { page } = tab;
          await page.locator(`#m-${ids.q2}`).scrollIntoViewIfNeeded();
          await saveScreenshot(page, `branches-versions-${looks(phone)}${colorScheme === 'dark' ? '-dark' : ''}`);
          const m = await page.evaluate(({ q2, a2b }) => {
            const box = (el: Element | null) => el!.getBoundingClientRect();
            const bubble = document.getElementById(`m-${q2}`)!;
            const foot = document.querySelector(`#m-${a2b} footer`)!;
            const [prev, next] = [...foot.querySelectorAll('.versions button')].map((b) => Number(getComputedStyle(b).opacity));
            return {
              overflow: document.documentElement.scrollWidth - innerWidth,
              metaRight: box(bubble.querySelector('.msg-meta')).right, bubbleInner: box(bubble).right - parseFloat(getComputedStyle(bubble).paddingRight),
              prev, next, time: box(foot.querySelector('.msg-time')), regen: box(foot.querySelector('.act')),
            };
          }, ids);
          expect(m.overflow).toBeLessThanOrEqual(0);
          // The meta row under a question ends at the bubble's inner edge, like its text.
          expect(Math.abs(m.metaRight - m.bubbleInner)).toBeLessThanOrEqual(1);
          // At 2/2 ‹ works and › does not, and looks it.
          expect(m.prev).toBe(1);
          expect(m.next).toBeLessThan(0.6);
          // The phone: the actions on their own line under the time, each a touch target; the desktop: one line.
          if (phone) {
            expect(m.regen.top).toBeGreaterThanOrEqual(m.time.bottom);
            expect(m.regen.height).toBeGreaterThanOrEqual(36);
          } else expect(Math.abs((m.regen.top + m.regen.bottom) / 2 - (m.time.top + m.time.bottom) / 2)).toBeLessThanOrEqual(2);
          expectNoProblems(tab);
        } finally { await tab.close(); }
      });
    }

    it(`the inline edit form and the Other model form, ${looks(phone)}: the column's width, no overflow, axe clean`, async () => {
      // bypassCSP ONLY for axe (injected as a script); the forms' own behaviour is tested under the CSP elsewhere.
      const { tab, ids } = await threadTab(f, { phone, bypassCSP: true });
      try {
        const { page } = tab;
        await page.locator(`#m-${ids.q3}`).getByRole('link', { name: 'Edit' }).click();
        await expect.poll(() => page.locator(`#m-${ids.q3} textarea`).count()).toBe(1);
        await page.locator(`#m-${ids.q3}`).scrollIntoViewIfNeeded();
        await saveScreenshot(page, `branches-edit-${looks(phone)}`);
        // The form takes the column's width (a question's bubble is at most 85% of it).
        const widths = await page.evaluate((q3) => [document.getElementById(`m-${q3}`)!, document.getElementById('messages')!].map((e) => e.getBoundingClientRect().width), ids.q3);
        expect(Math.abs(widths[0] - widths[1])).toBeLessThanOrEqual(1);
        await page.locator(`#m-${ids.a3}`).getByRole('link', { name: 'Other model' }).click();
        await expect.poll(() => page.locator(`#m-${ids.a3} select`).count()).toBe(1);
        await page.locator(`#m-${ids.a3} select`).scrollIntoViewIfNeeded();
        await saveScreenshot(page, `branches-other-model-${looks(phone)}`);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
        const violations = await axeViolations(page);
        expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });

    it(`the edit page without JavaScript, ${looks(phone)}`, async () => {
      const { tab, ids } = await threadTab(f, { phone, javaScript: false });
      try {
        const { page } = tab;
        await page.locator(`#m-${ids.q3}`).getByRole('link', { name: 'Edit' }).click();
        await expect.poll(() => page.locator('h1').first().textContent()).toBe('Edit message');
        await saveScreenshot(page, `branches-edit-page-${looks(phone)}`);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }
});
