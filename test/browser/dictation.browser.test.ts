// Dictation in a real Chromium: an audio file through "Dictate from an audio file" with JavaScript off on a phone and
// with htmx on; the microphone with Chromium's fake device (MediaRecorder records its beep, the fake Mistral
// transcribes the bytes); errors said in the composer; pictures of the composer in both themes on phone and desktop.
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FAKE_MEDIA_ARGS, launchBrowserWith, openTab, startLiveApp, type LiveApp, type Look } from '../support/browser.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';
import { audioFile } from '../support/audio.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import type { Generations } from '../../src/features/chat/generation.ts';
import { describeInBrowser, expectNoProblems } from './suite.ts';

const SHOTS = process.env.DICTATION_SHOTS ?? '/tmp/shots-voice';
// A loaded machine (a phone is CPU-throttled 4x too) takes a while to load the recorder and start the device.
const POLL = { timeout: 10_000 };

describeInBrowser('dictation', {}, () => {
  let browser: Browser;
  let live: LiveApp;
  let fake: FakeMistral;
  beforeAll(async () => {
    fake = await startFakeMistral();
    [browser, live] = await Promise.all([launchBrowserWith(FAKE_MEDIA_ARGS), startLiveApp({ MISTRAL_API_KEY: 'test-key', MISTRAL_SERVER_URL: fake.url })]);
  });
  afterAll(async () => {
    await browser?.close();
    await (live?.app.locals.generations as Generations | undefined)?.shutdown();
    await live?.close();
    await fake?.stop();
  });

  /** A signed-in tab (with the microphone allowed) and an empty thread of the user's. */
  async function userTab(look: Look = {}) {
    const user = await createUser(live.db, { email: `dict-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Dictator' });
    const tab = await openTab(browser, live, { ...look, token: await issueToken(live.db, user.id, { ttlDays: 1 }),
      extra: look.javaScript === false ? {} : { permissions: ['microphone'] } });
    const thread = await createThread(live.db, user.id, { title: 'Dictation' });
    return { tab, thread, page: tab.page };
  }
  const memo = (words: string) => ({ name: 'memo.ogg', mimeType: 'audio/ogg', buffer: audioFile('ogg', words) });

  it('without JavaScript on a phone, an audio file lands in the composer after the typed text (new chat and thread)', async () => {
    const { tab, thread, page } = await userTab({ javaScript: false, phone: true });
    try {
      await page.goto(live.pageUrl('/'));
      await expect.poll(() => page.locator('#mic').isVisible(), POLL).toBe(false);
      await page.getByLabel('Message', { exact: true }).fill('Typed on the phone');
      await page.getByText('Dictate from an audio file').click();
      await page.getByLabel('Audio file').setInputFiles(memo('and spoken on it'));
      await page.getByRole('button', { name: 'Transcribe into the message' }).click();
      await page.waitForURL(/\/transcribe$/);
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Typed on the phone and spoken on it');
      // Then sent as any message: the transcript is just text in the composer.
      await page.goto(live.pageUrl(`/threads/${thread.id}`));
      await page.getByLabel('Message', { exact: true }).fill('In a thread:');
      await page.getByText('Dictate from an audio file').click();
      await page.getByLabel('Audio file').setInputFiles(memo('more words'));
      await page.getByRole('button', { name: 'Transcribe into the message' }).click();
      await page.waitForURL(new RegExp(`/threads/${thread.id}/transcribe$`));
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('In a thread: more words');
      expectNoProblems(tab);
    } finally { await tab.close(); }
  });

  it('with JavaScript, the file button goes through htmx: only the message field changes, files chosen to attach stay', async () => {
    const { tab, thread, page } = await userTab();
    try {
      await page.goto(live.pageUrl(`/threads/${thread.id}`));
      await page.getByLabel('Message', { exact: true }).fill('Typed with htmx');
      await page.locator('#files').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('attach me') });
      await page.getByText('Dictate from an audio file').click();
      await page.getByLabel('Audio file').setInputFiles(memo('spoken with htmx'));
      await page.getByRole('button', { name: 'Transcribe into the message' }).click();
      await expect.poll(() => page.getByLabel('Message', { exact: true }).inputValue(), POLL).toBe('Typed with htmx spoken with htmx');
      expect(page.url()).toBe(live.pageUrl(`/threads/${thread.id}`));
      expect(await page.locator('.msg-user').count()).toBe(0);
      expect(await page.locator('#files').evaluate((i: HTMLInputElement) => [...i.files!].map((f) => f.name))).toEqual(['notes.txt']);
      // A refusal says why in the flash area; the text stays as it was.
      await page.getByLabel('Audio file').setInputFiles({ name: 'fake.ogg', mimeType: 'audio/ogg', buffer: Buffer.from('<html>not audio</html>') });
      await page.getByRole('button', { name: 'Transcribe into the message' }).click();
      await expect.poll(() => page.locator('#flash .error-box').textContent(), POLL).toMatch(/not audio/);
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Typed with htmx spoken with htmx');
      expectNoProblems(tab, [/^422 .*\/transcribe$/, /console: Failed to load resource.*422/]);
    } finally { await tab.close(); }
  });

  it('the microphone records Chromium\'s fake device, the text lands at the cursor, and the microphone is released', async () => {
    const { tab, thread, page } = await userTab();
    try {
      // Keeps the streams the page is given, to check afterwards that every track was stopped.
      await page.addInitScript(() => {
        const w = window as unknown as { streams: MediaStream[] };
        w.streams = [];
        const get = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (c) => get(c).then((s) => { w.streams.push(s); return s; });
      });
      await page.goto(live.pageUrl(`/threads/${thread.id}`));
      const mic = page.locator('#mic');
      await expect.poll(() => mic.isVisible(), POLL).toBe(true);
      expect(await page.locator('script[src*="dictation-"]').count()).toBe(0);
      await page.getByLabel('Message', { exact: true }).fill('Before');
      const asked = fake.audio.requests.length;
      await mic.click();
      await expect.poll(() => mic.getAttribute('aria-pressed'), POLL).toBe('true');
      expect(await mic.textContent()).toBe('Stop dictation');
      expect(await page.locator('script[src*="dictation-"]').count()).toBe(1);
      mkdirSync(SHOTS, { recursive: true });
      await page.locator('#composer').screenshot({ path: `${SHOTS}/composer-recording.png` });
      await page.waitForTimeout(1200);
      await mic.click();
      await expect.poll(() => page.getByLabel('Message', { exact: true }).inputValue(), { timeout: 10_000 }).toMatch(/^Before \(\d+ bytes of audio\)$/);
      expect(await mic.getAttribute('aria-pressed')).toBe('false');
      expect(await mic.textContent()).toBe('Dictate');
      const sent = fake.audio.requests.slice(asked);
      expect(sent).toHaveLength(1);
      expect(sent[0].body.file!.type).toBe('audio/webm');
      expect(sent[0].body.file!.bytes.readUInt32BE(0)).toBe(0x1a45dfa3);
      expect(sent[0].body.file!.size).toBeGreaterThan(1000);
      expect(await page.evaluate(() => (window as unknown as { streams: MediaStream[] }).streams.flatMap((s) => s.getTracks().map((t) => t.readyState)))).toEqual(['ended']);

      // Mistral rate limiting: said in the composer's error area, in chat's words, the text kept.
      fake.audio.enqueue({ status: 429 });
      await mic.click();
      await expect.poll(() => mic.getAttribute('aria-pressed'), POLL).toBe('true');
      await page.waitForTimeout(500);
      await mic.click();
      const alert = page.locator('#content-error[role=alert]');
      await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toBe('Mistral is rate limiting requests. Wait a moment, then retry.');
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toMatch(/^Before \(\d+ bytes of audio\)$/);
      expectNoProblems(tab, [/^429 .*\/api\/transcribe$/, /console: Failed to load resource.*429/]);
    } finally { await tab.close(); }
  });

  it('pictures: the composer with the file form open and the microphone, phone and desktop, light and dark', async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const phone of [true, false]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { tab, thread, page } = await userTab({ phone, colorScheme });
        try {
          await page.goto(live.pageUrl(`/threads/${thread.id}`));
          await page.getByLabel('Message', { exact: true }).fill('A message typed before dictating');
          await page.getByText('Dictate from an audio file').click();
          await expect.poll(() => page.locator('#mic').isVisible(), POLL).toBe(true);
          const box = (await page.locator('#composer').boundingBox())!;
          // Nothing of the composer sticks out of the screen.
          expect(box.x + box.width).toBeLessThanOrEqual(phone ? 360 : 1280);
          for (const el of ['#mic', '#dictation-audio', 'button[formaction]']) {
            const b = (await page.locator(el).boundingBox())!;
            expect(b.x + b.width, el).toBeLessThanOrEqual(box.x + box.width + 1);
          }
          await page.screenshot({ path: `${SHOTS}/composer-${phone ? 'phone' : 'desktop'}-${colorScheme}.png` });
          expectNoProblems(tab);
        } finally { await tab.close(); }
      }
    }
  });
});
