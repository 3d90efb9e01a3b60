// Branches without JavaScript (issue 11), on the phone and the desktop: Edit opens the edit page and its form's
// answer is written into the followed page; Regenerate and "Other model" (a page with the choice) the same; ‹ and ›
// are a plain form. Then a thread with versions as w3m and lynx read it, and one edit + switch with JavaScript under
// /chat/ through docs/deploy/nginx.conf.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { openTab, startLiveApp, type LiveApp, type Look } from '../support/browser.ts';
import type { FakeMistral } from '../support/fake-mistral.ts';
import type { RunningNginx } from '../support/nginx.ts';
import { checkTextBrowsers } from '../support/text-browsers.ts';
import { branchedThread, oneExchange } from './data.ts';
import { answerText, lastStatus, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, REQUIRE_BROWSER, useChatApp } from './suite.ts';
import { chatBehindNginx, type ProxiedChat } from './proxied.ts';

const where = (phone: boolean) => (phone ? 'phone' : 'desktop');
const texts = (page: Page, sel: string) => page.locator(sel).allInnerTexts().then((a) => a.map((s) => s.trim()));
/** The followed page (?follow=) ends with the whole answer and its final footer. */
const followed = async (page: Page, final: string) => {
  await page.waitForURL(/\?follow=\d+/, { waitUntil: 'commit' });
  await expect.poll(() => answerText(page), { timeout: 15_000 }).toBe(final);
  await expect.poll(() => page.locator('.msg-assistant footer.msg-foot').count(), { timeout: 15_000 }).toBe(1);
};

