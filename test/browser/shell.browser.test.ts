// The app shell on a phone and by keyboard: the top bar and the thread's header stay in view, the menu button is a
// button (a checkbox without JavaScript), Escape and a tap outside close what is open, focus never falls to <body>.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { openTab, type Look } from '../support/browser.ts';
import { longConversation } from './data.ts';
import { lastStatus, SSE_CLOSED } from './flows.ts';
import { richThread } from './pages.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

describeInBrowser('the app shell', {}, () => {
  const f = useChatApp();

  async function userTab(look: Look) {
    const user = await createUser(f.live.db, { email: `shell-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Sheller' });
    const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    return { userId: user.id, tab: await openTab(f.browser, f.live, { ...look, token }) };
  }

  /** Whether the element's middle is on screen and is what a finger there would touch. */
  const onTop = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.bottom <= 0 || r.top >= innerHeight || r.width === 0) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (el === hit || el.contains(hit) || hit.contains(el));
  });

  for (const javaScript of [true, false]) {
    it(`phone, JavaScript ${javaScript ? 'on' : 'off'}: in a long thread the menu and Model/Rename/Delete stay in view`, async () => {
      const { userId, tab } = await userTab({ phone: true, javaScript, reducedMotion: 'reduce' });
      try {
        const { page } = tab;
        const threadPath = await longConversation(f.live.db, userId, 220);
        await page.goto(f.live.pageUrl(threadPath));
        // The middle of the latest 50 messages, then the bottom: neither is near the top of the page.
        for (const n of [190, 220]) {
          await page.getByText(`Message ${n}`, { exact: true }).scrollIntoViewIfNeeded();
          expect(await page.evaluate(() => scrollY)).toBeGreaterThan(1000);
          expect(await onTop(page, '.topbar [for=nav-toggle], .topbar .nav-btn'), `menu at message ${n}`).toBe(true);
          for (const name of ['Rename', 'Delete']) expect(await onTop(page, `#thread-head summary:has-text("${name}")`), name).toBe(true);
          expect(await onTop(page, '#thread-head .model-menu summary'), 'model menu').toBe(true);
        }
        // A message is never hidden under the sticky bars when it is the page's target.
        const target = await page.locator('.msg').nth(10).getAttribute('id');
        await page.goto(f.live.pageUrl(`${threadPath}#${target}`));
        expect(await onTop(page, `#${target} .msg-body, #${target} .md`)).toBe(true);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }

  const drawerOpen = (page: Page) => page.locator('nav.sidebar').evaluate((el) => { const r = el.getBoundingClientRect(); return r.right > 0 && r.left < innerWidth && getComputedStyle(el).visibility === 'visible'; });

  it('phone, JavaScript on: ☰ is a button with aria-expanded; Escape and a tap on the dimmed page close the drawer', async () => {
    const { tab } = await userTab({ phone: true, reducedMotion: 'reduce' });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      // (The new-chat form's "Temporary" box, issue 15, is the page's one checkbox left.)
      expect(await page.getByRole('checkbox').count()).toBe(1);
      expect(await page.getByRole('checkbox', { name: 'Temporary' }).count()).toBe(1);
      const menu = page.getByRole('button', { name: 'Show conversations' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await menu.tap();
      await expect.poll(() => drawerOpen(page)).toBe(true);
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      // The page beside the drawer is dimmed.
      expect(await page.locator('.backdrop').evaluate((el) => getComputedStyle(el).backgroundColor)).toMatch(/rgba\(0, 0, 0, 0\.[1-9]/);
      await page.keyboard.press('Escape');
      await expect.poll(() => drawerOpen(page)).toBe(false);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate(() => document.activeElement?.classList.contains('nav-btn'))).toBe(true);
      await menu.tap();
      await expect.poll(() => drawerOpen(page)).toBe(true);
      await page.touchscreen.tap(340, 400);
      await expect.poll(() => drawerOpen(page)).toBe(false);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('phone, JavaScript off: the ☰ checkbox opens the drawer and a tap beside it closes it', async () => {
    const { tab } = await userTab({ phone: true, javaScript: false, reducedMotion: 'reduce' });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      await page.getByText('Show conversations').locator('..').tap();
      await expect.poll(() => drawerOpen(page)).toBe(true);
      await page.touchscreen.tap(340, 400);
      await expect.poll(() => drawerOpen(page)).toBe(false);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('keyboard: Escape closes a menu, focus stays in the header after a rename, messages and Copy buttons say what they are', async () => {
    const { userId, tab } = await userTab({});
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl(await richThread(f.live.db, userId)));
      const rename = page.locator('#thread-head summary', { hasText: 'Rename' });
      await rename.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Escape');
      expect(await page.locator('#thread-head details.menu', { hasText: 'Rename' }).getAttribute('open')).toBeNull();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rename');
      // A refused title: focus on the field with the error; a saved one: back on Rename, never on <body>.
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
      await page.keyboard.type(' ');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#title-error').count()).toBe(1);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('title');
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('Renamed by keyboard');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#thread-head h1').textContent()).toBe('Renamed by keyboard');
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Rename');
      // Who wrote each message, and what each Copy copies.
      expect(await page.getByRole('article', { name: 'You', exact: true }).count()).toBe(1);
      expect(await page.getByRole('article', { name: 'Mistral', exact: true }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Copy code' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Copy answer' }).count()).toBe(1);
      expectNoProblems(tab, [/status of 422/, /^422 .*\/rename$/]);
    } finally { await tab.close(); }
  });

  it('phone: Enter adds a line and Send sends, and the placeholder does not claim otherwise', async () => {
    const { userId, tab } = await userTab({ phone: true });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl(await richThread(f.live.db, userId)));
      const box = page.getByLabel('Message', { exact: true });
      expect(await box.getAttribute('placeholder')).toBe('Message Mistral');
      await box.tap();
      await page.keyboard.type('line one');
      await page.keyboard.press('Enter');
      await page.keyboard.type('line two');
      await page.waitForTimeout(300);
      expect(await box.inputValue()).toBe('line one\nline two');
      expect(await page.locator('.msg-user').count()).toBe(1);
      await page.getByRole('button', { name: 'Send' }).tap();
      await expect.poll(() => page.locator('.msg-user').last().textContent()).toContain('line one\nline two');
      await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  for (const javaScript of [true, false]) {
    it(`desktop, JavaScript ${javaScript ? 'on' : 'off'}: the placeholder says Enter sends only when it does`, async () => {
      const { tab } = await userTab({ javaScript });
      try {
        await tab.page.goto(f.live.pageUrl('/'));
        const placeholder = await tab.page.getByLabel('Message', { exact: true }).getAttribute('placeholder');
        expect(placeholder).toBe(javaScript ? 'Message Mistral (Enter sends, Shift+Enter for a new line)' : 'Message Mistral');
      } finally { await tab.close(); }
    });
  }
});
