// Branches with JavaScript on (issue 11), in real Chromium on the desktop and the 360x640 phone: edit a sent question
// in place (the form replaces it, focus in its text; Save and send, or Enter on the desktop; Cancel puts it back),
// regenerate an answer by the chat's model or another one, and walk the versions with ‹ and ›. Each new answer
// streams into the same page (a marker on `window` survives), and the navigator keeps the keyboard focus.
import type { Page } from 'playwright-core';
import { beforeEach, expect, it } from 'vitest';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';
import { BUSY_SENDING } from '../../src/features/chat/chat.service.ts';
import { english } from '../../src/i18n/text.ts';
import { openTab, type Look, type Tab } from '../support/browser.ts';
import { branchedThread, oneExchange } from './data.ts';
import { answerText, lastStatus, pressStop, send, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp, type ChatFixture } from './suite.ts';

const words = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${i ? ' ' : ''}${prefix}${i}`);
const where = (phone: boolean) => (phone ? 'phone' : 'desktop');

/** A signed-in tab on a thread the data function makes; `window.__kept` marks this page load. */
async function openThread<T extends { path: string }>(f: ChatFixture, look: Look, make: (userId: number) => Promise<T>): Promise<{ tab: Tab; data: T; userId: number }> {
  const user = await createUser(f.live.db, { email: `br-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Brancher' });
  const data = await make(user.id);
  const tab = await openTab(f.browser, f.live, { ...look, token: await issueToken(f.live.db, user.id, { ttlDays: 1 }) });
  await tab.page.goto(f.live.pageUrl(data.path));
  await tab.page.evaluate(() => { (window as unknown as { __kept: number }).__kept = 1; });
  return { tab, data, userId: user.id };
}

const kept = (page: Page) => page.evaluate(() => (window as unknown as { __kept?: number }).__kept);
const text = (page: Page, sel: string) => page.locator(sel).allInnerTexts().then((a) => a.map((s) => s.trim()));
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

/**
 * Samples the newest answer until it is complete: every state seen, the final one last. `old` (the answer shown before
 * the request, still there until the swap) is not a state of the new one.
 */
async function watchAnswer(page: Page, final: string, old?: string): Promise<string[]> {
  const seen: string[] = [];
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const t = await answerText(page);
    if (seen.at(-1) !== t && !(seen.length === 0 && t === old)) seen.push(t);
    if (t === final && (await lastStatus(page)) === 'complete') break;
    await page.waitForTimeout(40);
  }
  return seen;
}

/** It streamed: at least one partial text, each a prefix of the final one, which came last. */
function expectStreamed(seen: string[], final: string): void {
  expect(seen.at(-1)).toBe(final);
  const partials = seen.filter((s) => s.length > 0 && s !== final);
  expect(partials.length, seen.join(' | ')).toBeGreaterThanOrEqual(1);
  for (const p of partials) expect(final.startsWith(p), p).toBe(true);
}

