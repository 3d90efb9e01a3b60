// vitest glue for browser tests: skip with a printed reason where Chromium (or nginx) is missing, except under
// REQUIRE_BROWSER=1 (CI), where a missing tool fails the run. Also the shared fixture: one browser, one live app.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { chromiumMissing, launchBrowser, openTab, signedInToken, startLiveApp, type LiveApp, type Look, type Tab } from '../support/browser.ts';
import { nginxMissing } from '../support/nginx.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import type { Generations } from '../../src/features/chat/generation.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';
import type { PageSpec } from './pages.ts';

export const REQUIRE_BROWSER = process.env.REQUIRE_BROWSER === '1';

/** describe() that runs only where the tools exist; prints why it did not run. */
export function describeInBrowser(name: string, needs: { chromium?: boolean; nginx?: boolean }, body: () => void): void {
  const missing = [needs.chromium === false ? null : chromiumMissing(), needs.nginx ? nginxMissing() : null].filter((r): r is string => r !== null);
  if (missing.length > 0 && REQUIRE_BROWSER) {
    throw new Error(`REQUIRE_BROWSER=1 but ${missing.join('; ')}`);
  }
  if (missing.length > 0) {
    console.log(`\nBROWSER TESTS SKIPPED (${name}): ${missing.join('; ')}. Set REQUIRE_BROWSER=1 to make this a failure.\n`);
  }
  describe.skipIf(missing.length > 0)(name, body);
}

export type Fixture = { browser: Browser; live: LiveApp };

/** One Chromium and one live app for the enclosing describe; call inside describeInBrowser. */
export function useBrowserAndApp(env: Record<string, string> = {}): Fixture {
  const f = {} as Fixture;
  beforeAll(async () => {
    [f.browser, f.live] = await Promise.all([launchBrowser(), startLiveApp(env)]);
  });
  afterAll(async () => {
    await f.browser?.close();
    await f.live?.close();
  });
  return f;
}

/** Fails the test on any console error, page error, CSP violation, failed request or 4xx/5xx response. */
export function expectNoProblems(tab: Tab, allow: RegExp[] = []): void {
  const seen = tab.problems.list().filter((p) => !allow.some((a) => a.test(p)));
  expect(seen, seen.join('\n')).toEqual([]);
}

/** Opens a page the way a visitor would and checks it is the right one; its own non-200 status is expected. */
export async function visit(f: Fixture, spec: PageSpec, look: Look = {}) {
  let token: string | undefined;
  let pagePath = typeof spec.path === 'string' ? spec.path : '';
  if (spec.signedIn) {
    const user = await createUser(f.live.db, { email: `page-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Browser Tester' });
    token = await issueToken(f.live.db, user.id, { ttlDays: 1 });
    if (typeof spec.path === 'function') pagePath = await spec.path(f.live.db, user.id);
  } else if (typeof spec.path === 'function') {
    // A signed-out page with data (a share page): someone else made it.
    const owner = await createUser(f.live.db, { email: `owner-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Page Owner' });
    pagePath = await spec.path(f.live.db, owner.id);
  }
  const tab = await openTab(f.browser, f.live, { ...look, token });
  const res = await tab.page.goto(f.live.pageUrl(pagePath));
  expect(res?.status()).toBe(spec.status ?? 200);
  await expect.poll(() => tab.page.locator('h1').first().textContent()).toMatch(spec.heading);
  // The document's own expected status shows up as a bad response and a console line: that one is fine.
  const escaped = f.live.pageUrl(pagePath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const own = spec.status ? [new RegExp(`^${spec.status} ${escaped}$`), new RegExp(`status of ${spec.status}`)] : [];
  return { ...tab, own };
}

export type ChatFixture = Fixture & { fake: FakeMistral };

/**
 * One Chromium, one fake Mistral upstream and one live app talking to it (server key `test-key`), for the
 * enclosing describe. Running answers are ended before the app closes, so no stream outlives the test.
 */
export function useChatApp(env: Record<string, string> = {}): ChatFixture {
  const f = {} as ChatFixture;
  beforeAll(async () => {
    f.fake = await startFakeMistral();
    [f.browser, f.live] = await Promise.all([launchBrowser(),
      startLiveApp({ MISTRAL_API_KEY: 'test-key', MISTRAL_SERVER_URL: f.fake.url, ...env })]);
  });
  afterAll(async () => {
    await f.browser?.close();
    await (f.live?.app.locals.generations as Generations | undefined)?.shutdown();
    await f.live?.close();
    await f.fake?.stop();
  });
  return f;
}

/** A signed-in tab on the live app. */
export async function signedInTab(f: Fixture, look: Look = {}): Promise<Tab> {
  return openTab(f.browser, f.live, { ...look, token: await signedInToken(f.live) });
}
