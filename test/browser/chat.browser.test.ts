// The chat with JavaScript on, in real Chromium against the real app and the fake Mistral upstream: send with
// Enter, watch the answer stream in pieces, stop, reload mid-answer, Shift+Enter, live thinking. Every step goes
// through the page's own controls. (Rename, delete, model switch, copy and dark mode: chat-tools.browser.test.ts.)
import { expect, it } from 'vitest';
import { answerText, lastStatus, pressStop, send, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

const words = (n: number, prefix = 'w') => Array.from({ length: n }, (_, i) => `${i ? ' ' : ''}${prefix}${i}`);

describeInBrowser('chat with JavaScript on', {}, () => {
  const f = useChatApp();

  it('Enter in the composer starts a thread, and the answer arrives in pieces, not all at once', async () => {
    const tokens = words(12, 'piece');
    f.fake.enqueue({ tokens, tokenDelayMs: 150 });
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Count for me, slowly');
      await page.waitForURL(/\/threads\/[^/?#]+/);
      expect(await page.locator('.msg-user').last().textContent()).toContain('Count for me, slowly');
      // Sample the bubble while the fake sends a token every 150 ms.
      const seen: string[] = [];
      const final = tokens.join('');
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        const text = await answerText(page);
        if (seen.at(-1) !== text) seen.push(text);
        if (text === final && (await lastStatus(page)) === 'complete') break;
        await page.waitForTimeout(40);
      }
      const partials = seen.filter((s) => s.length > 0 && s !== final);
      expect(seen.at(-1)).toBe(final);
      // Several distinct partial texts, each a prefix of the final one: it grew piece by piece.
      expect(partials.length, seen.join(' | ')).toBeGreaterThanOrEqual(3);
      for (const p of partials) expect(final.startsWith(p), p).toBe(true);
      // Finished while watched: the status says so ("Done."), and nothing else (no Waiting, Writing or Failed).
      await expect.poll(() => page.locator('.msg-assistant').last().locator('.msg-status').allInnerTexts()).toEqual(['Done.']);
      expect(f.fake.chatRequests.at(-1)?.body).toMatchObject({ messages: expect.arrayContaining([{ role: 'user', content: 'Count for me, slowly' }]) });
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('Stop ends a running answer: marked stopped, the partial text kept (also after a reload)', async () => {
    f.fake.enqueue({ tokens: ['Partial', ' answer'], tokenDelayMs: 50, hang: true });
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Talk forever');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => answerText(page), { timeout: 10_000 }).toBe('Partial answer');
      const aborted = f.fake.aborted;
      expect(await pressStop(page)).toBe(200);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('stopped');
      const bubble = page.locator('.msg-assistant').last();
      await expect.poll(() => bubble.locator('.msg-status').textContent()).toBe('Stopped.');
      expect(await answerText(page)).toBe('Partial answer');
      expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
      await expect.poll(() => f.fake.aborted).toBeGreaterThan(aborted);
      await page.reload();
      expect(await lastStatus(page)).toBe('stopped');
      expect(await page.locator('.msg-assistant').last().getAttribute('data-status')).toBe('stopped');
      expect(await answerText(page)).toBe('Partial answer');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('a reload during an answer picks it up and it runs to the end, with nothing repeated', async () => {
    const tokens = words(16, 'r');
    f.fake.enqueue({ tokens, tokenDelayMs: 150 });
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'A long one please');
      await page.waitForURL(/\/threads\//);
      await expect.poll(async () => (await answerText(page)).split(' ').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
      await page.reload();
      const afterReload = await answerText(page);
      expect(afterReload.length).toBeGreaterThan(0);
      expect(afterReload).not.toBe(tokens.join(''));
      await expect.poll(() => lastStatus(page), { timeout: 15_000 }).toBe('complete');
      const final = await answerText(page);
      expect(final).toBe(tokens.join(''));
      expect(final.match(/\br5\b/g)).toHaveLength(1);
      expect(await page.locator('.msg-assistant').count()).toBe(1);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('Shift+Enter adds a new line instead of sending; Enter then sends both lines', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      const posts: string[] = [];
      page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
      await page.goto(f.live.pageUrl('/'));
      const box = page.getByLabel('Message', { exact: true });
      await box.click();
      await page.keyboard.type('line one');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('line two');
      expect(await box.inputValue()).toBe('line one\nline two');
      await page.waitForTimeout(300);
      expect(posts).toEqual([]);
      expect(new URL(page.url()).pathname).toBe(new URL(f.live.pageUrl('/')).pathname);
      const before = f.fake.chatRequests.length;
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/threads\//);
      expect(posts).toHaveLength(1);
      expect(await page.locator('.msg-user .msg-body').last().textContent().then((t) => t?.trim())).toBe('line one\nline two');
      await expect.poll(() => f.fake.chatRequests.length).toBe(before + 1);
      expect(f.fake.chatRequests.at(-1)?.body).toMatchObject({ messages: expect.arrayContaining([{ role: 'user', content: 'line one\nline two' }]) });
      await expect.poll(() => lastStatus(page)).toBe('complete');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('a reasoning answer streams its thinking live: the Thinking box fills before the answer starts', async () => {
    const thinking = ['Let me ', 'weigh ', 'the options ', 'one ', 'by ', 'one, ', 'then ', 'answer.'];
    const tokens = ['The ', 'answer ', 'is ', 'forty-two.'];
    // Slow enough that the thread page is open and listening before the thinking is over.
    f.fake.enqueue({ thinking, tokens, firstTokenDelayMs: 500, tokenDelayMs: 300 });
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Think first');
      await page.waitForURL(/\/threads\//);
      const box = page.locator('.msg-assistant').last().locator('details.thinking');
      const sample = () => page.evaluate(() => {
        const last = [...document.querySelectorAll('.msg-assistant')].at(-1);
        const details = last?.querySelector('details.thinking') as HTMLElement | null;
        return {
          thinking: last?.querySelector('.thinking-text')?.textContent ?? '',
          shown: Boolean(details && details.offsetParent !== null),
          answer: `${last?.querySelector('.md')?.textContent ?? ''}${last?.querySelector('.tail')?.textContent ?? ''}`.trim(),
        };
      }).catch(() => null);
      const seen: Array<{ thinking: string; shown: boolean; answer: string }> = [];
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        const s = await sample();
        if (s && JSON.stringify(s) !== JSON.stringify(seen.at(-1))) seen.push(s);
        if (s?.answer === tokens.join('') && (await lastStatus(page)) === 'complete') break;
        await page.waitForTimeout(40);
      }
      const full = thinking.join('');
      // Thinking arrived in pieces, shown in its box, while the answer was still empty.
      const early = seen.filter((s) => s.thinking && !s.answer);
      expect(early.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(2);
      expect(early.every((s) => s.shown && full.startsWith(s.thinking))).toBe(true);
      expect(early.some((s) => s.thinking !== full)).toBe(true);
      // Nothing shows an empty Thinking box.
      expect(seen.filter((s) => s.shown && !s.thinking)).toEqual([]);
      expect(seen.at(-1)).toMatchObject({ thinking: full, shown: true, answer: tokens.join('') });
      // Collapsed: the summary shows, the thinking opens on demand.
      expect(await box.getAttribute('open')).toBeNull();
      await box.locator('summary').click();
      expect(await box.locator('.thinking-text').isVisible()).toBe(true);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });
});
