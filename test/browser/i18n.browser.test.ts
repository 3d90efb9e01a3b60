// Languages (issue 17) in a real browser: the browser's language picks French; the signed-out switch works with
// JavaScript off (a plain form and a 303); Account saves a language with JavaScript on, the sidebar follows, and
// "Automatic" gives the browser's language back. French is longer: nothing may overflow on a phone.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { openTab, saveScreenshot, signedInToken } from '../support/browser.ts';
import { describeInBrowser, expectNoProblems, useBrowserAndApp } from './suite.ts';

const htmlLang = (page: Page) => page.locator('html').getAttribute('lang');
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describeInBrowser('languages', {}, () => {
  const f = useBrowserAndApp({ ALLOW_GUESTS: 'true' });
  const base = (p: string) => f.live.pageUrl(p);

  it('JavaScript off, signed out: an English browser switches the sign-in page to French and back', async () => {
    const tab = await openTab(f.browser, f.live, { javaScript: false, extra: { locale: 'en-US' } });
    try {
      const { page } = tab;
      await page.goto(base('/login'));
      expect(await htmlLang(page)).toBe('en');
      await page.getByRole('button', { name: 'Français' }).click();
      await page.waitForURL(base('/login'));
      expect(await htmlLang(page)).toBe('fr');
      expect(await page.locator('h1').textContent()).toBe('Connexion');
      expect(await page.getByRole('button', { name: 'Continuer en tant qu’invité' }).count()).toBe(1);
      // The cookie holds across pages: the register page is French too.
      await page.getByRole('link', { name: 'Créer un compte' }).click();
      expect(await page.locator('h1').textContent()).toBe('Créez votre compte');
      await page.getByRole('button', { name: 'English' }).click();
      expect(await page.locator('h1').textContent()).toBe('Create your account');
      expect(await htmlLang(page)).toBe('en');
      expectNoProblems(tab);
    } finally {
      await tab.close();
    }
  });

  it('JavaScript on: a French browser gets French; Account saves English, the sidebar follows; Automatic gives French back', async () => {
    const token = await signedInToken(f.live);
    const tab = await openTab(f.browser, f.live, { token, extra: { locale: 'fr-FR' } });
    try {
      const { page } = tab;
      await page.goto(base('/account'));
      expect(await htmlLang(page)).toBe('fr');
      expect(await page.locator('h1').textContent()).toBe('Compte');
      expect(await page.locator('#sidebar').textContent()).toContain('Nouvelle conversation');
      await page.getByLabel('English').check();
      await page.getByRole('button', { name: 'Enregistrer la langue' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Account');
      expect(await htmlLang(page)).toBe('en');
      expect(await page.locator('#sidebar').textContent()).toContain('New chat');
      expect(page.url()).toBe(base('/account#language'));
      // Saved for the user: a new page (still a French browser) stays English.
      await page.goto(base('/no-such-page'));
      expect(await page.locator('h1').textContent()).toBe('Not found');
      await page.goto(base('/account'));
      await page.getByLabel('Automatic (your browser’s language)').check();
      await page.getByRole('button', { name: 'Save language' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Compte');
      expectNoProblems(tab, [/^404 .*\/no-such-page$/, /status of 404/]);
    } finally {
      await tab.close();
    }
  });

  it('in French, the sign-in and Account pages fit a phone and a desktop (screenshots)', async () => {
    const token = await signedInToken(f.live);
    for (const phone of [true, false]) {
      const out = await openTab(f.browser, f.live, { phone, extra: { locale: 'fr-FR' } });
      const inn = await openTab(f.browser, f.live, { phone, token, extra: { locale: 'fr-FR' } });
      try {
        await out.page.goto(base('/login'));
        expect(await overflow(out.page)).toBeLessThanOrEqual(0);
        // Two of the four go to docs/screenshots (UPDATE_SCREENSHOTS=1): the sign-in on a phone, Account on a desktop.
        if (phone) await saveScreenshot(out.page, 'fr-sign-in-phone');
        await inn.page.goto(base('/account'));
        expect(await overflow(inn.page)).toBeLessThanOrEqual(0);
        await inn.page.goto(base('/account#language')); // the new section, in view
        if (!phone) await saveScreenshot(inn.page, 'fr-account-desktop');
        expect(await inn.page.locator('#acc-language').evaluate((h) => h.getBoundingClientRect().top)).toBeGreaterThan(40);
        expectNoProblems(out);
        expectNoProblems(inn);
      } finally {
        await out.close();
        await inn.close();
      }
    }
  });
});
