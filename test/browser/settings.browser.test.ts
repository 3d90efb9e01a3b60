// Settings with JavaScript on: a key checked against the (fake) Mistral before it is saved, a model added to the
// fast list, and the default model reaching the upstream on the next new chat.
import { expect, it } from 'vitest';
import { describeInBrowser, expectNoProblems, signedInTab, useChatApp } from './suite.ts';

describeInBrowser('settings with JavaScript on', {}, () => {
  const f = useChatApp();

  it('a wrong key is refused, a good one is saved (shown only as a hint), and a model joins the fast list', async () => {
    f.fake.validKeys = new Set(['test-key', 'sk-user-good-0123456789']);
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/settings'));
      const key = page.locator('#key-section');
      await page.getByLabel('API key', { exact: true }).fill('sk-user-bad-000000000');
      await key.getByRole('button', { name: 'Check and save' }).click();
      await expect.poll(() => page.locator('#apiKey-error').textContent()).toMatch(/\S/);
      expect(await page.getByLabel('API key', { exact: true }).getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('API key', { exact: true }).fill('sk-user-good-0123456789');
      await page.locator('#key-section').getByRole('button', { name: 'Check and save' }).click();
      await expect.poll(() => page.locator('#key-section').textContent()).toMatch(/is saved, encrypted/);
      const hint = await page.locator('.key-hint').textContent();
      expect(hint).not.toContain('sk-user-good-0123456789');
      expect(f.fake.requests.some((r) => r.path === '/v1/models' && r.headers.authorization === 'Bearer sk-user-good-0123456789')).toBe(true);

      const card = page.locator('#model-codestral-latest');
      await card.getByRole('button', { name: '☆ Add to fast list' }).click();
      await expect.poll(() => card.getByRole('button').getAttribute('aria-pressed')).toBe('true');
      expect(await page.locator('#model-codestral-latest').getByRole('button').textContent()).toContain('In fast list');
      await page.reload();
      expect(await page.locator('#model-codestral-latest button').getAttribute('aria-pressed')).toBe('true');
      expect(await page.locator('#key-section').textContent()).toMatch(/is saved, encrypted/);
      // The wrong key's 422 is the form's answer; nothing else may fail.
      expectNoProblems(tab, [/^422 .*\/settings\/api-key$/, /status of 422/]);
    } finally {
      f.fake.validKeys = null;
      await tab.close();
    }
  });

  it('the default model and context saved here reach Mistral with the next new chat', async () => {
    const tab = await signedInTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/settings'));
      await page.getByLabel('Default model').selectOption('magistral-medium-latest');
      await page.getByLabel('Default context (system prompt)').fill('Answer like a pirate.');
      const saved = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/settings/defaults'));
      await page.getByRole('button', { name: 'Save defaults' }).click();
      // Saved means a redirect back to Settings (HX-Location): let htmx follow it before reloading.
      expect((await saved).status()).toBe(204);
      await page.waitForLoadState('networkidle');
      await page.reload();
      expect(await page.getByLabel('Default model').inputValue()).toBe('magistral-medium-latest');
      expect(await page.getByLabel('Default context (system prompt)').inputValue()).toBe('Answer like a pirate.');

      const before = f.fake.chatRequests.length;
      await page.goto(f.live.pageUrl('/'));
      await page.getByLabel('Message', { exact: true }).fill('Ahoy?');
      await page.getByLabel('Message', { exact: true }).press('Enter');
      await expect.poll(() => f.fake.chatRequests.length).toBe(before + 1);
      const body = f.fake.chatRequests.at(-1)!.body as { model: string; messages: Array<{ role: string; content: unknown }> };
      expect(body.model).toBe('magistral-medium-latest');
      expect(body.messages[0]).toMatchObject({ role: 'system', content: 'Answer like a pirate.' });
    } finally { await tab.close(); }
  });

  it('saving the key or the defaults keeps the whole page: top bar, sidebar, landmarks, from the top; Back too', async () => {
    f.fake.validKeys = new Set(['test-key', 'sk-user-good-0123456789']);
    // The phone: the defaults form is below the fold, so "from the top" means something.
    const tab = await signedInTab(f, { phone: true });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await page.goto(f.live.pageUrl('/settings'));
      const shellIsWhole = async () => {
        for (const sel of ['header.topbar', 'nav#sidebar[aria-label="Conversations"]', 'main#main', 'a.skip']) {
          expect(await page.locator(sel).count(), sel).toBe(1);
        }
        expect(await page.locator('body > main').count()).toBe(0);
        expect(await page.locator('h1').textContent()).toBe('Settings');
      };
      await page.getByLabel('API key', { exact: true }).fill('sk-user-good-0123456789');
      await page.locator('#key-section').getByRole('button', { name: 'Check and save' }).click();
      await expect.poll(() => page.locator('.flash-ok').textContent()).toBe('Your API key was checked and saved.');
      await shellIsWhole();
      expect(new URL(page.url()).search).toBe('?saved=key');

      await page.getByLabel('Default context (system prompt)').fill('Be brief.');
      await page.getByRole('button', { name: 'Save defaults' }).scrollIntoViewIfNeeded();
      expect(await page.evaluate(() => scrollY)).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Save defaults' }).click();
      await expect.poll(() => page.locator('.flash-ok').textContent()).toBe('Your defaults were saved.');
      await shellIsWhole();
      expect(await page.evaluate(() => scrollY)).toBe(0);
      expect(await page.title()).toMatch(/^Settings/);

      // Back to ?saved=key: htmx keeps no history cache, so it asks the server again (a history restore).
      await page.goBack();
      await expect.poll(() => page.locator('.flash-ok').textContent()).toBe('Your API key was checked and saved.');
      await shellIsWhole();
      expectNoProblems(tab);
    } finally {
      f.fake.validKeys = null;
      await tab.close();
    }
  });
});
