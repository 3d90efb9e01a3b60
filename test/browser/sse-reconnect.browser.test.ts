// An answer's event stream broken the way a deploy breaks it behind a proxy: the connection is cut mid-answer and
// the browser's own reconnection (which carries Last-Event-ID) meets a 502, so the EventSource closes for good and
// htmx-ext-sse opens a new one from the element's sse-connect URL, without Last-Event-ID. The page must resume
// where it was: the answer ends exactly as the upstream sent it, nothing shown twice.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTab, signedInToken } from '../support/browser.ts';
import { startCutProxy, type CutProxy } from './cut-proxy.ts';
import { lastStatus, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

function answerText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const last = [...document.querySelectorAll('.msg-assistant')].at(-1);
    return `${last?.querySelector('.md')?.textContent ?? ''}${last?.querySelector('.tail')?.textContent ?? ''}`.replace(/\s+/g, ' ').trim();
  }).catch(() => '');
}

describeInBrowser('an event stream that closes for good mid-answer', {}, () => {
  const f = useChatApp();
  let proxy: CutProxy;
  beforeAll(async () => { proxy = await startCutProxy(f.live.origin); });
  afterAll(async () => { await proxy?.stop(); });

  it('reconnects from what the page already shows: the answer appears once, equal to what the upstream sent', async () => {
    // Paragraphs, so that the page holds rendered markdown as well as the unfinished tail when the cut comes.
    const ends = new Set([4, 9]);
    const tokens = Array.from({ length: 30 }, (_, i) => `${i && !ends.has(i - 1) ? ' ' : ''}word${i}${ends.has(i) ? '.\n\n' : ''}`);
    f.fake.enqueue({ tokens, tokenDelayMs: 150 });
    const token = await signedInToken(f.live);
    const tab = await openTab(f.browser, f.live, { token });
    const base = (p: string) => proxy.origin + f.live.config.basePath + p;
    try {
      const { page } = tab;
      await page.goto(base('/'));
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('Say thirty words, slowly');
      await box.press('Enter');
      await page.waitForURL(/\/threads\//);
      await expect.poll(async () => (await answerText(page)).split(' ').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(12);
      expect(await page.locator('.msg-assistant .md p').count()).toBeGreaterThanOrEqual(1);
      const before = proxy.events.length;
      proxy.cut(1);
      // Watch the answer all the way: every state shown is a prefix of the final text (nothing shown twice, even
      // for a moment), and it ends equal to what the upstream sent.
      const seen: string[] = [];
      const until = Date.now() + 20_000;
      while (Date.now() < until && (await lastStatus(page)) !== 'complete') {
        const text = await answerText(page);
        if (seen.at(-1) !== text) seen.push(text);
        await page.waitForTimeout(50);
      }
      expect(await lastStatus(page)).toBe('complete');
      const expected = tokens.join('').replace(/\s+/g, ' ').trim();
      expect(await answerText(page)).toBe(expected);
      for (const s of seen) expect(expected.startsWith(s), `shown mid-way: ${s}`).toBe(true);
      expect((await answerText(page)).match(/\bword3\b/g)).toHaveLength(1);
      // It went the hard way: the browser's own retry (with Last-Event-ID) got the 502, then a fresh EventSource
      // without Last-Event-ID got the rest, from offsets past the start.
      const after = proxy.events.slice(before);
      expect(after[0], JSON.stringify(after)).toMatchObject({ status: 502 });
      expect(after[0].lastEventId).toMatch(/^\d+\.\d+$/);
      const fresh = after.find((e) => e.status === 200);
      expect(fresh, JSON.stringify(after)).toBeDefined();
      expect(fresh!.lastEventId).toBeNull();
      const offsets = /after=(\d+)\.(\d+)/.exec(fresh!.url);
      expect(Number(offsets?.[2])).toBeGreaterThan(0);
      // The same page, reloaded, shows the saved answer: the live page ended equal to it. (htmx marks swapped-in
      // content `htmx-added` until it settles, a few milliseconds: not part of the answer.)
      const markup = async () => (await page.locator('.msg-assistant .md').last().innerHTML()).replaceAll(/ ?htmx-(added|settling)\b/g, '').replaceAll(' class=""', '');
      const live = await markup();
      await page.reload();
      expect(await markup()).toBe(live);
      expectNoProblems(tab, [SSE_CLOSED, /502/, /\[object Event\]/, /ERR_INCOMPLETE_CHUNKED_ENCODING/]);
    } finally { await tab.close(); }
  });
});
