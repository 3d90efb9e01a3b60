// What the chat says while it works and when something goes wrong (issue 10), in real Chromium: the status says
// "Writing…" once text streams and "Done." at the end; a new chat's title reaches the heading, the sidebar and the
// tab without a reload (and the followed page without JavaScript); errors are sentences that can be dismissed and
// go away once they no longer apply.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { lastStatus, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

const refused = (status: number) => [new RegExp(`^${status} http\\S+$`), new RegExp(`status of ${status}`), new RegExp(`Response Status Error Code ${status} from`)];
const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const flash = (page: Page) => page.locator('#flash').innerText().then((s) => s.trim()).catch(() => '');
const statusText = (page: Page) => page.locator('.msg-assistant').last().locator('.msg-status').first().innerText().catch(() => '');

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

describeInBrowser('status, titles and errors', {}, () => {
  const f = useChatApp({ MAX_MESSAGE_CHARS: '40' });

  it('JS on: waiting, "Writing…" while text streams, "Done."; the title reaches heading, sidebar and tab live', async () => {
    f.fake.completionDelayMs = 300;
    f.fake.enqueue({ tokens: ['One', ...Array.from({ length: 12 }, (_, i) => ` w${i}`)], firstTokenDelayMs: 600, tokenDelayMs: 300 });
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Tell me about owls');
      await page.waitForURL(/\/threads\/[^/?#]+/);
      expect(await page.locator('#thread-head h1').innerText()).toBe('New chat');
      await expect.poll(() => page.locator('.msg-assistant .md, .msg-assistant .tail').allInnerTexts().then((t) => t.join('')), { timeout: 10_000 }).toContain('One');
      expect(await lastStatus(page)).toBe('live');
      expect(await statusText(page)).toBe('Writing…');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      expect(await statusText(page)).toBe('Done.');
      expect(await page.locator('#thread-head h1').innerText()).toBe('A Short Fake Title');
      expect(await page.locator('#sidebar a[aria-current="page"]').innerText()).toBe('A Short Fake Title');
      expect(await page.title()).toBe('A Short Fake Title · MistralChat');
      // A rename reaches the sidebar and the tab too.
      await page.locator('summary', { hasText: 'Rename' }).click();
      await page.locator('#title').fill('Owls at night');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('#sidebar a[aria-current="page"]').innerText()).toBe('Owls at night');
      expect(await page.locator('#thread-head h1').innerText()).toBe('Owls at night');
      expect(await page.title()).toBe('Owls at night · MistralChat');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { f.fake.completionDelayMs = 0; await tab.close(); }
  });

  it('JS on: "still being written" is a sentence, can be dismissed, and goes once the answer ended', async () => {
    f.fake.enqueue({ tokens: ['Still', ...Array.from({ length: 16 }, () => ' going')], tokenDelayMs: 400 });
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Keep talking');
      await page.waitForURL(/\/threads\/[^/?#]+/);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('live');
      await send(page, 'Too early');
      await expect.poll(() => flash(page), { timeout: 10_000 }).toContain('still being written');
      expect(await flash(page)).not.toMatch(/\b409\b/);
      await page.getByRole('button', { name: 'Dismiss' }).click();
      expect(await flash(page)).toBe('');
      await send(page, 'Too early again');
      await expect.poll(() => flash(page), { timeout: 10_000 }).toContain('still being written');
      // The answer ends: the refusal no longer holds, and the text typed is still there to send.
      await expect.poll(() => lastStatus(page), { timeout: 15_000 }).toBe('complete');
      expect(await flash(page)).toBe('');
      expect(await composer(page).inputValue()).toBe('Too early again');
      expectNoProblems(tab, [SSE_CLOSED, ...refused(409)]);
    } finally { await tab.close(); }
  });

  it('JS on: a "too long" error goes once the text changes; a send after signing out says so, with a sign-in link', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'x'.repeat(60));
      await expect.poll(() => page.locator('#content-error').count(), { timeout: 10_000 }).toBe(1);
      expect(await page.locator('#content-error').innerText()).toContain('the limit is 40');
      await composer(page).press('Backspace');
      expect(await page.locator('#content-error').count()).toBe(0);
      expect(await composer(page).getAttribute('aria-invalid')).toBeNull();
      // Signed out everywhere in another tab of this browser: the session and the cookie are gone.
      const other = await page.context().newPage();
      await other.goto(f.live.pageUrl('/account'));
      await other.getByRole('button', { name: /sign out everywhere/i }).click();
      await other.waitForURL(/\/login/);
      await other.close();
      await send(page, 'Hello?');
      await expect.poll(() => flash(page), { timeout: 10_000 }).toContain('You were signed out');
      expect(await flash(page)).not.toContain('expired');
      expect(await page.locator('#flash a', { hasText: 'Sign in' }).getAttribute('href')).toMatch(/\/login$/);
      expect(await composer(page).inputValue()).toBe('Hello?');
      expectNoProblems(tab, [...refused(403), ...refused(422)]);
    } finally { await tab.close(); }
  });

  it('JS off: the followed page says "Writing…" once text arrives, ends "Done." and under the new title', async () => {
    f.fake.completionDelayMs = 300;
    f.fake.enqueue({ tokens: ['Hoot', ' hoot', ' hoot', ' hoot.'], firstTokenDelayMs: 800, tokenDelayMs: 300 });
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await composer(page).fill('Owl sounds?');
      void page.getByRole('button', { name: 'Send' }).click();
      const live = page.locator('.live-foot .msg-status');
      await expect.poll(() => live.innerText().catch(() => ''), { timeout: 10_000 }).toBe('Waiting for Mistral…');
      // "Writing…" is drawn by CSS (text browsers never see it): read what the page shows.
      const shown = () => page.evaluate(() => {
        const s = document.querySelector('.live-foot .msg-status');
        const w = s?.querySelector('.st-write');
        const wait = s?.querySelector('.st-wait') as HTMLElement | null;
        if (!s || !w || !wait) return '';
        return getComputedStyle(w).display !== 'none' ? getComputedStyle(w, '::before').content.replace(/"/g, '') : wait.innerText;
      }).catch(() => '');
      await expect.poll(shown, { timeout: 10_000 }).toBe('Writing…');
      await expect.poll(() => lastStatus(page), { timeout: 15_000 }).toBe('complete');
      expect(await page.locator('footer.msg-foot .msg-status').innerText()).toBe('Done.');
      await expect.poll(() => page.locator('h1:visible').innerText(), { timeout: 10_000 }).toBe('A Short Fake Title');
      expect(await page.locator('h1').count()).toBe(2);
      expectNoProblems(tab);
    } finally { f.fake.completionDelayMs = 0; await tab.close(); }
  });
});
