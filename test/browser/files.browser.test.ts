// Attaching files in Chromium, as a person does (issue 13). JavaScript on, desktop and phone: chips with previews
// and a remove button, drop and paste; the question then shows server-made thumbnails (never the originals) and the
// fake Mistral gets image_url chunks. JavaScript off on the phone: the native file input, a refusal (an HTML page
// renamed .png) that keeps the text and the good file as a ticked checkbox, then the send. Through nginx and the
// screenshots: files-look.browser.test.ts.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { openTab, signedInToken } from '../support/browser.ts';
import { screenshotLike } from '../support/images.ts';
import { oneExchange } from './data.ts';
import { lastStatus, SSE_CLOSED } from './flows.ts';
import { describeInBrowser, expectNoProblems, useChatApp, type ChatFixture } from './suite.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';

type Chunk = { type: string; text?: string; image_url?: string | { url: string } };
/** The content of the newest user message the fake upstream received. */
export function lastQuestionSent(f: { fake: ChatFixture['fake'] }): Chunk[] | string {
  const body = f.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: string | Chunk[] }> };
  return body.messages.filter((m) => m.role === 'user').at(-1)!.content;
}
export const imageUrlOf = (c: Chunk) => (typeof c.image_url === 'string' ? c.image_url : c.image_url?.url ?? '');

