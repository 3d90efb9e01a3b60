// Usage and quotas (issue 16) in real Chromium: Account shows an answer's tokens; at the quota a send is refused with
// the reset day and the typed text kept, JavaScript on (#flash) and off (the page again). USAGE_SHOTS=<dir> also
// saves phone and desktop screenshots (light and dark, JavaScript off) of Account's section and the admin pages.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { monthEnd, monthOf } from '../../src/features/usage/usage.repo.ts';
import { resetDay } from '../../src/features/usage/quota.ts';
import { openTab } from '../support/browser.ts';
import { lastStatus, send, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

const ADMIN = 'usage-admin@example.com';
const refused = (status: number) => [new RegExp(`^${status} http\\S+$`), new RegExp(`status of ${status}`), new RegExp(`Response Status Error Code ${status} from`)];
const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const flash = (page: Page) => page.locator('#flash').innerText().then((s) => s.trim()).catch(() => '');
const resets = resetDay(monthEnd(monthOf()));

describeInBrowser('usage and quotas in the browser', {}, () => {
  const f = useChatApp({ MONTHLY_TOKEN_QUOTA: '100', ADMIN_EMAILS: ADMIN });
  async function user(email = `usage-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`) {
    // Proven addresses (as Google or a reset link prove them): ADMIN_EMAILS makes only those administrators.
    const u = await createUser(f.live.db, { email, name: 'Usage User', emailVerified: true });
    return { id: u.id, token: await issueToken(f.live.db, u.id, { ttlDays: 1 }) };
  }
  const spend = (id: number, n: number) => f.live.db('usage_monthly').insert({ user_id: id, month: monthOf(), model: 'mistral-small-latest', prompt_tokens: n, completion_tokens: 0, server_key_tokens: n, answers: 1 });

  it('JavaScript on: Account shows the answer\'s tokens; the next send is refused in #flash, the text kept', async () => {
    const u = await user();
    const tab = await openTab(f.browser, f.live, { token: u.token });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      f.fake.completionUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
      f.fake.enqueue({ tokens: ['Fine.'], usage: { prompt_tokens: 1234, completion_tokens: 56, total_tokens: 1290 } });
      await send(page, 'Spend my tokens');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      const thread = page.url();
      await page.goto(f.live.pageUrl('/account#usage'));
      const row = page.locator('#usage tbody tr');
      expect(await row.allInnerTexts()).toEqual([expect.stringMatching(/mistral-small-latest\s+1,234\s+56/)]);
      expect(await page.locator('#usage .usage-quota').innerText()).toContain(`used up; answers start again on ${resets}`);

      await page.goto(thread);
      await send(page, 'One more, please');
      await expect.poll(() => flash(page), { timeout: 10_000 }).toContain(`It resets on ${resets} (UTC)`);
      expect(await composer(page).inputValue()).toBe('One more, please');
      expect(await page.locator('.msg-user').count()).toBe(1);
      expectNoProblems(tab, [SSE_CLOSED, ...refused(429)]);
    } finally {
      f.fake.completionUsage = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };
      await tab.close();
    }
  });

  it('JavaScript off: a new chat at the limit comes back with the reason and the typed text', async () => {
    const u = await user();
    await spend(u.id, 100);
    const tab = await openTab(f.browser, f.live, { javaScript: false, token: u.token });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await composer(page).fill('Typed without JavaScript');
      const asked = f.fake.chatRequests.length;
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForLoadState();
      expect(await page.locator('body').innerText()).toContain(`It resets on ${resets} (UTC)`);
      expect(await composer(page).inputValue()).toBe('Typed without JavaScript');
      expect(f.fake.chatRequests.length).toBe(asked);
      expectNoProblems(tab, refused(429));
    } finally { await tab.close(); }
  });

  it('on a 360 px phone nothing goes sideways (Account, the admin table, a long email); USAGE_SHOTS=dir saves screenshots', async () => {
    const dir = process.env.USAGE_SHOTS;
    if (dir) mkdirSync(dir, { recursive: true });
    const admin = await user(ADMIN);
    await f.live.db('usage_monthly').insert({ user_id: admin.id, month: monthOf(), model: 'mistral-large-latest', prompt_tokens: 48_210, completion_tokens: 3_114, server_key_tokens: 40, answers: 3 });
    await f.live.db('usage_monthly').insert({ user_id: admin.id, month: monthOf(), model: 'codestral-latest', prompt_tokens: 9_020, completion_tokens: 1_507, server_key_tokens: 20, answers: 2 });
    const long = await user(`a-very-long-address-for-a-narrow-phone-${Date.now()}@subdomain.example.com`);
    await spend(long.id, 123_456_789);
    // Every look with screenshots; without, the phone in light (the narrow case) only.
    for (const phone of dir ? [true, false] : [true]) {
      for (const colorScheme of dir ? ['light', 'dark'] as const : ['light'] as const) {
        const tab = await openTab(f.browser, f.live, { javaScript: false, token: admin.token, phone, colorScheme, ...(phone ? { extra: { viewport: { width: 360, height: 740 } } } : {}) });
        const name = `${phone ? 'phone' : 'desktop'}-${colorScheme}`;
        // The layout viewport of a phone grows to fit what overflows: measure against the device's width.
        const width = phone ? 360 : 1280;
        for (const [shot, where] of [['account', '/account'], ['admin', '/admin/usage'], ['quota', `/admin/users/${long.id}/quota`]]) {
          await tab.page.goto(f.live.pageUrl(where));
          expect(await tab.page.evaluate(() => document.documentElement.scrollWidth), `${name} ${where}: nothing sideways`).toBeLessThanOrEqual(width);
          if (dir) await tab.page.screenshot({ path: path.join(dir, `${shot}-${name}.png`), fullPage: true });
        }
        await tab.close();
      }
    }
  }, 300_000);
});
