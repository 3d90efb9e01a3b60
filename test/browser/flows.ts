// What a person does through the account forms, and what the chat page shows, shared by several test files.
import type { Page } from 'playwright-core';

export async function register(page: Page, base: (p: string) => string, who: { name: string; email: string; password: string }): Promise<void> {
  await page.goto(base('/register'));
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

export async function signIn(page: Page, base: (p: string) => string, who: { email: string; password: string }): Promise<void> {
  await page.goto(base('/login'));
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The sign-out button of the account page (not the per-device ones). */
export async function signOut(page: Page, base: (p: string) => string): Promise<void> {
  await page.goto(base('/account'));
  await page.locator('main form[action$="/logout"]').getByRole('button', { name: 'Sign out' }).click();
}

/**
 * The newest answer's state as its footer shows it (the footer is what the stream replaces when the answer ends;
 * the article's data-status keeps its first value until a reload): 'live' while it has a Stop button, then
 * 'stopped', 'failed', … from its status line, or 'complete' when it has none.
 */
export function lastStatus(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const all = document.querySelectorAll('.msg-assistant');
    // The final footer (a page following an answer without JavaScript also holds a live one before it, then hidden).
    const foot = all[all.length - 1]?.querySelector('footer.msg-foot');
    if (!foot) return null;
    if (foot.querySelector('form[action$="/stop"]')) return 'live';
    // "Done." (an answer that ended while watched) is complete, like the reloaded footer without a status.
    const status = foot.querySelector('.msg-status:not(.msg-complete)')?.textContent?.trim();
    return status ? status.replace(/\.$/, '').toLowerCase() : 'complete';
  }).catch(() => null);
}

/** EventSource closed by htmx-ext-sse once the answer is done: Chromium logs that as an aborted request. */
export const SSE_CLOSED = /\/events\?after=\S* net::ERR_ABORTED$/;

/**
 * Presses the newest answer's Stop and waits for the server's reply to it. The stream's own "done" can reach the
 * page before that reply does, so a test that reloads as soon as it sees "Stopped." would cancel the request.
 */
export async function pressStop(page: Page): Promise<number> {
  const reply = page.waitForResponse((r) => r.request().method() === 'POST' && /\/stop$/.test(new URL(r.url()).pathname));
  await page.getByRole('button', { name: 'Stop' }).click();
  return (await reply).status();
}

/** What the newest answer shows now: its markdown plus the unfinished tail. */
export function answerText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const all = document.querySelectorAll('.msg-assistant');
    const last = all[all.length - 1];
    if (!last) return '';
    return `${last.querySelector('.md')?.textContent ?? ''}${last.querySelector('.tail')?.textContent ?? ''}`.replace(/\s+/g, ' ').trim();
  }).catch(() => '');
}

/** Types in the composer and presses Enter (the script's Enter-sends). */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}
