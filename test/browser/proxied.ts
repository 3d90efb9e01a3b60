// The app under /chat/ behind docs/deploy/nginx.conf with a fake Mistral, and a Chromium: what the proxied chat tests share.
import type { Browser } from 'playwright-core';
import type { Generations } from '../../src/features/chat/generation.ts';
import { launchBrowser, startLiveApp, type LiveApp } from '../support/browser.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';

export type ProxiedChat = { browser: Browser; fake: FakeMistral; live: LiveApp; nginx: RunningNginx; close(): Promise<void> };

export async function chatBehindNginx(): Promise<ProxiedChat> {
  const fake = await startFakeMistral();
  const [browser, live] = await Promise.all([launchBrowser(), startLiveApp({
    BASE_PATH: '/chat', TRUST_PROXY: 'loopback', MISTRAL_API_KEY: 'test-key', MISTRAL_SERVER_URL: fake.url })]);
  const nginx = await startNginx(Number(new URL(live.origin).port));
  return {
    browser, fake, live, nginx,
    async close() {
      await browser.close();
      await nginx.stop();
      await (live.app.locals.generations as Generations | undefined)?.shutdown();
      await live.close();
      await fake.stop();
    },
  };
}
