// Accounts with JavaScript on, through the forms a person uses: register, sign out, sign in (and a wrong password).
import { expect, it } from 'vitest';
import { openTab } from '../support/browser.ts';
import { register, signIn, signOut } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

describeInBrowser('accounts with JavaScript on', {}, () => {
  const f = useChatApp();

  it('register through the form, sign out, sign in again; a wrong password is refused and the email kept', async () => {
    const tab = await openTab(f.browser, f.live);
    const base = f.live.pageUrl;
    const who = { name: 'Ada Browser', email: `ada-${Date.now()}@example.com`, password: 'correct horse battery' };
    try {
      const { page } = tab;
      await register(page, base, who);
      await page.waitForURL(base('/'));
      expect(await page.locator('h1').textContent()).toBe('New chat');
      const nav = page.getByRole('navigation', { name: 'Conversations' });
      expect(await nav.getByRole('link', { name: 'Ada Browser' }).count()).toBe(1);
      expect((await tab.context.cookies()).some((c) => c.name === 'access_token' && c.httpOnly)).toBe(true);

      await signOut(page, base);
      await page.waitForURL(base('/login'));
      expect(await page.locator('h1').textContent()).toBe('Sign in');
      expect((await tab.context.cookies()).some((c) => c.name === 'access_token')).toBe(false);
      await page.goto(base('/'));
      expect(new URL(page.url()).pathname).toBe('/login');

      await signIn(page, base, { email: who.email, password: 'wrong password!' });
      await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/\S/);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.getByLabel('Email').inputValue()).toBe(who.email);

      await signIn(page, base, who);
      await page.waitForURL(base('/'));
      expect(await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Ada Browser' }).count()).toBe(1);
      // The wrong password answered 4xx as a page; nothing else may have gone wrong.
      expectNoProblems(tab, [/^4\d\d .*\/login$/, /status of 4\d\d/]);
    } finally { await tab.close(); }
  });

  it('Google sign-in is not offered when it is not configured', async () => {
    const tab = await openTab(f.browser, f.live);
    try {
      for (const p of ['/login', '/register']) {
        await tab.page.goto(f.live.pageUrl(p));
        expect(await tab.page.locator('h1').count()).toBe(1);
        expect(await tab.page.getByText(/Google/).count(), p).toBe(0);
      }
    } finally { await tab.close(); }
  });

  it('a too-short password on register is refused with a message, and what was typed stays', async () => {
    const tab = await openTab(f.browser, f.live);
    try {
      const { page } = tab;
      await register(page, f.live.pageUrl, { name: 'Short', email: `short-${Date.now()}@example.com`, password: 'abc' });
      await expect.poll(() => page.locator('#auth-password-error').textContent()).toMatch(/8/);
      expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Name').inputValue()).toBe('Short');
      expect(new URL(page.url()).pathname).toBe('/register');
    } finally { await tab.close(); }
  });
});