/** A user with a token and a thread the data function makes. */
async function userWith<T>(live: LiveApp, make: (userId: number) => Promise<T>): Promise<{ token: string; data: T; userId: number }> {
  const user = await createUser(live.db, { email: `brn-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Brancher' });
  return { token: await issueToken(live.db, user.id, { ttlDays: 1 }), data: await make(user.id), userId: user.id };
}

describeInBrowser('branches with JavaScript off', {}, () => {
  const f = useChatApp();
  beforeEach(() => { f.fake?.reset(); });
  const tabOn = async <T extends { path: string }>(look: Look, make: (userId: number) => Promise<T>) => {
    const { token, data, userId } = await userWith(f.live, make);
    const tab = await openTab(f.browser, f.live, { ...look, javaScript: false, token });
    await tab.page.goto(f.live.pageUrl(data.path));
    return { tab, data, userId };
  };

  for (const phone of [false, true]) {
    it(`${where(phone)}: Edit opens the edit page; Save and send follows the new answer, the question at ‹ 2/2 ›`, async () => {
      f.fake.enqueue({ tokens: ['A copy', ' of a repository.'], tokenDelayMs: 100 });
      const { tab, data } = await tabOn({ phone }, (id) => oneExchange(f.live.db, id, 'What is a fork?', 'A tool with prongs.'));
      try {
        const { page } = tab;
        await page.locator(`#m-${data.q}`).getByRole('link', { name: 'Edit' }).click();
        expect(await page.locator('h1').textContent()).toBe('Edit message');
        const box = page.getByLabel('Your message', { exact: true });
        expect(await box.inputValue()).toBe('What is a fork?');
        await box.fill('What is a fork in git?');
        await page.getByRole('button', { name: 'Save and send' }).click();
        await followed(page, 'A copy of a repository.');
        expect(await texts(page, '.msg-user .msg-body')).toEqual(['What is a fork in git?']);
        expect(await texts(page, '.msg-user .versions-count')).toEqual(['2/2']);
        // Cancel on the edit page goes back to the message in its thread, unchanged.
        await page.locator('.msg-user').getByRole('link', { name: 'Edit' }).click();
        await page.getByRole('link', { name: 'Cancel' }).click();
        expect(new URL(page.url()).hash).toMatch(/^#m-\d+$/);
        expect(await texts(page, '.msg-user .msg-body')).toEqual(['What is a fork in git?']);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });

    it(`${where(phone)}: Regenerate and Other model (its page) follow each new version, by the model chosen`, async () => {
      f.fake.enqueue({ tokens: ['Again', ' said.'], tokenDelayMs: 100 }, { tokens: ['Largely', ' said.'], tokenDelayMs: 100 });
      const { tab, data, userId } = await tabOn({ phone }, (id) => oneExchange(f.live.db, id, 'Say something', 'Something.'));
      try {
        const { page } = tab;
        await updateSettings(f.live.db, userId, { fastModels: ['mistral-large-latest'] });
        await page.locator(`#m-${data.a}`).getByRole('button', { name: 'Regenerate' }).click();
        await followed(page, 'Again said.');
        expect(f.fake.chatRequests.at(-1)?.body).toMatchObject({ model: 'mistral-small-latest' });
        await page.locator('.msg-assistant').getByRole('link', { name: 'Other model' }).click();
        expect(await page.locator('h1').textContent()).toBe('Regenerate answer');
        await page.getByLabel('Model').selectOption('mistral-large-latest');
        await page.getByRole('button', { name: 'Regenerate' }).click();
        await followed(page, 'Largely said.');
        expect(await texts(page, '.msg-assistant footer.msg-foot .msg-model')).toEqual(['mistral-large-latest']);
        expect(f.fake.chatRequests.at(-1)?.body).toMatchObject({ model: 'mistral-large-latest' });
        await page.goto(f.live.pageUrl(data.path));
        expect(await texts(page, '.msg-assistant .versions-count')).toEqual(['3/3']);
        expect(await answerText(page)).toBe('Largely said.');
        // ‹ is a plain form: the version before, by the chat's model.
        await page.locator('.msg-assistant').getByRole('button', { name: 'Previous version' }).click();
        // The form's page may still be arriving on a loaded machine: read it once it is there.
        await expect.poll(() => answerText(page), { timeout: 15_000 }).toBe('Again said.');
        expect(await texts(page, '.msg-assistant .versions-count')).toEqual(['2/3']);
        expect(await texts(page, '.msg-assistant .msg-model')).toEqual(['mistral-small-latest']);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });

    it(`${where(phone)}: ‹ and › are a form: the shown branch changes, and stays on reload`, async () => {
      const { tab, data } = await tabOn({ phone }, (id) => branchedThread(f.live.db, id));
      try {
        const { page } = tab;
        await page.locator(`#m-${data.ids.a2b}`).getByRole('button', { name: 'Previous version' }).click();
        expect(new URL(page.url()).hash).toBe(`#m-${data.ids.a2a}`);
        // The form's page may still be arriving on a loaded machine: read it once it has loaded.
        await page.waitForLoadState('load');
        expect(await answerText(page)).toBe('A movable pointer to a commit.');
        expect(await texts(page, '.msg-user .msg-body')).toEqual(['What is a branch in git?']);
        await page.locator('.msg-user').getByRole('button', { name: 'Previous version' }).click();
        expect(await texts(page, '.msg-user .msg-body')).toEqual(['What is a branch?']);
        await page.reload();
        expect(await texts(page, '.msg-user .msg-body')).toEqual(['What is a branch?']);
        expect(await texts(page, '.versions-count')).toEqual(['1/2']);
        await page.getByRole('button', { name: 'Next version' }).click();
        expect(await texts(page, '.msg-user .msg-body')).toEqual(['What is a branch in git?', 'And how do I make one?']);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }
});

const run = promisify(execFile);
const textMissing = checkTextBrowsers(REQUIRE_BROWSER);

(textMissing ? describe.skip : (n: string, body: () => void) => describeInBrowser(n, { chromium: false }, body))('a thread with versions in w3m and lynx', () => {
  let live: LiveApp;
  beforeAll(async () => { live = await startLiveApp(); });
  afterAll(async () => { await live?.close(); });

  it('reads the versions, Edit, Regenerate and Other model by each message', async () => {
    const { token, data } = await userWith(live, (id) => branchedThread(live.db, id));
    const html = await (await fetch(live.pageUrl(data.path), { headers: { Cookie: `access_token=${token}` } })).text();
    const dump = async (cmd: string, args: string[]) => {
      const p = run(cmd, args, { env: { ...process.env, TERM: 'dumb' }, encoding: 'utf8', timeout: 30_000 });
      p.child.stdin!.end(html);
      return (await p).stdout;
    };
    const out = {
      w3m: await dump('w3m', ['-dump', '-T', 'text/html', '-cols', '200', '-o', 'display_charset=UTF-8']),
      lynx: await dump('lynx', ['-dump', '-stdin', '-force_html', '-width=200', '-display_charset=UTF-8', '-nolist']),
    };
    for (const [browser, text] of Object.entries(out)) {
      const thread = text.slice(text.indexOf('What is a branch in git?'));
      // w3m: "‹ 2/2 ›"; lynx marks an inert button "(BUTTON)". No message id shows (lynx prints a button's value,
      // so the buttons name their version in their URL instead).
      expect(thread.match(/‹ 2\/2 (\(BUTTON\) )?›/g), `${browser}:\n${thread}`).toHaveLength(2);
      expect(thread, browser).not.toMatch(/\(\d+\) ‹/);
      expect(thread.match(/\bEdit\b/g), browser).toHaveLength(2);
      expect(thread.match(/\bRegenerate\b/g), browser).toHaveLength(2);
      expect(thread.match(/\bOther model\b/g), browser).toHaveLength(2);
      expect(thread, browser).toMatch(/mistral-large-latest[\s\S]*And how do I make one\?[\s\S]*git switch -c name/);
      // The other branch is not in the page.
      expect(text, browser).not.toContain('What is a branch?');
    }
  });
});

describeInBrowser('branches under /chat/ through nginx', { nginx: true }, () => {
  let chat: ProxiedChat;
  let browser: Browser;
  let fake: FakeMistral;
  let live: LiveApp;
  let nginx: RunningNginx;
  beforeAll(async () => { chat = await chatBehindNginx(); ({ browser, fake, live, nginx } = chat); });
  afterAll(async () => { await chat?.close(); });

  it('edit in place, then ‹ back to the original: every request through nginx under /chat/', async () => {
    fake.enqueue({ tokens: ['Through', ' the', ' proxy.'], tokenDelayMs: 150 });
    const { token, data } = await userWith(live, (id) => oneExchange(live.db, id, 'Direct?', 'Direct.'));
    const tab = await openTab(browser, { origin: nginx.origin, config: live.config }, { token });
    const requests: string[] = [];
    tab.page.on('request', (r) => requests.push(r.url()));
    try {
      const { page } = tab;
      await page.goto(`${nginx.origin}/chat${data.path}`);
      await page.locator(`#m-${data.q}`).getByRole('link', { name: 'Edit' }).click();
      await page.getByLabel('Your message', { exact: true }).fill('Proxied?');
      await page.getByRole('button', { name: 'Save and send' }).click();
      await expect.poll(() => answerText(page), { timeout: 15_000 }).toBe('Through the proxy.');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      expect(await texts(page, '.msg-user .versions-count')).toEqual(['2/2']);
      await page.locator('#vp-root').click();
      await expect.poll(() => texts(page, '.msg-user .msg-body')).toEqual(['Direct?']);
      expect(await answerText(page)).toBe('Direct.');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('vp-root');
      expect(requests.some((u) => /\/chat\/threads\/[^/]+\/messages\/\d+\/edit$/.test(u))).toBe(true);
      expect(requests.some((u) => /\/chat\/threads\/[^/]+\/branch\?messageId=\d+$/.test(u))).toBe(true);
      for (const u of requests) expect(u.startsWith(`${nginx.origin}/chat/`), u).toBe(true);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });
});
