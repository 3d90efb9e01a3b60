// Tools (issue 14) in real Chromium against the real app and the fake Mistral: switched on in the thread's model menu
// (JavaScript on, htmx) or by the Settings default (JavaScript off, plain forms), an answer's steps appear in their
// box while it streams, its sources are numbered links (a javascript: URL stays text), and a reload shows the same.
import { expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { openTab } from '../support/browser.ts';
import { conv } from '../support/fake-mistral-conversations.ts';
import { answerText, lastStatus, send, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

const script = [
  conv.started('b1', 'web_search', '{"query": "tides in Brest"}'), { pauseMs: 400 }, conv.toolDone('b1', 'web_search'), { pauseMs: 200 },
  conv.started('b2', 'code_interpreter', '{"code": "print(2**10)"}'), { pauseMs: 300 }, conv.toolDone('b2', 'code_interpreter', { code_output: '1024' }),
  conv.text('High tide '), { pauseMs: 200 }, conv.text('is at 14:02.'),
  conv.chunk(conv.reference('Tide tables', 'https://tides.example/brest'), 0, 1),
  conv.chunk(conv.reference('Trap', 'javascript:alert(1)'), 0, 2),
];

describeInBrowser('tools in the browser', {}, () => {
  const f = useChatApp();
  async function user(defaultTools: Array<'web_search' | 'code_interpreter'> = []) {
    const u = await createUser(f.live.db, { email: `tools-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Tool User' });
    if (defaultTools.length) await updateSettings(f.live.db, u.id, { defaultTools });
    return issueToken(f.live.db, u.id, { ttlDays: 1 });
  }
  const checkAnswer = async (page: import('playwright-core').Page) => {
    const last = page.locator('.msg-assistant').last();
    // The box is closed once the answer ended (like Thinking): its text is there, folded.
    expect(await last.locator('.steps .step-label').allTextContents()).toEqual(['Searched the web for “tides in Brest”', 'Ran code']);
    expect(await last.locator('.steps .step-output').textContent()).toBe('1024');
    await last.locator('.steps > summary').click();
    expect(await last.locator('.steps .step-output').isVisible()).toBe(true);
    const sources = last.locator('ol.sources > li');
    expect(await sources.count()).toBe(2);
    expect(await sources.nth(0).locator('a').getAttribute('href')).toBe('https://tides.example/brest');
    expect(await sources.nth(1).locator('a').count()).toBe(0);
    expect(await sources.nth(1).innerText()).toContain('javascript:alert(1)');
  };

  it('JavaScript on: ticked in the model menu, steps stream into their box, sources at the end, same after reload', async () => {
    const tab = await openTab(f.browser, f.live, { token: await user() });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      f.fake.enqueue({ tokens: ['Plain answer.'] });
      await send(page, 'First, without tools');
      await page.waitForURL(/\/threads\//);
      await expect.poll(() => lastStatus(page)).toBe('complete');
      await page.locator('details.model-menu summary').click();
      await page.getByLabel('Web search').check();
      await page.getByLabel('Code interpreter').check();
      await page.locator('details.model-menu').getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => f.live.db('threads').first('tools').then((r) => String(r?.tools ?? ''))).toContain('code_interpreter');
      f.fake.conversations.enqueue({ events: script });
      await send(page, 'When is high tide?');
      // While it streams: the box shows the search before any text arrives.
      await expect.poll(() => page.locator('.msg-assistant').last().locator('.steps .step-label').first().innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/the web for “tides in Brest”/);
      await expect.poll(() => lastStatus(page), { timeout: 15_000 }).toBe('complete');
      expect(await answerText(page)).toBe('High tide is at 14:02.');
      await checkAnswer(page);
      expect(f.fake.conversations.requests.at(-1)).toMatchObject({ store: false, tools: [{ type: 'web_search' }, { type: 'code_interpreter' }] });
      await page.reload();
      await checkAnswer(page);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('JavaScript off: a new chat takes the default tools; the followed page ends with steps and sources', async () => {
    const tab = await openTab(f.browser, f.live, { javaScript: false, token: await user(['web_search', 'code_interpreter']) });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      f.fake.conversations.enqueue({ events: script });
      await page.getByLabel('Message', { exact: true }).fill('When is high tide?');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\?follow=\d+/, { waitUntil: 'commit' });
      await expect.poll(() => page.locator('.msg-assistant footer.msg-foot').count(), { timeout: 15_000 }).toBe(1);
      expect(await answerText(page)).toBe('High tide is at 14:02.');
      await checkAnswer(page);
      // The model menu shows the thread's boxes ticked, as a plain form.
      expect(await page.locator('#thread-tool-web_search').isChecked()).toBe(true);
      expect(await page.locator('#thread-tool-image_generation').isChecked()).toBe(false);
      await page.goto(page.url().replace(/\?follow=\d+.*$/, ''));
      await checkAnswer(page);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });
});
