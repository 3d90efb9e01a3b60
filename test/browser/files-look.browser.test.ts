// How attachments look (issue 13): a thread with eight thumbnails and a PDF, and a composer holding chips, in light
// and dark on the phone and the desktop: nothing overflows sideways, the composer fits a 360 px phone, thumbnails
// keep their aspect and the chips their row (one that scrolls sideways on the phone). Pictures go to /tmp/shots-files/ (and test-results/screenshots/). Also
// one attach under /chat/ through docs/deploy/nginx.conf: the thumbnails come from /chat/files/….
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTab, saveScreenshot } from '../support/browser.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { photoLike, screenshotLike } from '../support/images.ts';
import { makePdf } from '../support/pdf.ts';
import { filesThread } from './files-data.ts';
import { lastStatus, SSE_CLOSED } from './flows.ts';
import { chatBehindNginx, type ProxiedChat } from './proxied.ts';
import { describeInBrowser, expectNoProblems, useChatApp } from './suite.ts';

const SHOTS = process.env.FILES_SHOTS_DIR ?? '/tmp/shots-files';

describeInBrowser('attachments: the look', {}, () => {
  const f = useChatApp();
  let photo: Buffer; let shot: Buffer;
  beforeAll(async () => { [photo, shot] = await Promise.all([photoLike(800, 600, 5), screenshotLike(640, 400)]); });

  for (const phone of [false, true]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`${phone ? 'phone' : 'desktop'}, ${colorScheme}: thumbnails, a PDF and a composer with chips fit and look right`, async () => {
        const user = await createUser(f.live.db, { email: `look-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Looker' });
        const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
        const path = await filesThread(f.live.db, user.id);
        const tab = await openTab(f.browser, f.live, { phone, colorScheme, token, reducedMotion: 'reduce' });
        try {
          const { page } = tab;
          await page.goto(f.live.pageUrl(path));
          const width = phone ? 360 : 1280;
          await page.locator('#files').setInputFiles([
            { name: 'a-rather-long-name-for-a-holiday-photo-taken-on-the-beach.jpg', mimeType: 'image/jpeg', buffer: photo },
            { name: 'screen.png', mimeType: 'image/png', buffer: shot },
            { name: 'minutes.pdf', mimeType: 'application/pdf', buffer: makePdf(['Minutes']) },
          ]);
          await expect.poll(() => page.locator('#file-chips li').count()).toBe(3);
          await expect.poll(() => page.locator('#file-chips img').evaluateAll((els) => els.every((e) => (e as HTMLImageElement).naturalWidth > 0))).toBe(true);
          // Eight images: windows of 96x72 onto one contact sheet (one request), each showing its own cell, unscaled.
          const cells = page.locator('.attachments .att-cell');
          expect(await cells.count()).toBe(8);
          for (const [i, cell] of (await cells.all()).entries()) {
            await cell.scrollIntoViewIfNeeded();
            const img = cell.locator('img');
            await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth > 0)).toBe(true);
            const m = await cell.evaluate((c) => {
              const i = c.querySelector('img')!; const box = c.getBoundingClientRect(); const r = i.getBoundingClientRect();
              return { w: box.width, h: box.height, right: box.right, shift: box.left - r.left, iw: r.width, ih: r.height, nw: i.naturalWidth, nh: i.naturalHeight, src: i.src };
            });
            expect([Math.round(m.w), Math.round(m.h)]).toEqual([98, 74]); // 96x72 and a 1 px border
            expect([m.nw, m.nh, Math.round(m.iw), Math.round(m.ih)]).toEqual([768, 72, 768, 72]);
            expect(Math.round(m.shift)).toBe(i * 96 - 1); // the sheet shifted by its cell, inside the 1 px border
            expect(new URL(m.src).pathname).toMatch(/^\/files\/sheet\/\d+(\.\d+){7}$/);
            expect(m.right).toBeLessThanOrEqual(width);
          }
          const doc = page.locator('.att-document');
          expect(await doc.textContent()).toMatch(/quarterly-report\.pdf\s+2 pages · /);
          // Nothing sideways: the page, the composer, each chip and the document's row stay inside the window.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
          const boxes = await page.evaluate(() => [...document.querySelectorAll('#composer, #file-chips, .att-document, .attachments')]
            .map((e) => { const r = e.getBoundingClientRect(); return { what: e.id || e.className, left: r.left, right: r.right }; }));
          for (const b of boxes) {
            expect(b.left, b.what).toBeGreaterThanOrEqual(0);
            expect(b.right, b.what).toBeLessThanOrEqual(width);
          }
          // On the phone the chips are one row scrolling inside itself; on the desktop they wrap and all show.
          const strip = await page.locator('#file-chips').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth, height: e.getBoundingClientRect().height }));
          if (phone) expect(strip.scroll).toBeGreaterThan(strip.client);
          else expect(strip.scroll).toBeLessThanOrEqual(strip.client);
          expect(strip.height).toBeLessThan(phone ? 60 : 100);
          // The composer stays a composer: Send beside the field on one row, reachable.
          const send = await page.getByRole('button', { name: 'Send' }).boundingBox();
          expect(send!.x + send!.width).toBeLessThanOrEqual(width);
          const name = `files-${phone ? 'phone' : 'desktop'}-${colorScheme}`;
          mkdirSync(SHOTS, { recursive: true });
          await page.locator('.msg-user').last().scrollIntoViewIfNeeded();
          writeFileSync(`${SHOTS}/${name}-thread.png`, await page.screenshot());
          // The end of the thread: the PDF's row, the answer and the composer with its chips (sticky at the bottom).
          await page.locator('.msg-assistant').last().scrollIntoViewIfNeeded();
          await page.waitForTimeout(300);
          writeFileSync(`${SHOTS}/${name}-end.png`, await page.screenshot());
          await saveScreenshot(page, name);
          expectNoProblems(tab);
        } finally { await tab.close(); }
      });
    }
  }
});

describeInBrowser('attachments through nginx under /chat/', { nginx: true }, () => {
  let chat: ProxiedChat;
  beforeAll(async () => { chat = await chatBehindNginx(); });
  afterAll(async () => { await chat?.close(); });

  it('attach with JavaScript on: the question\'s thumbnail loads from /chat/files/…/thumbnail through the proxy', async () => {
    const { browser, live, nginx, fake } = chat;
    const user = await createUser(live.db, { email: `proxied-files-${Date.now()}@example.com`, name: 'Proxied' });
    const token = await issueToken(live.db, user.id, { ttlDays: 1 });
    const tab = await openTab(browser, { origin: nginx.origin, config: live.config }, { token });
    const requests: string[] = [];
    tab.page.on('request', (r) => requests.push(r.url()));
    try {
      const { page } = tab;
      await page.goto(`${nginx.origin}/chat/`);
      const png = await screenshotLike(640, 400);
      await page.locator('#files').setInputFiles([{ name: 'proxied.png', mimeType: 'image/png', buffer: png }]);
      await expect.poll(() => page.locator('#file-chips li').count()).toBe(1);
      await page.getByLabel('Message', { exact: true }).fill('Through the proxy, with a picture');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/chat\/threads\//);
      const img = page.locator('.msg-user .attachments img');
      await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth).catch(() => 0)).toBeGreaterThan(0);
      expect(new URL(await img.evaluate((e) => (e as HTMLImageElement).src)).pathname).toMatch(/^\/chat\/files\/\d+\/thumbnail$/);
      expect(await page.locator('.msg-user .attachments a').getAttribute('href')).toMatch(/^\/chat\/files\/\d+$/);
      await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
      const body = fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
      expect(JSON.stringify(body.messages.at(-1)!.content)).toContain(`data:image/png;base64,${png.toString('base64').slice(0, 64)}`);
      // Every request went through nginx (none straight to the app's port).
      expect(requests.filter((u) => !u.startsWith(nginx.origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });
});