/** A signed-in tab on a thread of one finished exchange (the composer stays in the page after a send). */
async function threadTab(f: ChatFixture, look: { phone?: boolean; javaScript?: boolean } = {}) {
  const user = await createUser(f.live.db, { email: `files-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'File Sender' });
  const token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
  const { path } = await oneExchange(f.live.db, user.id, 'Hello there', 'Hello! Send me something.');
  const tab = await openTab(f.browser, f.live, { ...look, token });
  const requests: string[] = [];
  tab.page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await tab.page.goto(f.live.pageUrl(path));
  return { ...tab, requests };
}

const chipNames = (page: Page) => page.locator('#file-chips li.chip > span').allTextContents();
const inputCount = (page: Page) => page.locator('#files').evaluate((el) => (el as HTMLInputElement).files?.length ?? -1);

/** The newest question's thumbnails, each scrolled into view (they load lazily): src and decoded width. */
async function questionThumbnails(page: Page) {
  const imgs = page.locator('.msg-user').last().locator('.attachments img');
  const out: Array<{ src: string; natural: number }> = [];
  for (const img of await imgs.all()) {
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0)).toBe(true);
    out.push(await img.evaluate((el) => ({ src: new URL((el as HTMLImageElement).src).pathname, natural: (el as HTMLImageElement).naturalWidth })));
  }
  return out;
}

describeInBrowser('attachments in Chromium', {}, () => {
  const f = useChatApp();
  let shot: Buffer; let shot2: Buffer;
  const notes = Buffer.from('Shopping list:\n- bread\n- tea\n');

  beforeAll(async () => { [shot, shot2] = await Promise.all([screenshotLike(640, 400), screenshotLike(900, 500)]); });

  for (const phone of [false, true]) {
    it(`JavaScript on (${phone ? 'phone' : 'desktop'}): chips with previews, one removed, sent; the question shows thumbnails only and Mistral gets image_url chunks`, async () => {
      const tab = await threadTab(f, { phone });
      try {
        const { page, requests } = tab;
        // Without JavaScript's chips the Attach label opens the (visually hidden) native input; with it, the button shows.
        expect(await page.locator('.attach-btn').isVisible()).toBe(true);
        await page.locator('#files').setInputFiles([
          { name: 'first.png', mimeType: 'image/png', buffer: shot },
          { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
          { name: 'second.png', mimeType: 'image/png', buffer: shot2 },
        ]);
        await expect.poll(() => chipNames(page)).toEqual([expect.stringMatching(/^first\.png \(\d+ KB\)$/), `notes.txt (${notes.length} B)`, expect.stringMatching(/^second\.png \(\d+ KB\)$/)]);
        const previews = page.locator('#file-chips img');
        expect(await previews.count()).toBe(2);
        await expect.poll(() => previews.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth))).toEqual([640, 900]);
        // The one in the middle goes: the input then holds the other two, in order.
        await page.getByRole('button', { name: 'Remove notes.txt' }).click();
        await expect.poll(() => chipNames(page)).toEqual([expect.stringMatching(/^first\.png/), expect.stringMatching(/^second\.png/)]);
        expect(await inputCount(page)).toBe(2);
        expect(await page.locator('#files').evaluate((el) => [...(el as HTMLInputElement).files!].map((x) => x.name))).toEqual(['first.png', 'second.png']);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width).toBeLessThanOrEqual(phone ? 360 : 1280);

        const sent = f.fake.chatRequests.length;
        await page.getByLabel('Message', { exact: true }).fill('What is on these two screens?');
        await page.getByRole('button', { name: 'Send' }).click();
        // The upload, its thumbnails and the bytes in the database come first: slower on a loaded machine.
        await expect.poll(() => page.locator('.msg-user').last().textContent(), { timeout: 20_000 }).toContain('What is on these two screens?');
        const thumbs = await questionThumbnails(page);
        // Two images: windows onto one server-made contact sheet (two 96 px cells), never the 640 and 900 px originals.
        expect(thumbs.map((t) => t.src)).toEqual([expect.stringMatching(/^\/files\/sheet\/\d+\.\d+$/), thumbs[0].src]);
        for (const t of thumbs) expect(t.natural).toBe(192);
        expect(await page.locator('.msg-user').last().locator('.attachments img').evaluateAll((els) => els.map((e) => e.getAttribute('alt')))).toEqual(['first.png', 'second.png']);
        await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
        expect(requests.filter((p) => /^\/files\/\d+$/.test(p)), 'an original was downloaded to show a thumbnail').toEqual([]);
        expect(requests.filter((p) => /^\/files\/(\d+\/thumbnail|sheet\/)/.test(p))).toEqual([thumbs[0].src]);

        expect(f.fake.chatRequests.length).toBe(sent + 1);
        const content = lastQuestionSent(f) as Chunk[];
        expect(content.map((c) => c.type)).toEqual(['text', 'image_url', 'image_url']);
        expect(content[0].text).toBe('What is on these two screens?');
        expect(imageUrlOf(content[1])).toBe(`data:image/png;base64,${shot.toString('base64')}`);
        expect(imageUrlOf(content[2])).toBe(`data:image/png;base64,${shot2.toString('base64')}`);

        // The composer is empty again: no chips, no files, no text.
        await expect.poll(() => page.locator('#file-chips li').count()).toBe(0);
        expect(await page.locator('#file-chips').isHidden()).toBe(true);
        expect(await inputCount(page)).toBe(0);
        expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('');
        expectNoProblems(tab, [SSE_CLOSED]);
      } finally { await tab.close(); }
    });
  }

  it('JavaScript on: a file dropped on the page and one pasted into the message become chips and are sent', async () => {
    const tab = await threadTab(f);
    try {
      const { page } = tab;
      const b64 = shot.toString('base64');
      await page.evaluate((data) => {
        const file = new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], 'dropped.png', { type: 'image/png' });
        const dt = new DataTransfer();
        dt.items.add(file);
        const main = document.querySelector('main')!;
        main.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        main.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, b64);
      await expect.poll(() => chipNames(page)).toEqual([expect.stringMatching(/^dropped\.png \(\d+ KB\)$/)]);
      // Its preview shows (drawn once: the dragover before the drop loads attach.js too, and must not redraw it).
      await expect.poll(() => page.locator('#file-chips img').evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(640);
      const pasted = await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['print("pasted")\n'], 'snippet.py', { type: 'text/x-python' }));
        const ev = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
        document.getElementById('content')!.dispatchEvent(ev);
        // The page took the files instead of letting the text field paste them as text.
        return ev.defaultPrevented;
      });
      expect(pasted).toBe(true);
      await expect.poll(() => chipNames(page)).toEqual([expect.stringMatching(/^dropped\.png/), 'snippet.py (16 B)']);
      expect(await inputCount(page)).toBe(2);

      await page.getByLabel('Message', { exact: true }).fill('Dropped and pasted');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(async () => (await questionThumbnails(page)).length).toBe(1);
      await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
      const content = lastQuestionSent(f) as Chunk[];
      expect(content.map((c) => c.type)).toEqual(['text', 'image_url', 'text']);
      expect(content[2].text).toContain('snippet.py');
      expect(content[2].text).toContain('print("pasted")');
      expect(await page.locator('.msg-user').last().locator('.att-text .att-name').textContent()).toBe('snippet.py');
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('JavaScript on: files chosen while an answer streams keep their chips (the stream\'s swaps do not redraw them)', async () => {
    const tab = await threadTab(f);
    try {
      const { page } = tab;
      f.fake.enqueue({ tokens: Array.from({ length: 12 }, (_, i) => `word${i} `), tokenDelayMs: 150 });
      await page.getByLabel('Message', { exact: true }).fill('Take your time');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => lastStatus(page)).toBe('live');
      await page.locator('#files').setInputFiles([{ name: 'meanwhile.png', mimeType: 'image/png', buffer: shot }]);
      await expect.poll(() => page.locator('#file-chips img').evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(640);
      // Mark the chip's element: a redraw would replace it.
      await page.locator('#file-chips li').evaluate((e) => { e.setAttribute('data-seen', '1'); });
      await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
      expect(await page.locator('#file-chips li[data-seen]').count()).toBe(1);
      expect(await inputCount(page)).toBe(1);
      expectNoProblems(tab, [SSE_CLOSED]);
    } finally { await tab.close(); }
  });

  it('JavaScript off, phone: the native input; an HTML page named .png is refused with the text and the good PNG kept (ticked); the next send carries it', async () => {
    const token = await signedInToken(f.live);
    const tab = await openTab(f.browser, f.live, { phone: true, javaScript: false, token });
    try {
      const { page } = tab;
      await page.goto(f.live.pageUrl('/'));
      const input = page.locator('#files');
      expect(await input.isVisible()).toBe(true);
      const box = await input.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.x + box!.width).toBeLessThanOrEqual(360);
      expect(await page.locator('.attach-btn').isVisible()).toBe(false);

      await input.setInputFiles([
        { name: 'holiday.png', mimeType: 'image/png', buffer: shot },
        { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<!doctype html><title>x</title><script>alert(1)</script>') },
      ]);
      await page.getByLabel('Message', { exact: true }).fill('Is this my holiday photo?');
      const refused = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Send' }).click();
      expect((await refused).status()).toBe(422);
      await page.waitForLoadState('domcontentloaded');
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Is this my holiday photo?');
      const error = page.locator('#content-error');
      expect(await error.textContent()).toContain('fake.png');
      expect(await error.textContent()).not.toContain('holiday.png');
      const kept = page.locator('#kept-files input[name=keep]');
      expect(await kept.count()).toBe(1);
      expect(await kept.isChecked()).toBe(true);
      expect(await page.locator('#kept-files').textContent()).toContain('holiday.png');
      expect(await input.evaluate((el) => (el as HTMLInputElement).files?.length)).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(/\/threads\/[^?]+/, { waitUntil: 'commit' });
      await expect.poll(() => lastStatus(page), { timeout: 20_000 }).toBe('complete');
      const thumbs = await questionThumbnails(page);
      expect(thumbs).toHaveLength(1);
      expect(thumbs[0].src).toMatch(/^\/files\/\d+\/thumbnail$/);
      expect(await page.locator('.msg-user').last().locator('.attachments img').getAttribute('alt')).toBe('holiday.png');
      const content = lastQuestionSent(f) as Chunk[];
      expect(content.map((c) => c.type)).toEqual(['text', 'image_url']);
      expect(imageUrlOf(content[1])).toBe(`data:image/png;base64,${shot.toString('base64')}`);
      // The refusal's own 422 is the one bad response.
      expectNoProblems(tab, [/^422 /, /status of 422/]);
    } finally { await tab.close(); }
  });
});
