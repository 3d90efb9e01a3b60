// Enter pressed twice quickly sends once: on the new-chat page (a plain form, held by app.js while it is on its way,
// and made harmless on the server by its one-time key) and in a thread (htmx drops a second submit in flight).
import { expect, it } from 'vitest';
import { openTab } from '../support/browser.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { lastStatus, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp, type ChatFixture } from './suite.ts';

async function userTab(f: ChatFixture) {
  const user = await createUser(f.live.db, { email: `once-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Once' });
  const tab = await openTab(f.browser, f.live, { token: await issueToken(f.live.db, user.id, { ttlDays: 1 }) });
  return { user, tab };
}

describeInBrowser('sending once', {}, () => {
  const f = useChatApp();

  it('a double Enter on the new-chat page creates one chat with one question', async () => {
    const { user, tab } = await userTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      const asked = f.fake.chatRequests.length;
      await page.getByLabel('Message', { exact: true }).fill('Only once, please');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/threads\/[^/?#]+/);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      const threads = await f.live.db('threads').where({ user_id: user.id });
      expect(threads).toHaveLength(1);
      expect(await f.live.db('messages').where({ thread_id: threads[0].id, role: 'user' })).toHaveLength(1);
      expect(f.fake.chatRequests.length - asked).toBe(1);
      expect(await page.locator('.msg-user').count()).toBe(1);
      // The first POST's navigation, cancelled by the second, may show up as an aborted request.
      expectNoProblems(tab, [SSE_CLOSED, /\/threads net::ERR_ABORTED$/]);
    } finally { await tab.close(); }
  });

  it('a double Enter in a thread sends one message, and the next message is a new send', async () => {
    const { user, tab } = await userTab(f);
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('First');
      await box.press('Enter');
      await page.waitForURL(/\/threads\/[^/?#]+/);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      await page.getByLabel('Message', { exact: true }).fill('Second');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.msg-user').count()).toBe(2);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      await page.getByLabel('Message', { exact: true }).fill('Third');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.msg-user').count()).toBe(3);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      const [thread] = await f.live.db('threads').where({ user_id: user.id });
      const questions = await f.live.db('messages').where({ thread_id: thread.id, role: 'user' }).orderBy('id');
      expect(questions.map((m) => m.content)).toEqual(['First', 'Second', 'Third']);
      await page.reload();
      expect(await page.locator('.msg-user').count()).toBe(3);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });
});
