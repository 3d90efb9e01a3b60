// Reading what a page gives a browser: its CSRF token and the cookies a response sets.
import request from 'supertest';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';

export const csrfOf = (html: string): string => /"X-CSRF-Token": "([^"]+)"/.exec(html)![1];

export const cookieOf = (res: request.Response, name: string): string | undefined =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));

export const tokenOf = (res: request.Response): string | undefined =>
  /^access_token=([^;]*)/.exec(cookieOf(res, 'access_token') ?? '')?.[1];

/** An agent that has opened a page with a form (so it holds a session), and the page's CSRF token. */
export async function formAgent(t: TestApp, path = '/login') {
  const agent = request.agent(t.app);
  const page = await agent.get(path);
  expect(page.status).toBe(200);
  return { agent, csrf: csrfOf(page.text), page };
}
