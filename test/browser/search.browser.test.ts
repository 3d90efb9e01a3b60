// Search (issue 15) in real Chromium: with JavaScript, typing shows results without a page load (htmx, debounced);
// without, the form is submitted and the results page comes back; the sidebar box leads there. Phone (360 px) and
// desktop, light and dark, screenshots saved (and looked at).
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { openTab, saveScreenshot, type Look } from '../support/browser.ts';
import { seedThread } from '../support/search.ts';
import { describeInBrowser, expectNoProblems, useBrowserAndApp } from './suite.ts';

describeInBrowser('search', {}, () => {
  const f = useBrowserAndApp();

  async function userWithThreads(look: Look) {
    const user = await createUser(f.live.db, { email: `search-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Searcher' });
    const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    const a = await seedThread(f.live.db, user.id, { title: 'Trip to Lisbon', messages: ['Which pastry should I try in Lisbon?', 'Try a pastel de nata, warm, with cinnamon. The <b>best</b> ones are in Belém.'] });
    await seedThread(f.live.db, user.id, { title: 'Sourdough', messages: ['How long should the dough rest?', 'Let the dough rest overnight in the fridge; a pastry needs less.'] });
    return { a, tab: await openTab(f.browser, f.live, { ...look, token }) };
  }

  for (const look of [{ phone: false, colorScheme: 'light' }, { phone: true, colorScheme: 'dark' }] as const) {
    const name = `${look.phone ? 'phone' : 'desktop'}-${look.colorScheme}`;
    it(`JavaScript on, ${name}: typing shows results without a page load, and a hit opens the thread at its message`, async () => {
      const { a, tab } = await userWithThreads({ ...look, javaScript: true });
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl('/search'));
        // A marker on the window: a page load would wipe it.
        await page.evaluate(() => { (window as unknown as { stay: boolean }).stay = true; });
        await page.locator('#search-q').pressSequentially('pastry', { delay: 40 });
        await expect.poll(() => page.locator('#search-hits li').count()).toBe(2);
        expect(await page.evaluate(() => (window as unknown as { stay?: boolean }).stay)).toBe(true);
        expect(page.url()).toContain('q=pastry');
        expect(await page.locator('#search-hits mark').first().innerText()).toMatch(/pastry/i);
        // The markup in the answer is text, not a <b>.
        await page.locator('#search-q').fill('');
        await page.locator('#search-q').pressSequentially('cinnamon', { delay: 40 });
        await expect.poll(() => page.locator('#search-hits').innerText()).toContain('<b>best</b>');
        await saveScreenshot(page, `search-${name}`);
        await page.locator('#search-hits a').first().click();
        await page.waitForURL(new RegExp(`/threads/${a.id}\\?at=${a.messageIds[1]}#m-${a.messageIds[1]}$`));
        expect(await page.locator(`#m-${a.messageIds[1]}`).isVisible()).toBe(true);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });

    it(`JavaScript off, ${name}: the sidebar box and the form give a results page`, async () => {
      const { tab } = await userWithThreads({ ...look, javaScript: false });
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl('/'));
        if (look.phone) await page.getByText('Show conversations').locator('..').tap();
        await page.locator('#sidebar-search').fill('dough');
        await page.locator('#sidebar-search').press('Enter');
        await page.waitForURL(/\/search\?q=dough$/);
        expect(await page.locator('#search-hits li').count()).toBe(2);
        await page.locator('#search-q').fill('"pastel de nata"');
        await page.locator('#search-q').press('Enter');
        await page.waitForURL(/q=%22pastel\+de\+nata%22/);
        expect(await page.locator('#search-hits li').count()).toBe(1);
        expect(await page.locator('#search-hits mark').innerText()).toBe('pastel de nata');
        // Nothing sideways on a phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
        await saveScreenshot(page, `search-nojs-${name}`);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }
});
