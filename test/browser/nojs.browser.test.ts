// Everything a text user needs with JavaScript OFF: register, sign in, send, read the answer as it is written into
// the page (one response, no reload, no refresh), stop, rename, delete, settings. Plain forms only.
import { expect, it } from 'vitest';
import { openTab } from '../support/browser.ts';
import { lastStatus, register, signIn, signOut } from './flows.ts';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

describeInBrowser('JavaScript off', {}, () => {
  const f = useChatApp();
  const base = (p: string) => f.live.pageUrl(p);

  it('register and sign in with plain forms', async () => {
    const tab = await openTab(f.browser, f.live, { javaScript: false });
    const who = { name: 'Noscript Nell', email: `nell-${Date.now()}@example.com`, password: 'no scripts here' };
    try {
      const { page } = tab;
      await register(page, base, who);
      await page.waitForURL(base('/'));
      expect(await page.locator('h1').textContent()).toBe('New chat');
      await signOut(page, base);
      await page.waitForURL(base('/login'));
      await signIn(page, base, who);
      await page.waitForURL(base('/'));
      expect(await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Noscript Nell' }).count()).toBe(1);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('send by the form: the answer is written into the page as it arrives, and what is typed meanwhile stays', async () => {
    // Each paragraph in two tokens: its first half is an unfinished paragraph for 500 ms.
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} goes on.\n\n`);
    f.fake.enqueue({ tokens: paragraphs.flatMap((p) => [p.slice(0, 12), p.slice(12)]), tokenDelayMs: 500 });
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      const navigations: string[] = [];
      page.on('framenavigated', (fr) => { if (fr === page.mainFrame()) navigations.push(fr.url()); });
      await page.goto(base('/'));
      await page.getByLabel('Message', { exact: true }).fill('Take your time');
      const before = navigations.length;
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\/[^?]+\?follow=\d+/, { waitUntil: 'commit' });
      // While the answer is written: the composer is there and keeps what is typed; Stop is offered.
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('Typed while it streams');
      expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(1);
      const shown = () => page.locator('.msg-assistant').last().locator('.md').textContent({ timeout: 1000 }).then((t) => (t ?? '').replace(/\s+/g, ' ').trim()).catch(() => '');
      // The unfinished paragraph's draft, as shown (CSS generated text of the one visible .ftail).
      const draft = () => page.evaluate(() => [...document.querySelectorAll('.ftail')].filter((e) => getComputedStyle(e).display !== 'none')
        .map((e) => getComputedStyle(e, '::before').content).join('|')).catch(() => '');
      const seen: string[] = [];
      const drafts = new Set<string>();
      const final = paragraphs.map((p) => p.trim()).join(' ');
      await expect.poll(async () => {
        const t = await shown();
        if (seen.at(-1) !== t) seen.push(t);
        const d = await draft();
        if (d) drafts.add(d);
        return t;
      }, { timeout: 20_000, interval: 100 }).toBe(final);
      // It grew in pieces, one page load, no reload, no refresh; unfinished paragraphs showed as drafts, one at a time.
      expect(seen.filter((t) => t && t !== final).length, seen.join(' | ')).toBeGreaterThanOrEqual(2);
      expect([...drafts].some((d) => /^"Paragraph \d"$/.test(d)), [...drafts].join(', ')).toBe(true);
      expect([...drafts].every((d) => !d.includes('|')), [...drafts].join(', ')).toBe(true);
      await expect.poll(draft).toBe('');
      await expect.poll(() => lastStatus(page)).toBe('complete');
      expect(navigations.length - before).toBe(1);
      expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
      expect(await box.inputValue()).toBe('Typed while it streams');
      expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
      // The composer shows below the messages, as on every thread page.
      const [messagesBox, composerBox] = [await page.locator('#messages').boundingBox(), await page.locator('#composer').boundingBox()];
      expect(composerBox!.y).toBeGreaterThan(messagesBox!.y);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('Stop is a plain form: it ends a running answer and keeps the partial text', async () => {
    f.fake.enqueue({ tokens: ['Partial answer.\n\n', 'More'], tokenDelayMs: 50, hang: true });
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/'));
      await page.getByLabel('Message', { exact: true }).fill('Talk forever, no scripts');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\//, { waitUntil: 'commit' });
      const threadPath = new URL(page.url()).pathname;
      const shown = () => page.locator('.msg-assistant').last().evaluate((el) =>
        `${el.querySelector('.md')?.textContent ?? ''}${el.querySelector('.tail')?.textContent ?? ''}`.replace(/\s+/g, ' ').trim(), undefined, { timeout: 1000 }).catch(() => null);
      // The finished first paragraph is written into the page; the answer is still running.
      await expect.poll(shown, { timeout: 15_000, interval: 250 }).toBe('Partial answer.');
      const aborted = f.fake.aborted;
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => lastStatus(page), { timeout: 15_000 }).toBe('stopped');
      expect(new URL(page.url()).pathname).toBe(threadPath);
      await expect.poll(() => f.fake.aborted).toBeGreaterThan(aborted);
      expect(await page.locator('.msg-assistant .msg-status').last().textContent()).toBe('Stopped.');
      expect(await shown()).toBe('Partial answer. More');
      expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
      // Copy buttons need the script: without it they are not in the page at all.
      expect(await page.locator('button.copy').count()).toBe(0);
      // Stop leaves the page that was still being written: Chromium reports that page's load as aborted.
      expectNoProblems(tab, [/\?follow=\d+ net::ERR_ABORTED$/]);
    } finally { await tab.close(); }
  });

  it('rename and delete through the header menus', async () => {
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/'));
      await page.getByLabel('Message', { exact: true }).fill('Rename me then delete me');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\//);
      const threadPath = new URL(page.url()).pathname;
      await expect.poll(() => lastStatus(page), { timeout: 15_000 }).toBe('complete');
      // A blank title: the thread page again, Rename open with a visible error, the messages and the sidebar there.
      await page.locator('#thread-head summary', { hasText: 'Rename' }).click();
      await page.getByLabel('Title', { exact: true }).fill('   ');
      await page.locator('#thread-head').getByRole('button', { name: 'Save' }).click();
      await page.waitForURL((u) => u.pathname.endsWith('/rename'));
      expect(await page.locator('#thread-head .field-error').isVisible()).toBe(true);
      expect(await page.locator('#thread-head .field-error').textContent()).toBe('Give the conversation a title.');
      expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('   ');
      expect((await page.locator('.msg-user .msg-body').last().textContent())?.trim()).toBe('Rename me then delete me');
      const sidebarLink = page.getByRole('navigation', { name: 'Conversations' }).locator(`a[href="${threadPath}#latest"]`);
      expect(await sidebarLink.count()).toBe(1);
      // The same form, corrected, renames.
      await page.getByLabel('Title', { exact: true }).fill('Renamed without scripts');
      await page.locator('#thread-head').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('h1').textContent().catch(() => null)).toBe('Renamed without scripts');
      expect(new URL(page.url()).pathname).toBe(threadPath);
      expect(await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Renamed without scripts' }).count()).toBe(1);

      await page.locator('#thread-head summary', { hasText: 'Delete' }).click();
      await page.getByRole('button', { name: 'Delete for good' }).click();
      await page.waitForURL((u) => !u.pathname.includes('/threads/'));
      expect(await page.getByRole('link', { name: 'Renamed without scripts' }).count()).toBe(0);
      expect((await page.goto(base(threadPath)))?.status()).toBe(404);
      expectNoProblems(tab, [/^404 /, /status of 404/, /status of 422/, /^422 \S+\/rename$/]);
    } finally { await tab.close(); }
  });

  it('settings: save defaults and add a model to the fast list', async () => {
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/settings'));
      await page.getByLabel('Default model').selectOption('mistral-large-latest');
      await page.getByLabel('Default context (system prompt)').fill('Be brief.');
      // The form posts and the answer sends the browser back to /settings: wait for that new page, not the old one.
      const reloaded = page.waitForEvent('load');
      await page.getByRole('button', { name: 'Save defaults' }).click();
      await reloaded;
      expect(new URL(page.url()).pathname).toBe('/settings');
      expect(await page.getByLabel('Default model').inputValue()).toBe('mistral-large-latest');
      expect(await page.getByLabel('Default context (system prompt)').inputValue()).toBe('Be brief.');
      await page.locator('#model-open-mistral-7b').getByRole('button', { name: '☆ Add to fast list' }).click();
      await expect.poll(() => page.locator('#model-open-mistral-7b button').getAttribute('aria-pressed').catch(() => null)).toBe('true');
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
