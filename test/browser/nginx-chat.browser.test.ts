// The chat through docs/deploy/nginx.conf under /chat/, in Chromium: register, sign out and in through the proxy,
// send a message, and see the first piece of the answer in the page while the upstream is still sending
// (nothing buffered between the fake Mistral, the app, nginx and the browser).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { openTab, signedInToken, type LiveApp } from '../support/browser.ts';
import type { FakeMistral } from '../support/fake-mistral.ts';
import type { RunningNginx } from '../support/nginx.ts';
import { lastStatus, register, signIn, signOut, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems } from './suite.ts';
import { chatBehindNginx, type ProxiedChat } from './proxied.ts';

const TOKEN_DELAY_MS = 300;

describeInBrowser('the chat through nginx under /chat/', { nginx: true }, () => {
  let chat: ProxiedChat;
  let browser: Browser;
  let fake: FakeMistral;
  let live: LiveApp;
  let nginx: RunningNginx;
  beforeAll(async () => { chat = await chatBehindNginx(); ({ browser, fake, live, nginx } = chat); });
  afterAll(async () => { await chat?.close(); });

  it('sign in and send through the proxy; the first piece shows before the upstream has sent its last token', async () => {
    const tab = await openTab(browser, { origin: nginx.origin, config: live.config });
    const base = (p: string) => `${nginx.origin}/chat${p}`;
    const who = { name: 'Proxy Pat', email: `pat-${Date.now()}@example.com`, password: 'behind the proxy' };
    const requests: string[] = [];
    tab.page.on('request', (r) => requests.push(r.url()));
    try {
      const { page } = tab;
      await register(page, base, who);
      await page.waitForURL(base('/'));
      await signOut(page, base);
      await page.waitForURL(base('/login'));
      await signIn(page, base, who);
      await page.waitForURL(base('/'));
      expect(await page.locator('h1').textContent()).toBe('New chat');

      const tokens = Array.from({ length: 12 }, (_, i) => `${i ? ' ' : ''}proxied${i}`);
      fake.enqueue({ tokens, tokenDelayMs: TOKEN_DELAY_MS });
      const finishedBefore = fake.lastTokenAt.length;
      await page.getByLabel('Message', { exact: true }).fill('Through the proxy, please');
      await page.getByLabel('Message', { exact: true }).press('Enter');
      await page.waitForURL(/\/chat\/threads\//);
      // Watch the bubble from here until the answer is whole; note when text first shows.
      let firstSeenAt = 0;
      let text = '';
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        // Finished blocks go to .md, the unfinished paragraph to .tail: both are what a reader sees.
        text = await page.evaluate(() => (document.querySelector('.msg-assistant .md')?.textContent ?? '')
          .concat(document.querySelector('.msg-assistant .tail')?.textContent ?? '').replace(/\s+/g, ' ').trim()).catch(() => '');
        if (text && !firstSeenAt) firstSeenAt = Date.now();
        if (text === tokens.join('')) break;
        await page.waitForTimeout(20);
      }
      expect(text).toBe(tokens.join(''));
      await expect.poll(() => fake.lastTokenAt.length).toBe(finishedBefore + 1);
      const lastTokenAt = fake.lastTokenAt.at(-1)!;
      // Twelve tokens 300 ms apart (room for a loaded machine): the first piece must be on screen well over a second before the last is sent.
      expect(firstSeenAt).toBeGreaterThan(0);
      expect(lastTokenAt - firstSeenAt, `first piece at ${firstSeenAt}, upstream done at ${lastTokenAt}`).toBeGreaterThan(TOKEN_DELAY_MS * 4);
      // Everything, the event stream included, went through nginx under /chat/.
      expect(requests.some((u) => u.startsWith(`${nginx.origin}/chat/threads/`) && u.includes('/events'))).toBe(true);
      expect(requests.every((u) => u.startsWith(`${nginx.origin}/chat/`)), requests.join('\n')).toBe(true);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('JavaScript off on the phone: the page the answer is written into comes through the proxy piece by piece', async () => {
    const tab = await openTab(browser, { origin: nginx.origin, config: live.config }, { javaScript: false, phone: true, token: await signedInToken(live) });
    const base = (p: string) => `${nginx.origin}/chat${p}`;
    const requests: string[] = [];
    tab.page.on('request', (r) => requests.push(r.url()));
    try {
      const { page } = tab;
      await page.goto(base('/'));
      const paragraphs = Array.from({ length: 20 }, (_, i) => `Proxied paragraph ${i}.\n\n`);
      fake.enqueue({ tokens: paragraphs, tokenDelayMs: TOKEN_DELAY_MS });
      const finishedBefore = fake.lastTokenAt.length;
      await page.getByLabel('Message', { exact: true }).fill('No scripts through the proxy');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/chat\/threads\/[^?]+\?follow=\d+/, { waitUntil: 'commit' });
      const shown = () => page.locator('.msg-assistant .md').last().textContent({ timeout: 500 }).then((t) => (t ?? '').replace(/\s+/g, ' ').trim()).catch(() => '');
      await expect.poll(shown, { timeout: 15_000, interval: 20 }).toContain('Proxied paragraph 0.');
      const firstSeenAt = Date.now();
      await page.getByLabel('Message', { exact: true }).fill('Typed meanwhile');
      await expect.poll(shown, { timeout: 20_000 }).toBe(paragraphs.map((x) => x.trim()).join(' '));
      await expect.poll(() => lastStatus(page)).toBe('complete');
      await expect.poll(() => fake.lastTokenAt.length).toBe(finishedBefore + 1);
      expect(fake.lastTokenAt.at(-1)! - firstSeenAt).toBeGreaterThan(TOKEN_DELAY_MS * 4);
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Typed meanwhile');
      expect(requests.every((u) => u.startsWith(`${nginx.origin}/chat/`)), requests.join('\n')).toBe(true);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
