// The reader's time zone (issue 17) in a real browser under /chat through the docs' nginx: the script reports the
// browser's zone in the `tz` cookie (path /chat, the base path, like every cookie of the app) and the next page groups the
// sidebar and writes times in it; without JavaScript, the zone chosen on Account does it, and once saved it beats
// the browser's own zone in the script too. The long zone select fits a phone, in English and French.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { insertExchange, saveFinal } from '../../src/features/chat/messages.repo.ts';
import { launchBrowser, openTab, startLiveApp, type LiveApp, type Look } from '../support/browser.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { splitMoment, WRITTEN_AT } from '../support/time-zones.ts';
import { describeInBrowser, expectNoProblems } from './suite.ts';

/** 20:54 UTC on 1 Dec 2026 as the server writes it (named) and as the script rewrites it (en-GB, unnamed), per zone. */
const WRITTEN: Record<string, { server: string; script: string }> = {
  'America/Los_Angeles': { server: '1 Dec 2026, 12:54 PST', script: '1 Dec 2026, 12:54' },
  'Asia/Tokyo': { server: '2 Dec 2026, 05:54 GMT+9', script: '2 Dec 2026, 05:54' },
  'Europe/Paris': { server: '1 Dec 2026, 21:54 GMT+1', script: '1 Dec 2026, 21:54' },
};
const groups = (page: Page) => page.locator('#sidebar h2.group').allTextContents();
/** The exact time's own text (after its ", " separator), as the page shows it now. */
const exactTimes = (page: Page) => page.locator('.msg-time .exact').evaluateAll((all) => all.map((e) => e.lastChild?.nodeValue ?? ''));
const serverExactTimes = (html: string) => [...html.matchAll(/<span class="exact"><span class="sep">, <\/span>([^<]*)<\/span>/g)].map((m) => m[1]);
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describeInBrowser('the reader’s time zone under /chat through nginx', { nginx: true }, () => {
  let browser: Browser;
  let live: LiveApp;
  let nginx: RunningNginx;
  const split = splitMoment();
  /** A fresh user (each test saves its own zone or none) with one answered thread written at WRITTEN_AT. */
  async function reader(): Promise<{ token: string; threadUrl: string }> {
    const user = await createUser(live.db, { email: `zone-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Zone Reader' });
    const threadId = (await createThread(live.db, user.id, { title: 'Across midnight' })).id;
    const sent = (await insertExchange(live.db, threadId, 'Hello', 'mistral-small-latest'))!;
    await saveFinal(live.db, sent.reply.id, { content: 'Hi there.', thinking: null, status: 'complete' });
    await live.db('messages').where({ thread_id: threadId }).update({ created_at: WRITTEN_AT });
    await live.db('threads').where({ id: threadId }).update({ updated_at: split.at });
    return { token: await issueToken(live.db, user.id, { ttlDays: 1 }), threadUrl: `${nginx.origin}/chat/threads/${threadId}` };
  }
  const tabAt = (look: Look) => openTab(browser, { origin: nginx.origin, config: live.config }, look);
  beforeAll(async () => {
    [browser, live] = await Promise.all([launchBrowser(), startLiveApp({ BASE_PATH: '/chat', TRUST_PROXY: 'loopback' })]);
    nginx = await startNginx(Number(new URL(live.origin).port));
  });
  afterAll(async () => { await browser?.close(); await nginx?.stop(); await live?.close(); });

  it(`JavaScript on, a phone in ${split.zone}: the script reports the zone, and the next page is in it`, async () => {
    const { token, threadUrl } = await reader();
    const tab = await tabAt({ token, phone: true, extra: { timezoneId: split.zone, locale: 'en-GB' } });
    try {
      const { page, context } = tab;
      const first = await page.goto(threadUrl);
      // The first page knew no zone: UTC days and UTC times, named.
      expect(serverExactTimes(await first!.text())).toEqual(['1 Dec 2026, 20:54 UTC', '1 Dec 2026, 20:54 UTC']);
      expect(await groups(page)).toContain(split.utc);
      await expect.poll(async () => (await context.cookies()).filter((c) => c.name === 'tz')
        .map((c) => ({ value: decodeURIComponent(c.value), path: c.path })), { timeout: 15_000 }).toEqual([{ value: split.zone, path: '/chat' }]);
      const again = await page.reload();
      expect(serverExactTimes(await again!.text())).toEqual([WRITTEN[split.zone].server, WRITTEN[split.zone].server]);
      expect(await groups(page)).toContain(split.there);
      expect(await groups(page)).not.toContain(split.utc);
      // The script keeps the time current in the same zone (its own words, unnamed).
      await expect.poll(() => exactTimes(page), { timeout: 15_000 }).toEqual([WRITTEN[split.zone].script, WRITTEN[split.zone].script]);
      expectNoProblems(tab);
    } finally {
      await tab.close();
    }
  });

  it('JavaScript off in Paris: UTC until the zone is saved on Account; then the saved zone beats a Tokyo browser’s script', async () => {
    const { token, threadUrl } = await reader();
    const off = await tabAt({ token, javaScript: false, extra: { timezoneId: 'Europe/Paris', locale: 'en-GB' } });
    try {
      const { page, context } = off;
      await page.goto(threadUrl);
      expect(await exactTimes(page)).toEqual(['1 Dec 2026, 20:54 UTC', '1 Dec 2026, 20:54 UTC']);
      expect((await context.cookies()).map((c) => c.name)).not.toContain('tz');
      await page.goto(`${nginx.origin}/chat/account`);
      await page.getByLabel('Dates and times are shown in').selectOption('Europe/Paris');
      await page.getByRole('button', { name: 'Save time zone' }).click();
      await page.waitForURL(`${nginx.origin}/chat/account#time-zone`);
      expect(await page.locator('#flash').textContent()).toContain('Times are now shown in Europe/Paris.');
      // The section the form came back to, its heading below the sticky top bar (48 px).
      await expect.poll(() => page.locator('#acc-zone').evaluate((h) => h.getBoundingClientRect().top), { timeout: 15_000 }).toBeGreaterThan(48);
      expect(await page.getByLabel('Dates and times are shown in').inputValue()).toBe('Europe/Paris');
      await page.goto(threadUrl);
      expect(await exactTimes(page)).toEqual([WRITTEN['Europe/Paris'].server, WRITTEN['Europe/Paris'].server]);
      expect(await page.locator('html').getAttribute('data-tz')).toBe('Europe/Paris');
      expect((await context.cookies()).map((c) => c.name)).not.toContain('tz');
      expectNoProblems(off);
    } finally {
      await off.close();
    }
    const tokyo = await tabAt({ token, extra: { timezoneId: 'Asia/Tokyo', locale: 'en-GB' } });
    try {
      const { page } = tokyo;
      await page.goto(threadUrl);
      // Written by the script (unnamed), in Paris time: 21:54 on 1 Dec, not 05:54 on 2 Dec.
      await expect.poll(() => exactTimes(page), { timeout: 15_000 }).toEqual([WRITTEN['Europe/Paris'].script, WRITTEN['Europe/Paris'].script]);
      expectNoProblems(tokyo);
    } finally {
      await tokyo.close();
    }
  });

  for (const locale of ['en-GB', 'fr-FR']) {
    it(`the phone's Account page with the zone select fits sideways (${locale})`, async () => {
      const { token } = await reader();
      const tab = await tabAt({ token, phone: true, extra: { timezoneId: split.zone, locale } });
      try {
        const { page } = tab;
        // Twice: the second page offers "Automatic (this browser’s: …)", the longest first option.
        await page.goto(`${nginx.origin}/chat/account#time-zone`);
        await page.reload();
        expect(await page.locator('html').getAttribute('lang')).toBe(locale.slice(0, 2));
        expect(await page.locator('#acc-zone').textContent()).toBe(locale === 'fr-FR' ? 'Fuseau horaire' : 'Time zone');
        expect(await page.locator('#acc-zone-select option').first().textContent()).toContain(split.zone);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await expect.poll(() => page.locator('#acc-zone').evaluate((h) => h.getBoundingClientRect().top), { timeout: 15_000 }).toBeGreaterThan(48);
        const right = await page.locator('#acc-zone-select').evaluate((e) => e.getBoundingClientRect().right);
        expect(right).toBeLessThanOrEqual(360);
        expectNoProblems(tab);
      } finally {
        await tab.close();
      }
    });
  }
});
