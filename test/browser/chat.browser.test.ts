// The chat with JavaScript on, in real Chromium against the real app and the fake Mistral upstream: send with
// Enter, watch the answer stream in pieces, stop, reload mid-answer, rename, delete, switch model, copy code,
// dark mode. Every step goes through the page's own controls.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { openTab, signedInToken } from '../support/browser.ts';
import { lastStatus, pressStop, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

/** What the newest answer shows now: its markdown plus the unfinished tail. */
function answerText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const all = document.querySelectorAll('.msg-assistant');
    const last = all[all.length - 1];
    if (!last) return '';
    return `${last.querySelector('.md')?.textContent ?? ''}${last.querySelector('.tail')?.textContent ?? ''}`.replace(/\s+/g, ' ').trim();
  }).catch(() => '');
}

/** Types in the composer and presses Enter (the script's Enter-sends). */
async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

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
      await expect.poll(() => page.locator('.msg-assistant').last().locator('.msg-status').count()).toBe(0);
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

  it('rename from the thread header updates the title and the sidebar', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Something to rename');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      await page.locator('#thread-head summary', { hasText: 'Rename' }).click();
      await page.getByLabel('Title', { exact: true }).fill('My renamed chat');
      await page.locator('#thread-head').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('My renamed chat');
      await page.reload();
      expect(await page.locator('h1').textContent()).toBe('My renamed chat');
      expect(await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'My renamed chat' }).count()).toBe(1);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('delete asks first, then removes the thread for good', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Something to delete');
      await page.waitForURL(/\/threads\//);
      const threadUrl = page.url();
      await expect.poll(() => lastStatus(page)).toBe('complete');
      const confirm = page.getByRole('button', { name: 'Delete for good' });
      expect(await confirm.isVisible()).toBe(false);
      await page.locator('#thread-head summary', { hasText: 'Delete' }).click();
      expect(await page.getByText('This cannot be undone').isVisible()).toBe(true);
      await confirm.click();
      await page.waitForURL((u) => !u.pathname.includes('/threads/'));
      expect(await page.locator('h1').textContent()).toBe('New chat');
      expect(await page.getByRole('link', { name: 'A Short Fake Title' }).count()).toBe(0);
      const gone = await page.goto(threadUrl);
      expect(gone?.status()).toBe(404);
    } finally { await tab.close(); }
  });

  it("switching the thread's model in the header menu sends the next message to that model", async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      // The menu offers the fast list, filled from Settings.
      await page.goto(f.live.pageUrl('/settings'));
      await page.locator('#model-mistral-large-latest').getByRole('button', { name: /Add to fast list/ }).click();
      await expect.poll(() => page.locator('#model-mistral-large-latest button').getAttribute('aria-pressed')).toBe('true');
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'First, on the default model');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      expect((f.fake.chatRequests.at(-1)?.body as { model: string }).model).toBe('mistral-small-latest');
      await page.locator('details.model-menu summary').click();
      await page.getByLabel('Model', { exact: true }).selectOption('mistral-large-latest');
      await page.locator('details.model-menu').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('details.model-menu summary').textContent()).toContain('mistral-large-latest');
      const before = f.fake.chatRequests.length;
      await send(page, 'Now on the large one');
      await expect.poll(() => f.fake.chatRequests.length).toBe(before + 1);
      expect((f.fake.chatRequests.at(-1)?.body as { model: string }).model).toBe('mistral-large-latest');
      await expect.poll(() => page.locator('.msg-assistant').count()).toBe(2);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      expect(await page.locator('.msg-assistant').last().locator('.msg-model').textContent()).toBe('mistral-large-latest');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('the Copy button on a code block puts exactly the code on the clipboard and says so', async () => {
    f.fake.enqueue({ tokens: ['Try this:\n\n', '```js\n', 'const answer = 42;\n', 'console.log(answer);\n', '```\n'] });
    const token = await signedInToken(f.live);
    const tab = await openTab(f.browser, f.live, { token, extra: { permissions: ['clipboard-read', 'clipboard-write'] } });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Some code please');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      const button = page.locator('.msg-assistant .code button.copy');
      await expect.poll(() => button.isVisible()).toBe(true);
      await button.click();
      await expect.poll(() => button.textContent()).toBe('Copied');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied.trim()).toBe('const answer = 42;\nconsole.log(answer);');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it("the answer's Copy button puts the whole answer's text on the clipboard, without the buttons' labels", async () => {
    f.fake.enqueue({ tokens: ['First paragraph with **bold**.\n\n', '- one\n- two\n\n', '```js\nlet x = 1;\n```\n\n', 'Last line.'] });
    const token = await signedInToken(f.live);
    const tab = await openTab(f.browser, f.live, { token, extra: { permissions: ['clipboard-read', 'clipboard-write'] } });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await send(page, 'Copy me');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      const button = page.locator('.msg-assistant .msg-foot button.copy');
      await expect.poll(() => button.isVisible()).toBe(true);
      await button.click();
      await expect.poll(() => button.textContent()).toBe('Copied');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      const lines = copied.split('\n').map((l) => l.trim()).filter(Boolean);
      expect(lines).toEqual(['First paragraph with bold.', 'one', 'two', 'let x = 1;', 'Last line.']);
      await expect.poll(() => button.textContent(), { timeout: 5000 }).toBe('Copy');
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
      expect(await page.locator('.msg-user').last().textContent().then((t) => t?.trim())).toBe('line one\nline two');
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

  it('dark mode follows the system on the thread page', async () => {
    const token = await signedInToken(f.live);
    const first = await openTab(f.browser, f.live, { token });
    let threadUrl = '';
    try {
      await first.page.goto(f.live.pageUrl('/'));
      await send(first.page, 'Light or dark?');
      await first.page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(first.page)).toBe('complete');
      threadUrl = first.page.url();
    } finally { await first.close(); }
    const colours = async (colorScheme: 'light' | 'dark') => {
      const tab = await openTab(f.browser, f.live, { token, colorScheme });
      try {
        await tab.page.goto(threadUrl);
        return await tab.page.evaluate(() => ({
          body: getComputedStyle(document.body).backgroundColor,
          text: getComputedStyle(document.querySelector('.msg-assistant .md')!).color,
          composer: getComputedStyle(document.querySelector('#content')!).backgroundColor,
        }));
      } finally { await tab.close(); }
    };
    const [light, dark] = [await colours('light'), await colours('dark')];
    expect(luminance(light.body)).toBeGreaterThan(0.8);
    expect(luminance(dark.body)).toBeLessThan(0.1);
    expect(luminance(dark.text)).toBeGreaterThan(0.5);
    expect(luminance(light.text)).toBeLessThan(0.2);
    expect(dark.composer).not.toBe(light.composer);
  });
});

/** Relative luminance (0 black … 1 white) of a computed rgb()/rgba() colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
