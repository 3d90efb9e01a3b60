// Administration in a browser (issue 16): an administrator disables a user with JavaScript on (htmx swaps the row)
// and off (a plain form, 303 back to the list), enables again; the area on a 360 px phone without sideways scroll;
// screenshots of the users and invites pages, phone and desktop, light and dark, JavaScript off.
import { expect, it } from 'vitest';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { openTab, saveScreenshot, type Look } from '../support/browser.ts';
import { describeInBrowser, expectNoProblems, useBrowserAndApp } from './suite.ts';

describeInBrowser('administration', {}, () => {
  const f = useBrowserAndApp({ ADMIN_EMAILS: 'boss@example.com', REGISTRATION: 'invite' });
  let adminToken = '';
  const base = (p: string) => f.live.pageUrl(p);

  async function adminTab(look: Look = {}) {
    if (!adminToken) {
      const boss = await createUser(f.live.db, { email: 'boss@example.com', name: 'The Boss', emailVerified: true });
      adminToken = await issueToken(f.live.db, boss.id, { ttlDays: 1 });
      await createUser(f.live.db, { email: 'ada.lovelace@example.com', name: 'Ada Lovelace', passwordHash: await hashPassword('ada-long-password') });
      await createUser(f.live.db, { email: 'a-rather-long-address.for-wrapping@very-long-subdomain.example.com', name: null });
      for (const n of ['Grace Hopper', 'Alan Turing']) await createUser(f.live.db, { email: `${n.split(' ')[0].toLowerCase()}@example.com`, name: n });
    }
    return openTab(f.browser, f.live, { ...look, token: adminToken });
  }
  const adaRow = (page: import('playwright-core').Page) => page.locator('li.admin-user', { hasText: 'ada.lovelace@example.com' });

  it('disables and enables a user with JavaScript on (the row is swapped in place)', async () => {
    const tab = await adminTab();
    try {
      const { page } = tab;
      await page.goto(base('/'));
      await page.getByRole('link', { name: 'Administration' }).click();
      await page.waitForURL(/\/admin\/users$/);
      await adaRow(page).getByRole('button', { name: /^Disable/ }).click();
      await expect.poll(() => adaRow(page).textContent()).toContain('disabled and signed out everywhere');
      expect(new URL(page.url()).pathname).toBe('/admin/users');
      expect((await f.live.db('users').where({ email: 'ada.lovelace@example.com' }).first()).disabled_at).not.toBeNull();
      await adaRow(page).getByRole('button', { name: /^Enable/ }).click();
      await expect.poll(() => adaRow(page).textContent()).toContain('can sign in again');
      expect((await f.live.db('users').where({ email: 'ada.lovelace@example.com' }).first()).disabled_at).toBeNull();
      expectNoProblems(tab);
    } finally {
      await tab.close();
    }
  });

  it('disables with JavaScript off (plain form, back to the same search), and the user is refused at sign-in', async () => {
    const tab = await adminTab({ javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/admin/users?q=ada'));
      await adaRow(page).getByRole('button', { name: /^Disable/ }).click();
      await page.waitForURL(/\/admin\/users\?q=ada$/);
      expect(await page.locator('.flash-ok').textContent()).toContain('ada.lovelace@example.com is disabled');
      expect(await adaRow(page).locator('.badge-warn').textContent()).toBe('disabled');
      const other = await openTab(f.browser, f.live, { javaScript: false });
      try {
        await other.page.goto(base('/login'));
        await other.page.getByLabel('Email').fill('ada.lovelace@example.com');
        await other.page.getByLabel('Password').fill('ada-long-password');
        await other.page.getByRole('button', { name: 'Sign in' }).click();
        await expect.poll(() => other.page.locator('.auth-form .flash-error').textContent()).toContain('This account is disabled. Ask an administrator.');
      } finally {
        await other.close();
      }
      await adaRow(page).getByRole('button', { name: /^Enable/ }).click();
      await page.waitForURL(/\/admin\/users\?q=ada$/);
      expect(await adaRow(page).locator('.badge-warn').count()).toBe(0);
      expectNoProblems(tab);
    } finally {
      await tab.close();
    }
  });

  it('fits a 360 px phone, light and dark, with JavaScript off (screenshots)', async () => {
    for (const phone of [true, false]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const tab = await adminTab({ phone, colorScheme, javaScript: false });
        try {
          const { page } = tab;
          for (const [path, name] of [['/admin/users', 'users'], ['/admin/invites', 'invites']]) {
            await page.goto(base(path));
            if (name === 'invites') {
              await page.getByLabel('Registrations').fill('3');
              await page.getByRole('button', { name: 'Create link' }).click();
              await page.waitForSelector('#invite-link');
            }
            const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            expect(sideways, `${path} ${phone ? 'phone' : 'desktop'} ${colorScheme}`).toBeLessThanOrEqual(0);
            await saveScreenshot(page, `admin-${name}-${phone ? 'phone' : 'desktop'}-${colorScheme}`);
          }
          expectNoProblems(tab);
        } finally {
          await tab.close();
        }
      }
    }
  }, 300_000);
});
