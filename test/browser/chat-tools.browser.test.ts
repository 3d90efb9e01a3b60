// The thread's tools with JavaScript on, in real Chromium against the real app and the fake Mistral upstream:
// rename, delete, switch the model, copy a code block and an answer's markdown source, dark mode following the system.
import { expect, it } from 'vitest';
import { openTab, signedInToken } from '../support/browser.ts';
import { lastStatus, send, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

describeInBrowser('thread tools with JavaScript on', {}, () => {
  const f = useChatApp();

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
      // A blank title is refused where it was typed: the menu stays open with the error and the typed text.
      await page.locator('#thread-head summary', { hasText: 'Rename' }).click();
      await page.getByLabel('Title', { exact: true }).fill('   ');
      await page.locator('#thread-head').getByRole('button', { name: 'Save' }).click();
      const error = page.locator('#thread-head .field-error');
      await expect.poll(() => error.isVisible()).toBe(true);
      expect(await error.textContent()).toBe('Give the conversation a title.');
      expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('   ');
      expect(await page.locator('h1').textContent()).toBe('My renamed chat');
      await page.reload();
      expect(await page.locator('h1').textContent()).toBe('My renamed chat');
      expect(await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'My renamed chat' }).count()).toBe(1);
      // The refused rename's 422 is logged by Chromium: expected, nothing else.
      expectNoProblems(tab, [SSE_CLOSED, /status of 422/, /^422 \S+\/rename$/]);
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
      expect(await button.getAttribute('aria-label')).toBe('Copy code');
      await button.click();
      await expect.poll(() => button.textContent()).toBe('Copied');
      // Exactly the code: no label, no trailing newline (pasted into a shell, it would run the last line).
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('const answer = 42;\nconsole.log(answer);');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it("the answer's Copy puts its markdown source on the clipboard, math and code fences as written; none on a failed empty answer", async () => {
    const source = 'First paragraph with **bold** and $x^2 + \\frac{a}{b}$.\n\n$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$\n\n- one\n- two\n\n```js\nlet x = 1;\n```\n\nLast line.';
    // Streamed in pieces: Copy appears once the stream's "done" swaps in the final footer.
    f.fake.enqueue({ tokens: source.match(/[\s\S]{1,12}/g)!, tokenDelayMs: 20 });
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
      expect(await button.getAttribute('aria-label')).toBe('Copy answer');
      await button.click();
      await expect.poll(() => button.textContent()).toBe('Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(source);
      await expect.poll(() => button.textContent(), { timeout: 5000 }).toBe('Copy');
      // A failed answer with no text has nothing to copy: no button, while the earlier answer keeps its own.
      f.fake.enqueue({ status: 500 });
      await send(page, 'This one fails');
      await expect.poll(() => lastStatus(page)).toBe('failed');
      expect(await page.locator('.msg-assistant').last().locator('button.copy').count()).toBe(0);
      await page.reload();
      expect(await page.locator('.msg-assistant').last().locator('button.copy').count()).toBe(0);
      expect(await page.locator('.msg-assistant').first().locator('.msg-foot button.copy').count()).toBe(1);
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
