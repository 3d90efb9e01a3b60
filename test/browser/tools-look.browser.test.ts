// Tools (issue 14) on a 360 px phone, light and dark, under /chat/ through docs/deploy/nginx.conf: the default tools
// of Settings switch a new chat's answer to a conversation; its steps and sources come through the proxy, nothing
// overflows sideways, and the pictures go to /tmp/shots-tools/ (look at them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { openTab } from '../support/browser.ts';
import { conv } from '../support/fake-mistral-conversations.ts';
import { answerText, lastStatus, SSE_CLOSED } from './flows.ts';
import { chatBehindNginx, type ProxiedChat } from './proxied.ts';
import { describeInBrowser, expectNoProblems } from './suite.ts';

const SHOTS = '/tmp/shots-tools';
const script = [
  conv.started('b1', 'web_search', '{"query": "ferry times Roscoff Plymouth"}'), { pauseMs: 300 }, conv.toolDone('b1', 'web_search'),
  conv.started('b2', 'code_interpreter', '{"code": "print(6 * 60 + 15)"}'), { pauseMs: 200 }, conv.toolDone('b2', 'code_interpreter', { code_output: '375' }),
  conv.text('The crossing takes '), { pauseMs: 150 }, conv.text('about six hours (375 minutes).'),
  conv.chunk(conv.reference('Ferry timetable with a rather long title that must wrap on a phone', 'https://ferries.example/roscoff-plymouth/timetable?season=winter&lang=en'), 0, 1),
];

describeInBrowser('tools on a phone under /chat/', { nginx: true }, () => {
  let chat: ProxiedChat;
  beforeAll(async () => { chat = await chatBehindNginx(); mkdirSync(SHOTS, { recursive: true }); });
  afterAll(async () => { await chat?.close(); });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`phone, ${colorScheme}: steps and sources through the proxy, nothing sideways`, async () => {
      const { browser, live, nginx, fake } = chat;
      const user = await createUser(live.db, { email: `tools-phone-${colorScheme}-${Date.now()}@example.com`, name: 'Phone' });
      await updateSettings(live.db, user.id, { defaultTools: ['web_search', 'code_interpreter'] });
      const tab = await openTab(browser, { origin: nginx.origin, config: live.config }, { token: await issueToken(live.db, user.id, { ttlDays: 1 }), phone: true, colorScheme });
      const requests: string[] = [];
      tab.page.on('request', (r) => requests.push(r.url()));
      try {
        const { page } = tab;
        await page.goto(`${nginx.origin}/chat/`);
        fake.conversations.enqueue({ events: script });
        await page.getByLabel('Message', { exact: true }).fill('How long is the ferry from Roscoff to Plymouth?');
        await page.locator('#composer button.send').click();
        await page.waitForURL(/\/chat\/threads\//);
        await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
        expect(await answerText(page)).toBe('The crossing takes about six hours (375 minutes).');
        const last = page.locator('.msg-assistant').last();
        expect(await last.locator('.steps .step-label').allTextContents()).toEqual(['Searched the web for “ferry times Roscoff Plymouth”', 'Ran code']);
        expect(await last.locator('ol.sources a').getAttribute('href')).toBe('https://ferries.example/roscoff-plymouth/timetable?season=winter&lang=en');
        expect(fake.conversations.requests.at(-1)).toMatchObject({ store: false, tools: [{ type: 'web_search' }, { type: 'code_interpreter' }] });
        await last.locator('.steps > summary').click();
        expect(await last.locator('.steps .step-output').isVisible()).toBe(true);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
        writeFileSync(`${SHOTS}/phone-${colorScheme}.png`, await page.screenshot({ fullPage: true }));
        // Every request went through nginx, under /chat/.
        expect(requests.filter((u) => !u.startsWith(`${nginx.origin}/chat/`))).toEqual([]);
        expectNoProblems(tab, [SSE_CLOSED]);
      } finally { await tab.close(); }
    });
  }
});
