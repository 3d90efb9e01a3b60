// Real-browser harness: Debian's Chromium driven by playwright-core against the real app listening on a real port.
// Deliberately free of vitest imports so that bench/ can reuse it; the vitest glue is test/browser/suite.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Dialect } from '../../src/db.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { testApp, type TestApp } from './app.ts';
import { MYSQL_URL } from './dialects.ts';
import { ROOT } from './server-process.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const AXE_PATH = path.join(ROOT, 'node_modules/axe-core/axe.min.js');
// Every run leaves its pictures in test-results/ (not committed); UPDATE_SCREENSHOTS=1 refreshes the committed ones in
// docs/screenshots/, so an ordinary run never dirties the work tree (the account page shows times that change).
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs/screenshots') : path.join(ROOT, 'test-results/screenshots');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why browser tests cannot run here, or null when Chromium is installed. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// Dictation (issue 13): Chromium with its fake microphone (a beep) and no permission prompt, for MediaRecorder tests.
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
export function launchBrowserWith(extraArgs: string[]): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** The browser suite runs on MySQL when the suite does, else SQLite. */
export const BROWSER_DIALECT: Dialect = MYSQL_URL ? 'mysql' : 'sqlite';

export type LiveApp = TestApp & { origin: string; baseUrl: string; pageUrl(p: string): string; stopServer(): Promise<void> };

/** The real app (createApp on a freshly migrated database) listening on 127.0.0.1 at a free port. */
export async function startLiveApp(env: Record<string, string> = {}, dialect: Dialect = BROWSER_DIALECT): Promise<LiveApp> {
  const t = await testApp(dialect, env);
  const server: Server = await new Promise((resolve, reject) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseUrl = origin + t.config.basePath;
  const stopServer = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return {
    ...t, origin, baseUrl, stopServer,
    pageUrl: (p: string) => baseUrl + p,
    async close() { await stopServer(); await t.close(); },
  };
}

/** A user and a fresh access token for them: the cookie a signed-in browser carries. */
export async function signedInToken(live: TestApp, email = `user-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`): Promise<string> {
  const user = await createUser(live.db, { email, name: 'Browser Tester' });
  return issueToken(live.db, user.id, { ttlDays: 1 });
}

export type Look = {
  javaScript?: boolean;
  colorScheme?: 'light' | 'dark';
  phone?: boolean;
  reducedMotion?: 'reduce' | 'no-preference';
  /** Signs the context in: sets the access_token cookie for this origin and path. */
  token?: string;
  /** ONLY for injecting axe-core: the app's CSP (script-src 'self') rightly blocks injected scripts. */
  bypassCSP?: boolean;
  extra?: BrowserContextOptions;
};

export const PHONE = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** Console errors, uncaught page errors, CSP violations, failed requests and 4xx/5xx responses seen by a page. */
export type Problems = { errors: string[]; badResponses: string[]; list(): string[] };

export type Tab = { context: BrowserContext; page: Page; problems: Problems; close(): Promise<void> };

/** A new context and page looking a certain way; the phone is CPU-throttled 4x over the DevTools protocol. */
export async function openTab(browser: Browser, live: { origin: string; config: { basePath: string } }, look: Look = {}): Promise<Tab> {
  const context = await browser.newContext({
    javaScriptEnabled: look.javaScript ?? true,
    colorScheme: look.colorScheme ?? 'light',
    reducedMotion: look.reducedMotion ?? 'no-preference',
    bypassCSP: look.bypassCSP ?? false,
    ...(look.phone ? PHONE : { viewport: { width: 1280, height: 800 } }),
    ...look.extra,
  });
  if (look.token) {
    await context.addCookies([{ name: 'access_token', value: look.token, domain: new URL(live.origin).hostname,
      path: live.config.basePath || '/', httpOnly: true, sameSite: 'Lax' }]);
  }
  const page = await context.newPage();
  if (look.phone) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  }
  const problems = watchProblems(page);
  return { context, page, problems, close: () => context.close() };
}

/** Chromium reports CSP violations as console errors, so one listener catches both. */
export function watchProblems(page: Page): Problems {
  const errors: string[] = [];
  const badResponses: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => { errors.push(`page error: ${e.message}`); });
  page.on('requestfailed', (r) => {
    // The browser's own favicon fetch is cut short whenever a form navigates away first; it is not the page's request.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && /\/static\/icon-[0-9a-f]+\.svg$/.test(r.url())) return;
    errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) badResponses.push(`${r.status()} ${r.url()}`); });
  return { errors, badResponses, list: () => [...errors, ...badResponses] };
}

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: string[] };

/**
 * axe-core with WCAG 2.0/2.1 A and AA rules on the page as it is now, plus `region` (all content inside landmarks,
 * so nothing is skipped by landmark navigation); returns violations (empty means clean).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, rules: { region: { enabled: true } } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
  });
  return result;
}

/**
 * Saves docs/screenshots/<name>.png, rewriting the file only when the picture changed so that an unchanged
 * page leaves the working tree clean. Returns true when it wrote.
 */
export async function saveScreenshot(page: Page, name: string): Promise<boolean> {
  const png = await page.screenshot({ fullPage: false });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  if (existsSync(file) && readFileSync(file).equals(png)) return false;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(file, png);
  return true;
}
