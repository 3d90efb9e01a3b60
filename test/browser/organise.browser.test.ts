// Organise (issue 15) in real Chromium: pin, archive and bulk delete with JavaScript on (htmx) and off (plain forms
// and a confirmation page), a temporary chat from the new-chat form, nothing sideways on a 360 px phone, and
// screenshots (phone and desktop, light and dark, JavaScript off) for a person to look at.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { newId } from '../../src/lib/ids.ts';
import { openTab, saveScreenshot } from '../support/browser.ts';
import { lastStatus, send, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

describeInBrowser('organising threads', {}, () => {
  const f = useChatApp();
  /** A user with threads titled as given (the first the newest), and their token. */
  async function userWith(titles: string[]) {
    const u = await createUser(f.live.db, { email: `org-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Organiser' });
    const now = Date.now();
    const ids = titles.map(() => newId());
    if (titles.length) {
      await f.live.db('threads').insert(titles.map((title, i) => ({ id: ids[i], user_id: u.id, title, title_set_by_user: true, created_at: new Date(now - i * 60_000), updated_at: new Date(now - i * 60_000) })));
    }
    return { ids, token: await issueToken(f.live.db, u.id, { ttlDays: 1 }) };
  }
  const sidebarTitles = (page: Page) => page.locator('#thread-list .threads a').allInnerTexts();
  const groups = (page: Page) => page.locator('#thread-list h2.group').allTextContents();
  const noSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);

  for (const javaScript of [true, false]) {
    it(`pin, archive, unarchive and delete selected, JavaScript ${javaScript ? 'on' : 'off'}`, async () => {
      const { ids, token } = await userWith(['Alpha', 'Bravo', 'Charlie', 'Delta']);
      const tab = await openTab(f.browser, f.live, { javaScript, token });
      try {
        const { page } = tab;
        // Pin Charlie from its own header's Organise menu.
        await page.goto(f.live.pageUrl(`/threads/${ids[2]}`));
        await page.locator('details.menu-organise summary').click();
        await page.getByRole('button', { name: 'Pin to the top of the list' }).click();
        await expect.poll(() => groups(page)).toContain('Pinned');
        expect((await sidebarTitles(page))[0]).toBe('Charlie');
        // Archive Bravo: it leaves the list, the header says so.
        await page.goto(f.live.pageUrl(`/threads/${ids[1]}`));
        await page.locator('details.menu-organise summary').click();
        await page.getByRole('button', { name: /^Archive/ }).click();
        await expect.poll(() => page.locator('#archived-note').isVisible()).toBe(true);
        expect(await sidebarTitles(page)).not.toContain('Bravo');
        // Unarchive it from the Archived view.
        await page.getByRole('link', { name: 'Archived', exact: true }).first().click();
        await page.waitForURL(/\/archived$/);
        await page.getByLabel('Bravo').check();
        await page.getByRole('button', { name: 'Unarchive selected' }).click();
        await page.waitForURL(/\/archived$/);
        await expect.poll(() => page.locator('.flash').first().innerText()).toBe('Unarchived 1 conversation.');
        expect(await sidebarTitles(page)).toContain('Bravo');
        // Delete two from the select mode: a confirmation (the browser's with JavaScript, a page without) first.
        await page.getByRole('link', { name: 'Select…' }).click();
        await page.getByLabel('Alpha').check();
        await page.getByLabel('Delta').check();
        if (javaScript) {
          page.once('dialog', (d) => { expect(d.message()).toContain('cannot be undone'); void d.accept(); });
          await page.getByRole('button', { name: 'Delete selected…' }).click();
        } else {
          await page.getByRole('button', { name: 'Delete selected…' }).click();
          expect(await page.locator('h1').innerText()).toBe('Delete 2 conversations?');
          expect(await page.locator('.confirm-titles li').allInnerTexts()).toEqual(['Alpha', 'Delta']);
          await page.getByRole('button', { name: 'Delete for good' }).click();
        }
        await expect.poll(() => page.locator('.flash').first().innerText().catch(() => '')).toBe('Deleted 2 conversations.');
        expect((await f.live.db('threads').whereIn('id', ids).select('title')).map((r) => r.title).sort()).toEqual(['Bravo', 'Charlie']);
        expect(await sidebarTitles(page)).toEqual(['Charlie', 'Bravo']);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  it('a temporary chat from the new-chat form: the banner says what happens, and it is not listed', async () => {
    const { token } = await userWith(['Kept one']);
    const tab = await openTab(f.browser, f.live, { token });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await page.getByLabel('Temporary').check();
      f.fake.enqueue({ tokens: ['Gone ', 'soon.'] });
      await send(page, 'Just between us');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      expect(await page.locator('#temporary-banner').innerText()).toContain('deleted an hour after it started');
      expect(await sidebarTitles(page)).toEqual(['Kept one']);
      expect(await page.locator('details.menu-organise').count()).toBe(0);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('phone and desktop, light and dark, JavaScript off: nothing sideways; screenshots', async () => {
    const { ids, token } = await userWith(['A conversation with a rather long title that has to be cut somewhere', 'Pinned planning notes', 'Short', 'Archived recipe']);
    await f.live.db('threads').where({ id: ids[1] }).update({ pinned_at: new Date() });
    await f.live.db('threads').where({ id: ids[3] }).update({ archived_at: new Date() });
    await f.live.db('threads').where({ id: ids[2] }).update({ temporary_until: new Date(Date.now() + 3600_000) });
    for (const phone of [true, false]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const tab = await openTab(f.browser, f.live, { javaScript: false, phone, colorScheme, token });
        const look = `${phone ? 'phone' : 'desktop'}-${colorScheme}`;
        try {
          const { page } = tab;
          for (const [name, path] of [['select', '/threads?select=1'], ['archived', '/archived'], ['shortcuts', '/shortcuts'], ['temporary', `/threads/${ids[2]}`]] as const) {
            await page.goto(f.live.pageUrl(path));
            expect(await noSideways(page), `${name} ${look}`).toBe(true);
            await saveScreenshot(page, `organise-${name}-${look}`);
          }
          await page.goto(f.live.pageUrl(`/threads/${ids[0]}`));
          await page.locator('details.menu-organise summary').click();
          expect(await noSideways(page)).toBe(true);
          await saveScreenshot(page, `organise-menu-${look}`);
          await page.goto(f.live.pageUrl('/'));
          await saveScreenshot(page, `organise-home-${look}`);
          await page.goto(f.live.pageUrl('/threads?select=1'));
          await page.locator('input[name=ids]').first().check();
          await page.getByRole('button', { name: 'Delete selected…' }).click();
          // The form's answer is a new page: a screenshot while it loads fails ("Unable to capture screenshot").
          await page.locator('section.confirm-delete').waitFor();
          await saveScreenshot(page, `organise-confirm-${look}`);
          expectNoProblems(tab);
        } finally { await tab.close(); }
      }
    }
  }, 240_000);
});
