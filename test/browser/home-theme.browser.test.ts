// The home composer's model choice (JS on and off, phone and desktop), the Appearance setting applied against the
// device's colour scheme, and the web app manifest through nginx under /chat/.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { openTab, type Look, type Tab } from '../support/browser.ts';
import { describeInBrowser, expectNoProblems, useChatApp, type ChatFixture } from './suite.ts';

const DARK_BG = 'rgb(24, 24, 27)';
// The select is as wide as its widest option: a long name must not push it onto a line of its own on the phone.
const LONG_ID = 'mistralai/Mistral-Small-3.2-24B-Instruct-2506';
const LIGHT_BG = 'rgb(255, 255, 255)';
const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const colorScheme = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);

/** A signed-in tab for a new user whose fast list is codestral, magistral and a long self-hosted name (default: mistral-large-latest). */
async function userTab(f: ChatFixture, look: Look = {}): Promise<Tab & { userId: number }> {
  const user = await createUser(f.live.db, { email: `ht-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Home Tester' });
  await updateSettings(f.live.db, user.id, { defaultModel: 'mistral-large-latest', fastModels: ['codestral-latest', 'magistral-medium-latest', LONG_ID] });
  const tab = await openTab(f.browser, f.live, { ...look, token: await issueToken(f.live.db, user.id, { ttlDays: 1 }) });
  return Object.assign(tab, { userId: user.id });
}

describeInBrowser('model choice on the home page, appearance', {}, () => {
  const f = useChatApp();

  for (const javaScript of [true, false]) {
    it(`JS ${javaScript ? 'on, phone' : 'off, desktop'}: the chosen model creates the chat and answers its first message`, async () => {
      const tab = await userTab(f, { javaScript, phone: javaScript });
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl('/'));
        const select = page.getByRole('combobox', { name: 'Model' });
        expect(await select.locator('option').allTextContents()).toEqual(['Default (mistral-large-latest)', 'codestral-latest', 'magistral-medium-latest', LONG_ID]);
        // Compact: in the action row, on Send's line, not a block of its own.
        const send = page.getByRole('button', { name: 'Send' });
        const [s, b] = [await select.boundingBox(), await send.boundingBox()];
        expect(Math.abs((s!.y + s!.height / 2) - (b!.y + b!.height / 2))).toBeLessThan(4);
        expect(s!.x + s!.width).toBeLessThanOrEqual(b!.x);
        expect(s!.height).toBeLessThan(48);
        await select.selectOption('codestral-latest');
        await page.getByLabel('Message', { exact: true }).fill('Which model are you?');
        const before = f.fake.chatRequests.length;
        await send.click();
        await expect.poll(() => f.fake.chatRequests.length).toBe(before + 1);
        expect((f.fake.chatRequests.at(-1)!.body as { model: string }).model).toBe('codestral-latest');
        await page.waitForURL(/\/threads\//);
        const id = /\/threads\/([^/?#]+)/.exec(page.url())![1];
        expect((await f.live.db('threads').where({ id }).first()).model).toBe('codestral-latest');
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });

    it(`JS ${javaScript ? 'on' : 'off'}: a model gone from the fast list meanwhile is refused clearly; text and choice stay`, async () => {
      const tab = await userTab(f, { javaScript });
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl('/'));
        // Removed in another tab after this page was shown.
        await updateSettings(f.live.db, tab.userId, { fastModels: ['codestral-latest'] });
        await page.getByRole('combobox', { name: 'Model' }).selectOption('magistral-medium-latest');
        await page.getByLabel('Message', { exact: true }).fill('Keep this text');
        const before = f.fake.chatRequests.length;
        await page.getByRole('button', { name: 'Send' }).click();
        const error = page.locator('#composer-model-error');
        await expect.poll(() => error.textContent()).toContain('magistral-medium-latest is not in your fast list of models');
        expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Keep this text');
        expect(await page.getByRole('combobox', { name: 'Model' }).inputValue()).toBe('magistral-medium-latest');
        expect(await page.getByRole('combobox', { name: 'Model' }).getAttribute('aria-invalid')).toBe('true');
        expect(f.fake.chatRequests.length).toBe(before);
        // Choosing another sends.
        await page.getByRole('combobox', { name: 'Model' }).selectOption('');
        await page.getByRole('button', { name: 'Send' }).click();
        await expect.poll(() => f.fake.chatRequests.length).toBe(before + 1);
        expect((f.fake.chatRequests.at(-1)!.body as { model: string }).model).toBe('mistral-large-latest');
        expectNoProblems(tab, [/status of 422/, /^422 /]);
      } finally { await tab.close(); }
    });

    it(`JS ${javaScript ? 'on' : 'off'}: Dark chosen in Settings wins over a light device, Light over a dark one`, async () => {
      const light = await userTab(f, { javaScript, colorScheme: 'light' });
      try {
        const { page } = light;
        await page.goto(f.live.pageUrl('/settings'));
        expect(await background(page)).toBe(LIGHT_BG);
        await page.getByRole('radio', { name: 'Dark' }).check();
        await page.getByRole('button', { name: 'Save appearance' }).click();
        await page.waitForURL(/saved=appearance/);
        expect(await background(page)).toBe(DARK_BG);
        expect(await colorScheme(page)).toBe('dark');
        expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
        // Every page, after a reload too.
        await page.goto(f.live.pageUrl('/'));
        expect(await background(page)).toBe(DARK_BG);
        expectNoProblems(light);
      } finally { await light.close(); }

      const dark = await userTab(f, { javaScript, colorScheme: 'dark' });
      try {
        const { page } = dark;
        await page.goto(f.live.pageUrl('/settings'));
        expect(await background(page)).toBe(DARK_BG); // System follows the device
        await page.getByRole('radio', { name: 'Light' }).check();
        await page.getByRole('button', { name: 'Save appearance' }).click();
        await page.waitForURL(/saved=appearance/);
        expect(await background(page)).toBe(LIGHT_BG);
        expect(await colorScheme(page)).toBe('light');
        expectNoProblems(dark);
      } finally { await dark.close(); }
    });
  }

  it("the sidebar's switch (JS on) moves System → Light → Dark on the page it was pressed on; signed out follows the device", async () => {
    const tab = await userTab(f, { colorScheme: 'dark' });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/threads'));
      expect(await background(page)).toBe(DARK_BG);
      await page.getByRole('button', { name: /^Appearance: System/ }).click();
      await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
      expect(new URL(page.url()).pathname).toBe(new URL(f.live.pageUrl('/threads')).pathname);
      expect(await background(page)).toBe(LIGHT_BG);
      await page.getByRole('button', { name: /^Appearance: Light/ }).click();
      await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
      expect(await background(page)).toBe(DARK_BG);
      expectNoProblems(tab);
    } finally { await tab.close(); }
    for (const scheme of ['light', 'dark'] as const) {
      const out = await openTab(f.browser, f.live, { colorScheme: scheme });
      try {
        await out.page.goto(f.live.pageUrl('/login'));
        expect(await background(out.page)).toBe(scheme === 'dark' ? DARK_BG : LIGHT_BG);
      } finally { await out.close(); }
    }
  });
});
