// Export and import in Chromium under /chat: the Account upload form with JavaScript off and on (multipart, CSRF from
// the form), the thread header's Export links and Account's "Download all as JSON" as real downloads.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeInBrowser, expectNoProblems, signedInTab, useBrowserAndApp } from './suite.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures/transfer', name));
const owui = JSON.parse(fixture('openwebui-chat-export.json').toString('utf8'));
const oneChat = Buffer.from(JSON.stringify([owui[0]]));

describeInBrowser('export and import', {}, () => {
  const f = useBrowserAndApp({ BASE_PATH: '/chat' });

  it('JavaScript off: upload a file in Account, see the conversations; a bad file says why and imports nothing', async () => {
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/account'));
      const section = page.locator('#transfer');
      expect(await section.getByRole('heading').textContent()).toBe('Export and import');
      await page.getByLabel('Import conversations').setInputFiles({ name: 'chat-export.json', mimeType: 'application/json', buffer: fixture('openwebui-chat-export.json') });
      await section.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/chat\/account#transfer$/);
      expect(await page.locator('.flash-ok').textContent()).toContain('Imported 2 conversations.');
      const sidebar = page.locator('nav, aside').filter({ hasText: 'Primes' }).first();
      expect(await sidebar.textContent()).toContain('Hello in French');

      await page.getByLabel('Import conversations').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"oops":') });
      await section.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/chat\/account#transfer$/);
      expect(await page.locator('.flash-error').textContent()).toContain('Nothing was imported. The file is not valid JSON');

      // A file of one conversation opens it, on its current branch.
      await page.getByLabel('Import conversations').setInputFiles({ name: 'one.json', mimeType: 'application/json', buffer: oneChat });
      await section.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/chat\/threads\/[A-Za-z0-9_-]+#latest$/);
      expect(await page.locator('h1').first().textContent()).toBe('Primes');
      const text = await page.locator('#messages').textContent();
      expect(text).toContain('Two, three and seven.');
      expect(text).not.toContain('2, 3 and 5.');
      expectNoProblems(tab);
    } finally {
      await tab.close();
    }
  });

  it('JavaScript on (phone): upload in Account opens the thread; its Export menu downloads Markdown and JSON', async () => {
    const tab = await signedInTab(f, { phone: true });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/account'));
      await page.getByLabel('Import conversations').setInputFiles({ name: 'one.json', mimeType: 'application/json', buffer: oneChat });
      await page.locator('#transfer').getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/chat\/threads\/[A-Za-z0-9_-]+#latest$/);
      expect(await page.locator('h1').first().textContent()).toBe('Primes');
      const threadId = /threads\/([^#/?]+)/.exec(page.url())![1];

      const menu = page.locator('.menu-export');
      await menu.locator('summary').click();
      const md = menu.getByRole('link', { name: /Markdown/ });
      expect(await md.isVisible()).toBe(true);
      expect(await md.getAttribute('href')).toBe(`/chat/api/thread/${threadId}/export?format=md`);
      const [mdDownload] = await Promise.all([page.waitForEvent('download'), md.click()]);
      expect(mdDownload.suggestedFilename()).toMatch(/^mistralchat-primes-\d{4}-\d\d-\d\d\.md$/);
      const mdText = readFileSync(await mdDownload.path(), 'utf8');
      expect(mdText).toMatch(/^# Primes\n/);
      expect(mdText).toContain('## Mistral (mistral:7b)');
      expect(mdText).toContain('$2+3+7 = 12$');
      expect(mdText).not.toContain('2, 3 and 5.');

      if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
      const [jsonDownload] = await Promise.all([page.waitForEvent('download'), menu.getByRole('link', { name: /JSON/ }).click()]);
      expect(jsonDownload.suggestedFilename()).toMatch(/^mistralchat-primes-\d{4}-\d\d-\d\d\.json$/);
      const doc = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8'));
      expect(doc.thread.messages.map((m: { content: string }) => m.content)).toContain('2, 3 and 5.');
      expect(doc.thread.messages).toHaveLength(5);

      // On the phone the header shows the icon only, the word stays for screen readers.
      const label = menu.locator('summary .lbl');
      expect(await label.textContent()).toBe('Export');
      expect((await label.boundingBox())!.width).toBeLessThanOrEqual(1);
      // The header's buttons still fit the phone: nothing sideways, Export beside Delete on the same row.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      const [exp, del] = [await menu.locator('summary').boundingBox(), await page.locator('.menu-delete summary').boundingBox()];
      expect(Math.abs(exp!.y - del!.y)).toBeLessThan(4);
      expectNoProblems(tab);
    } finally {
      await tab.close();
    }
  });

  it('Account: "Download all as JSON" is the whole account', async () => {
    const tab = await signedInTab(f, { javaScript: false });
    try {
      const { page } = tab;
      const res = await page.request.post(f.live.pageUrl('/api/import'), { headers: { 'Content-Type': 'application/json' }, data: fixture('openwebui-chat-export.json').toString('utf8') }).catch(() => null);
      // Without the page's CSRF token the cookie request is refused; the form is how a browser imports.
      expect(res?.status()).toBe(403);
      await page.goto(f.live.pageUrl('/account'));
      await page.getByLabel('Import conversations').setInputFiles({ name: 'chat-export.json', mimeType: 'application/json', buffer: fixture('openwebui-chat-export.json') });
      await page.locator('#transfer').getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/chat\/account#transfer$/);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download all as JSON' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^mistralchat-account-\d{4}-\d\d-\d\d\.json$/);
      const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(doc.format).toBe('mistralchat');
      expect(doc.threads.map((x: { title: string }) => x.title).sort()).toEqual(['Hello in French', 'Primes']);
      expectNoProblems(tab, [/^403 .*\/chat\/api\/import$/]);
    } finally {
      await tab.close();
    }
  });
});
