// Layout, measured in Chromium on a 360×740 phone and a 1366×850 desktop (issue 10 item 21): the composer is
// compact on the phone with Send beside it, the thread's menus open as dropdowns under their button inside the
// content column, error boxes are as wide as the column and stay in view, the 404 card stands clear of the top bar, Settings and
// Account share one column, and the thread actions are buttons, not disclosure triangles.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { openTab, type Look } from '../support/browser.ts';
import { richThread } from './pages.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

const SIZES = { phone: { width: 360, height: 740 }, desktop: { width: 1366, height: 850 } } as const;
type Box = { left: number; right: number; top: number; bottom: number; width: number; height: number };
const box = (page: Page, selector: string): Promise<Box> => page.locator(selector).first().evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
});
/** The content column: the thread's (or page's) box less its padding. */
const column = (page: Page, selector: string): Promise<Box> => page.locator(selector).first().evaluate((el) => {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  const left = r.left + parseFloat(s.paddingLeft), right = r.right - parseFloat(s.paddingRight);
  return { left, right, top: r.top, bottom: r.bottom, width: right - left, height: r.height };
});

describeInBrowser('layout on a phone and a desktop', {}, () => {
  const f = useChatApp();

  async function userTab(size: keyof typeof SIZES, look: Look = {}) {
    const user = await createUser(f.live.db, { email: `look-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Looker' });
    const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    const tab = await openTab(f.browser, f.live, { ...look, token, phone: size === 'phone', reducedMotion: 'reduce', extra: { viewport: SIZES[size] } });
    return { tab, thread: await richThread(f.live.db, user.id) };
  }

  it('phone: the composer takes at most 140 px, Send beside the message field, and it grows with the text', async () => {
    const { tab, thread } = await userTab('phone');
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl(thread));
      expect((await box(page, '#composer')).height).toBeLessThanOrEqual(140);
      const field = await box(page, '#content');
      const send = await box(page, '#composer button.send');
      expect(send.left).toBeGreaterThanOrEqual(field.right);
      expect(send.top).toBeLessThan(field.bottom);
      expect(send.right).toBeLessThanOrEqual(SIZES.phone.width);
      expect(send.height).toBeGreaterThanOrEqual(40);
      await page.locator('#content').fill('one\ntwo\nthree\nfour');
      expect((await box(page, '#content')).height).toBeGreaterThan(field.height + 40);
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  for (const size of ['phone', 'desktop'] as const) {
    it(`${size}: Model, Rename, Share, Export, Organise and Delete are buttons whose dropdowns open under them, inside the column and the window`, async () => {
      const { tab, thread } = await userTab(size);
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl(thread));
        for (const [n, name] of ['model', 'Rename', 'Share', 'Export', 'Organise', 'Delete'].entries()) {
          const summary = `#thread-head .thread-actions > details.menu:nth-of-type(${n + 1}) > summary`;
          expect(await page.locator(summary).textContent()).toContain(name === 'model' ? 'Model and context' : name);
          const look = await page.locator(summary).evaluate((el) => {
            const s = getComputedStyle(el);
            return { display: s.display, border: s.borderTopStyle };
          });
          expect(look.display, name).not.toBe('list-item');
          expect(look.border, name).toBe('solid');
          await page.locator(summary).click();
          // The dropdown: a form, Export's list of links, or Share's panel.
          const form = summary.replace(/ > summary$/, name === 'Export' ? ' > .menu-links' : name === 'Share' || name === 'Organise' ? ' > .menu-panel' : ' > form');
          await expect.poll(() => page.locator(form).isVisible()).toBe(true);
          const [b, m, col] = await Promise.all([box(page, summary), box(page, form), column(page, '.thread')]);
          expect(m.top, `${name}: under its button`).toBeGreaterThanOrEqual(b.bottom - 1);
          expect(m.top - b.bottom, `${name}: right under its button`).toBeLessThan(16);
          expect(m.left, `${name}: inside the column`).toBeGreaterThanOrEqual(col.left - 1);
          expect(m.right, `${name}: inside the column`).toBeLessThanOrEqual(col.right + 1);
          expect(m.bottom, `${name}: inside the window`).toBeLessThanOrEqual(SIZES[size].height);
          // On a desktop the dropdown hangs from its own button's right edge; the model menu, the row's first, from its left.
          if (size === 'desktop' && name === 'model') expect(Math.abs(m.left - b.left), `${name}: anchored to its button`).toBeLessThan(2);
          else if (size === 'desktop') expect(Math.abs(m.right - b.right), `${name}: anchored to its button`).toBeLessThan(2);
          // One menu open at a time.
          expect(await page.locator('#thread-head details.menu[open]').count()).toBe(1);
        }
        // A click elsewhere closes it.
        await page.locator('.thread-head h1').click();
        expect(await page.locator('#thread-head details.menu[open]').count()).toBe(0);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });

    it(`${size}: an error box in #flash is no wider than the content column`, async () => {
      const { tab, thread } = await userTab(size);
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl(thread));
        await f.live.db('sessions').delete(); // the form's CSRF token no longer matches: a 403 with its sentence
        await page.locator('#content').fill('Typed after the session expired');
        if (size === 'phone') await page.locator('#composer button.send').tap();
        else await page.locator('#content').press('Enter');
        await page.locator('#flash .error-box').waitFor();
        const [e, col] = await Promise.all([box(page, '#flash .error-box'), column(page, '.thread')]);
        expect(e.left).toBeGreaterThanOrEqual(col.left - 1);
        expect(e.right).toBeLessThanOrEqual(col.right + 1);
        // In view, under the top bar, though the thread is scrolled to its end (the composer) on the phone.
        if (size === 'phone') expect(await page.evaluate(() => scrollY)).toBeGreaterThan(200);
        expect(e.top).toBeGreaterThanOrEqual((await box(page, '.topbar')).bottom - 1);
        expect(e.bottom).toBeLessThanOrEqual(SIZES[size].height);
        expectNoProblems(tab, [/^403 http\S+$/, /status of 403/, /Response Status Error Code 403 from/]);
      } finally { await tab.close(); }
    });

    it(`${size}: the 404 card stands clear of the top bar, in the column; Settings and Account share one column`, async () => {
      const { tab } = await userTab(size);
      try {
        const { page } = tab;
        await page.goto(f.live.pageUrl('/no/such/page'));
        const [bar, card] = await Promise.all([box(page, '.topbar'), box(page, 'main .card')]);
        expect(card.top - bar.bottom).toBeGreaterThanOrEqual(12);
        expect(card.right).toBeLessThanOrEqual(SIZES[size].width);
        const edges: Record<string, Box> = {};
        for (const [name, path] of [['settings', '/settings'], ['account', '/account'], ['home', '/']]) {
          await page.goto(f.live.pageUrl(path));
          edges[name] = await box(page, 'main h1');
          edges[`${name} column`] = await box(page, 'main h1 ~ *:not(p)');
        }
        expect(edges.account.left).toBeCloseTo(edges.settings.left, 0);
        expect(edges.account.left).toBeCloseTo(edges.home.left, 0);
        expect(edges['account column'].right).toBeCloseTo(edges['settings column'].right, 0);
        if (size === 'desktop') expect(card.left).toBeCloseTo(edges.home.left, 0);
        expectNoProblems(tab, [/^404 http\S+$/, /status of 404/]);
      } finally { await tab.close(); }
    });
  }
});
