// Model settings with JavaScript OFF, as a person would use them: save a key (only its hint shown), have a wrong one
// refused with the old one kept, remove it; then switch a thread's model and context in the header's <details> menu
// and see the next message go up with that model and system message.
import { expect, it } from 'vitest';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

const GOOD_KEY = 'sk-nojs-good-key-1234';
const REFUSED_KEY = 'sk-nojs-refused-0000';

describeInBrowser('settings with JavaScript off', {}, () => {
  const f = useChatApp();
  const base = (p: string) => f.live.pageUrl(p);

  it('save a good key (hint shown), a refused key (message, old key kept), then remove the key', async () => {
    f.fake.validKeys = new Set(['test-key', GOOD_KEY]);
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/settings'));
      const key = page.locator('#key-section');
      expect(await key.textContent()).toContain('this server’s shared key answers for you');
      await page.getByLabel('API key', { exact: true }).fill(GOOD_KEY);
      await key.getByRole('button', { name: 'Check and save' }).click();
      await page.waitForURL(/\/settings\?saved=key$/);
      expect(await page.locator('.flash-ok').textContent()).toContain('Your API key was checked and saved.');
      expect(await key.textContent()).toMatch(/Your key\s+••••1234\s+is saved, encrypted/);
      expect(await page.content()).not.toContain(GOOD_KEY);

      await page.getByLabel('Replace the key', { exact: true }).fill(REFUSED_KEY);
      await key.getByRole('button', { name: 'Check and save' }).click();
      await expect.poll(() => page.locator('#apiKey-error').textContent().catch(() => null)).toMatch(/Mistral refused this API key/);
      expect(await page.getByLabel('Replace the key', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await key.textContent()).toMatch(/••••1234\s+is saved, encrypted/);
      expect(f.fake.requests.some((r) => r.path === '/v1/models' && r.headers.authorization === `Bearer ${REFUSED_KEY}`)).toBe(true);

      await key.getByRole('button', { name: 'Remove my key' }).click();
      await page.waitForURL(/\/settings\?saved=removed$/);
      expect(await key.textContent()).toContain('this server’s shared key answers for you');
      expect(await page.locator('.key-hint').count()).toBe(0);
      // The refused key's 422 is the form's answer; nothing else may fail.
      expectNoProblems(tab, [/^422 .*\/settings\/api-key$/, /status of 422/]);
    } finally {
      f.fake.validKeys = null;
      await tab.close();
    }
  });

  it("switch a thread's model and context in the header menu; the next message goes up with them", async () => {
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(base('/settings'));
      await page.locator('#model-codestral-latest').getByRole('button', { name: '☆ Add to fast list' }).click();
      await page.waitForURL(/\/settings\?saved=fast/);
      expect(await page.locator('#model-codestral-latest button').getAttribute('aria-pressed')).toBe('true');

      await page.goto(base('/'));
      // A slow first answer: the thread page is drawn while it is written, and follows it to "Done." (follow.ts).
      f.fake.enqueue({ tokens: ['Slowly', ' written.'], firstTokenDelayMs: 1500, tokenDelayMs: 200 });
      await page.getByLabel('Message', { exact: true }).fill('First, on the default model');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\//);
      const threadPath = new URL(page.url()).pathname;
      // Complete: the page was drawn after the answer ended, or the followed page (the answer was still being
      // written when it was drawn, so its data-status stays "streaming") ended with "Done.".
      const status = () => page.locator('.msg-assistant').last().evaluate((m) => (m.querySelector('.msg-complete') ? 'complete' : m.getAttribute('data-status')), undefined, { timeout: 1000 }).catch(() => null);
      await expect.poll(status, { timeout: 20_000, interval: 250 }).toBe('complete');
      expect((f.fake.chatRequests.at(-1)?.body as { model: string }).model).toBe('mistral-small-latest');

      // A <details> menu opens without scripts; the default model (Mistral Small 4) offers "Think harder".
      const menu = page.locator('details.model-menu');
      await menu.locator('summary').click();
      expect(await menu.getAttribute('open')).not.toBeNull();
      expect(await menu.getByLabel('Think harder').count()).toBe(1);
      await page.getByLabel('Model', { exact: true }).selectOption('codestral-latest');
      await page.getByLabel('Context for this chat').fill('You review code, tersely.');
      await menu.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('details.model-menu summary').textContent().catch(() => null)).toContain('codestral-latest');
      expect(new URL(page.url()).pathname).toBe(threadPath);
      await page.locator('details.model-menu summary').click();
      expect(await page.getByLabel('Context for this chat').inputValue()).toBe('You review code, tersely.');
      expect(await page.locator('details.model-menu').getByLabel('Think harder').count()).toBe(0); // codestral has no adjustable reasoning

      const before = f.fake.chatRequests.length;
      await page.getByLabel('Message', { exact: true }).fill('Now on codestral');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => f.fake.chatRequests.length).toBe(before + 1);
      const body = f.fake.chatRequests.at(-1)!.body as { model: string; messages: Array<{ role: string; content: unknown }>; reasoning_effort?: string };
      expect(body.model).toBe('codestral-latest');
      expect(body.messages[0]).toEqual({ role: 'system', content: 'You review code, tersely.' });
      expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'Now on codestral' });
      expect(body.reasoning_effort).toBeUndefined();
      await expect.poll(status, { timeout: 20_000, interval: 250 }).toBe('complete');
      expect(await page.locator('.msg-assistant').last().locator('.msg-model').last().textContent()).toBe('codestral-latest');
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
