// Errors an htmx request meets, in real Chromium with JavaScript on: each shows its message in #flash (where the
// layout's htmx config puts any 4xx/5xx .error-box), the composer keeps what was typed, and an error never lands in
// the element the request was aimed at.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { lastStatus, pressStop, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp, type ChatFixture } from './suite.ts';

/** The refused request itself shows up as a bad response and as console lines (Chromium's and htmx's): those only. */
const refused = (status: number) => [new RegExp(`^${status} http\\S+$`), new RegExp(`status of ${status}`), new RegExp(`Response Status Error Code ${status} from`)];

const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const flash = (page: Page) => page.locator('#flash').innerText().then((s) => s.trim()).catch(() => '');

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Starts a thread from the home page (a plain form) and waits for its page. */
async function startThread(f: ChatFixture, page: Page, text: string): Promise<void> {
  await page.goto(f.live.pageUrl('/'));
  await send(page, text);
  await page.waitForURL(/\/threads\/[^/?#]+/);
}

describeInBrowser('errors with JavaScript on', {}, () => {
  const f = useChatApp();

  it('409: sending while the answer is still streaming says why in #flash; the typed text stays in the composer', async () => {
    f.fake.enqueue({ tokens: ['Still', ' going'], tokenDelayMs: 50, hang: true });
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await startThread(f, page, 'Keep talking');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('live');
      expect(await flash(page)).toBe('');
      await send(page, 'A second question, too early');
      await expect.poll(() => flash(page), { timeout: 10_000 }).toContain('still being written');
      expect(await page.locator('#flash [role="alert"]').count()).toBe(1);
      expect(await composer(page).inputValue()).toBe('A second question, too early');
      expect(await page.locator('.msg-user').count()).toBe(1);
      // The error went to #flash only: the messages list did not get an error page appended.
      expect(await page.locator('#messages .error-box').count()).toBe(0);
      expect(await pressStop(page)).toBe(200);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('stopped');
      expectNoProblems(tab, [SSE_CLOSED, ...refused(409)]);
    } finally { await tab.close(); }
  });

  it('403: an expired session (so an invalid CSRF token) says to reload, keeps the text, and a reload recovers', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await startThread(f, page, 'First');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      // Every session is gone (expired and purged, say): the page's token no longer matches anything.
      await f.live.db('sessions').delete();
      await send(page, 'Typed after the session expired');
      await expect.poll(() => flash(page), { timeout: 10_000 }).toContain('This form has expired');
      expect(await flash(page)).toContain('Reload the page');
      expect(await composer(page).inputValue()).toBe('Typed after the session expired');
      expect(await page.locator('.msg-user').count()).toBe(1);
      await page.reload();
      await send(page, 'Typed after the reload');
      await expect.poll(() => page.locator('.msg-user').count(), { timeout: 10_000 }).toBe(2);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      expect(await composer(page).inputValue()).toBe('');
      expectNoProblems(tab, [SSE_CLOSED, ...refused(403)]);
    } finally { await tab.close(); }
  });

  it('an error never replaces the element the request aimed at: a 404 shows in #flash, a proxy error page nowhere', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await startThread(f, page, 'Soon deleted elsewhere');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      const title = (await page.locator('#thread-head h1').textContent())!;
      const id = /\/threads\/([^/?#]+)/.exec(page.url())![1];
      await f.live.db('threads').where({ id }).delete();
      await page.locator('#thread-head summary', { hasText: 'Rename' }).click();
      await page.getByLabel('Title', { exact: true }).fill('Renamed too late');
      await page.locator('#thread-head').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => flash(page), { timeout: 10_000 }).toContain('There is no such conversation');
      expect(await page.locator('#thread-head h1').textContent()).toBe(title);
      expect(await page.locator('#thread-head .error-box').count()).toBe(0);
      // A proxy's own error page (no .error-box) is not swapped anywhere: the header stays, no "Bad Gateway" appears.
      await page.route('**/rename', (route) => route.fulfill({ status: 502, contentType: 'text/html',
        body: '<!doctype html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>' }));
      await page.locator('#thread-head').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => flash(page), { timeout: 10_000 }).toBe('');
      expect(await page.locator('#thread-head h1').textContent()).toBe(title);
      expect(await page.locator('body').innerText()).not.toContain('Bad Gateway');
      expectNoProblems(tab, [SSE_CLOSED, ...refused(404), ...refused(502)]);
    } finally { await tab.close(); }
  });
});

describeInBrowser('the send rate limit with JavaScript on', {}, () => {
  const f = useChatApp({ SEND_LIMIT_PER_MINUTE: '1' });

  it('429: one message too many says how long to wait in #flash; the typed text stays in the composer', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await startThread(f, page, 'The one message this minute');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      await send(page, 'One too many');
      await expect.poll(() => flash(page), { timeout: 10_000 }).toMatch(/faster than 1 messages a minute\. Wait \d+ s/);
      expect(await composer(page).inputValue()).toBe('One too many');
      expect(await page.locator('.msg-user').count()).toBe(1);
      expectNoProblems(tab, [SSE_CLOSED, ...refused(429)]);
    } finally { await tab.close(); }
  });
});
