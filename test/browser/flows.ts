// What a person does through the account forms, shared by the JS-on and JS-off tests.
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
  await page.locator('form[action$="/logout"]').getByRole('button', { name: 'Sign out' }).click();
}