describeInBrowser('branches with JavaScript on', {}, () => {
  const f = useChatApp();
  // A failed test may leave scenarios queued: each starts with none.
  beforeEach(() => { f.fake?.reset(); });

  for (const phone of [false, true]) {
    it(`${where(phone)}: Edit replaces the question with its form; the edit's answer streams in, the question shows ‹ 2/2 ›`, async () => {
      const tokens = words(10, 'edited');
      f.fake.enqueue({ tokens, tokenDelayMs: 120 });
      const { tab, data } = await openThread(f, { phone }, (id) => oneExchange(f.live.db, id, 'What is a fork?', 'A tool with prongs.'));
      try {
        const { page } = tab;
        const q = page.locator(`#m-${data.q}`);
        await q.getByRole('link', { name: 'Edit' }).click();
        const box = q.getByLabel('Your message', { exact: true });
        await expect.poll(() => box.count()).toBe(1);
        await expect.poll(() => focusedId(page)).toBe(`edit-${data.q}`);
        expect(await box.inputValue()).toBe('What is a fork?');
        expect(await page.locator('.msg-user').count()).toBe(1);
        await box.fill('What is a fork in git?');
        // Enter sends where it does in the composer (not on a touch screen): the desktop presses it, the phone the button.
        if (phone) await q.getByRole('button', { name: 'Save and send' }).click();
        else await box.press('Enter');
        const seen = await watchAnswer(page, tokens.join(''), 'A tool with prongs.');
        expectStreamed(seen, tokens.join(''));
        expect(await text(page, '.msg-user .msg-body')).toEqual(['What is a fork in git?']);
        expect(await text(page, '.msg-user .versions-count')).toEqual(['2/2']);
        expect(await page.locator('.msg-user [role=group]').getAttribute('aria-label')).toBe('Version 2 of 2');
        expect(await page.locator('.msg-assistant').count()).toBe(1);
        expect(await kept(page)).toBe(1);
        const asked = f.fake.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
        expect(asked.messages.filter((m) => m.role !== 'system')).toEqual([{ role: 'user', content: 'What is a fork in git?' }]);
        // The original is one ‹ away, its answer with it.
        await page.locator('.msg-user').getByRole('button', { name: 'Previous version' }).click();
        await expect.poll(() => text(page, '.msg-user .msg-body')).toEqual(['What is a fork?']);
        expect(await answerText(page)).toBe('A tool with prongs.');
        expect(await kept(page)).toBe(1);
        expectNoProblems(tab, [SSE_CLOSED]);
      } finally { await tab.close(); }
    });

    it(`${where(phone)}: ‹ and › switch the shown branch, the later messages follow, the focus stays on the button; a reload keeps it`, async () => {
      const { tab, data } = await openThread(f, { phone }, (id) => branchedThread(f.live.db, id));
      const { ids } = data;
      try {
        const { page } = tab;
        expect(await text(page, '.versions-count')).toEqual(['2/2', '2/2']);
        expect(await text(page, '.msg-user .msg-body')).toEqual(['What is a branch in git?', 'And how do I make one?']);
        expect(await page.locator(`#m-${ids.a2b} .msg-model`).textContent()).toBe('mistral-large-latest');
        // The answer's ‹ by keyboard: its other version, which has no follow-up.
        await page.locator(`#vp-${ids.q2}`).focus();
        await page.keyboard.press('Enter');
        await expect.poll(() => page.locator(`#m-${ids.a2a}`).count()).toBe(1);
        expect(await answerText(page)).toBe('A movable pointer to a commit.');
        expect(await text(page, '.msg-user .msg-body')).toEqual(['What is a branch in git?']);
        expect(await text(page, '.versions-count')).toEqual(['2/2', '1/2']);
        expect(await focusedId(page)).toBe(`vp-${ids.q2}`);
        // At 1/2 ‹ is inert but still holds the focus; pressing it changes nothing.
        expect(await page.locator(`#vp-${ids.q2}`).getAttribute('aria-disabled')).toBe('true');
        await page.keyboard.press('Enter');
        await page.waitForTimeout(300);
        expect(await page.locator(`#m-${ids.a2a}`).count()).toBe(1);
        // The question's ‹: the first question and its answer.
        await page.locator('#vp-root').focus();
        await page.keyboard.press('Space');
        await expect.poll(() => text(page, '.msg-user .msg-body')).toEqual(['What is a branch?']);
        expect(await answerText(page)).toBe('A branch is a part of a tree that grows out of the trunk.');
        expect(await text(page, '.versions-count')).toEqual(['1/2']);
        expect(await focusedId(page)).toBe('vp-root');
        expect(await kept(page)).toBe(1);
        await page.reload();
        expect(await text(page, '.msg-user .msg-body')).toEqual(['What is a branch?']);
        // › (a click this time) goes to the edit's branch at its latest message: the follow-up is back.
        await page.locator('#vn-root').click();
        await expect.poll(() => text(page, '.msg-user .msg-body')).toEqual(['What is a branch in git?', 'And how do I make one?']);
        expect(await text(page, '.versions-count')).toEqual(['2/2', '2/2']);
        expect(await focusedId(page)).toBe('vn-root');
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  it('Cancel puts the question back as it was, and the answer after Other model', async () => {
    const { tab, data } = await openThread(f, {}, (id) => oneExchange(f.live.db, id, 'Keep me', 'Kept.'));
    try {
      const { page } = tab;
      await page.locator(`#m-${data.q}`).getByRole('link', { name: 'Edit' }).click();
      await page.locator(`#m-${data.q}`).getByLabel('Your message', { exact: true }).fill('Something else');
      await page.getByRole('link', { name: 'Cancel' }).click();
      await expect.poll(() => page.locator(`#m-${data.q} textarea`).count()).toBe(0);
      expect(await text(page, '.msg-user .msg-body')).toEqual(['Keep me']);
      expect(await page.locator(`#m-${data.q}`).getByRole('link', { name: 'Edit' }).count()).toBe(1);
      const answer = page.locator(`#m-${data.a}`);
      await answer.getByRole('link', { name: 'Other model' }).click();
      await expect.poll(() => answer.locator('select').count()).toBe(1);
      await answer.getByRole('link', { name: 'Cancel' }).click();
      await expect.poll(() => answer.locator('select').count()).toBe(0);
      expect(await answer.getByRole('link', { name: 'Other model' }).count()).toBe(1);
      expect(await answerText(page)).toBe('Kept.');
      expect(await kept(page)).toBe(1);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  for (const phone of [false, true]) {
    it(`${where(phone)}: Regenerate, then Other model: each new version streams, ‹ n/n › on the answer, with its model's name`, async () => {
      const first = words(8, 'again');
      const second = words(8, 'large');
      f.fake.enqueue({ tokens: first, tokenDelayMs: 200 }, { tokens: second, tokenDelayMs: 200 });
      const { tab, data, userId } = await openThread(f, { phone }, (id) => oneExchange(f.live.db, id, 'Say something', 'Something.'));
      try {
        const { page } = tab;
        await updateSettings(f.live.db, userId, { fastModels: ['mistral-large-latest'] });
        await page.locator(`#m-${data.a}`).getByRole('button', { name: 'Regenerate' }).click();
        // ‹ 2/2 › while it is written, and still once the footer the stream's end brings has replaced the live one.
        await expect.poll(() => text(page, '.msg-assistant .versions-count')).toEqual(['2/2']);
        expectStreamed(await watchAnswer(page, first.join(''), 'Something.'), first.join(''));
        await expect.poll(() => page.locator('.msg-assistant .msg-complete').count()).toBe(1);
        expect(await text(page, '.msg-assistant .versions-count')).toEqual(['2/2']);
        expect(await text(page, '.msg-assistant .msg-model')).toEqual(['mistral-small-latest']);
        expect(f.fake.chatRequests.at(-1)?.body).toMatchObject({ model: 'mistral-small-latest' });

        const answer = page.locator('.msg-assistant');
        await answer.getByRole('link', { name: 'Other model' }).click();
        const select = answer.getByLabel('Model');
        await expect.poll(() => select.count()).toBe(1);
        await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('SELECT');
        await select.selectOption('mistral-large-latest');
        await answer.locator('.regen-form').getByRole('button', { name: 'Regenerate' }).click();
        await expect.poll(() => text(page, '.msg-assistant .versions-count')).toEqual(['3/3']);
        expect(await text(page, '.msg-assistant .msg-model')).toEqual(['mistral-large-latest']);
        expectStreamed(await watchAnswer(page, second.join(''), first.join('')), second.join(''));
        await expect.poll(() => page.locator('.msg-assistant .msg-complete').count()).toBe(1);
        expect(await text(page, '.msg-assistant .versions-count')).toEqual(['3/3']);
        expect(await text(page, '.msg-assistant .msg-model')).toEqual(['mistral-large-latest']);
        expect(f.fake.chatRequests.at(-1)?.body).toMatchObject({ model: 'mistral-large-latest' });
        // The chat keeps its model for what comes next.
        expect(await page.locator('.thread-head').textContent()).toContain('mistral-small-latest');
        expect(await kept(page)).toBe(1);
        await page.reload();
        expect(await text(page, '.msg-assistant .versions-count')).toEqual(['3/3']);
        expect(await text(page, '.msg-assistant .msg-model')).toEqual(['mistral-large-latest']);
        expectNoProblems(tab, [SSE_CLOSED]);
      } finally { await tab.close(); }
    });
  }

  it('editing while an answer is written is refused in #flash with the send\'s sentence; the edited text stays', async () => {
    f.fake.enqueue({ tokens: ['Still', ' going'], tokenDelayMs: 50, hang: true });
    const { tab, data } = await openThread(f, {}, (id) => oneExchange(f.live.db, id, 'First question', 'First answer.'));
    try {
      const { page } = tab;
      await send(page, 'Second question');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('live');
      await page.locator(`#m-${data.q}`).getByRole('link', { name: 'Edit' }).click();
      const box = page.locator(`#m-${data.q}`).getByLabel('Your message', { exact: true });
      await box.fill('First question, edited');
      await page.getByRole('button', { name: 'Save and send' }).click();
      await expect.poll(() => page.locator('#flash').innerText(), { timeout: 10_000 }).toContain(english(BUSY_SENDING));
      expect(await box.inputValue()).toBe('First question, edited');
      expect(await page.locator('#messages .error-box').count()).toBe(0);
      expect(await page.locator('.versions').count()).toBe(0);
      expect(await pressStop(page)).toBe(200);
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('stopped');
      expectNoProblems(tab, [SSE_CLOSED, /^409 http\S+$/, /status of 409/, /Response Status Error Code 409 from/]);
    } finally { await tab.close(); }
  });

  it('two tabs: each sends into the branch it shows, after a switch in the other and after its own', async () => {
    // In the order of the sends below: B's edit, then A's two.
    f.fake.enqueue({ tokens: ['Answer in B'] }, { tokens: ['Reply in A'] }, { tokens: ['Reply in A again'] });
    const { tab, data, userId } = await openThread(f, {}, (id) => oneExchange(f.live.db, id, 'Shared question', 'Shared answer.'));
    const other = await openTab(f.browser, f.live, { token: await issueToken(f.live.db, userId, { ttlDays: 1 }) });
    try {
      // Tab B edits the question: the thread now remembers B's branch.
      await other.page.goto(f.live.pageUrl(data.path));
      await other.page.locator(`#m-${data.q}`).getByRole('link', { name: 'Edit' }).click();
      await other.page.getByLabel('Your message', { exact: true }).fill('Question in B');
      await other.page.getByRole('button', { name: 'Save and send' }).click();
      await expect.poll(() => lastStatus(other.page), { timeout: 10_000 }).toBe('complete');
      // Tab A, still on the first branch, sends from it: Mistral sees A's branch.
      const { page } = tab;
      await send(page, 'Follow-up in A');
      await expect.poll(() => answerText(page), { timeout: 10_000 }).toBe('Reply in A');
      await expect.poll(() => lastStatus(page), { timeout: 10_000 }).toBe('complete');
      const history = () => (f.fake.chatRequests.at(-1)!.body as { messages: Array<{ content: string }> }).messages.map((m) => m.content);
      expect(history()).toEqual(['Shared question', 'Shared answer.', 'Follow-up in A']);
      // And again: the first send moved the composer's `after` to its answer (out of band).
      await send(page, 'Second in A');
      await expect.poll(() => answerText(page), { timeout: 10_000 }).toBe('Reply in A again');
      expect(history()).toEqual(['Shared question', 'Shared answer.', 'Follow-up in A', 'Reply in A', 'Second in A']);
      expect(await kept(page)).toBe(1);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await other.close(); await tab.close(); }
  });
});
