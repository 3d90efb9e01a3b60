// Administration tests (issue 16): an app with ADMIN_EMAILS, accounts signed in by cookie or Bearer, and the admin
// router's own list of routes (read from the router, so a new admin route is tested without being listed by hand).
import type { Router } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import type { Dialect } from '../../src/db.ts';
import { adminRoutes } from '../../src/features/admin/admin.routes.ts';
import { adminUsageRoutes } from '../../src/features/usage/admin-usage.routes.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser, updateUser, type User } from '../../src/features/auth/users.repo.ts';
import { testApp, type TestApp } from './app.ts';
import { csrfOf } from './forms.ts';

export const ADMIN = 'boss@example.com';

export function adminTestApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  return testApp(dialect, { ADMIN_EMAILS: `${ADMIN},second-boss@example.com`, ...env });
}

export type Member = { user: User; token: string; cookie: string; password: string };

/** A member with a password and a token; `verified` marks the address as shown to be theirs (as Google would). */
export async function member(t: TestApp, email: string, opts: { verified?: boolean; name?: string } = {}): Promise<Member> {
  const password = `pw-${email}-long-enough`;
  const user = await createUser(t.db, { email, name: opts.name ?? null, passwordHash: await hashPassword(password), emailVerified: opts.verified });
  const token = await issueToken(t.db, user.id, { ttlDays: 1 });
  return { user, token, cookie: `access_token=${token}`, password };
}

/** An administrator: an ADMIN_EMAILS address whose owner proved it. */
export const admin = (t: TestApp, email = ADMIN) => member(t, email, { verified: true, name: 'The Boss' });

/** Marks an address as verified (what a Google, OIDC or trusted-header sign-in or a reset link does). */
export const verify = (t: TestApp, user: User) => updateUser(t.db, user.id, { emailVerifiedAt: new Date() });

/** A cookie agent on a page that carries the CSRF token (signed in: every page has it on <body>). */
export async function cookieAgent(t: TestApp, cookie: string, path = '/settings') {
  const agent = request.agent(t.app);
  agent.set('Cookie', cookie);
  const page = await agent.get(path);
  expect(page.status).toBe(200);
  return { agent, csrf: csrfOf(page.text) };
}

export type RouteSpec = { method: 'get' | 'post' | 'delete'; path: string };

/** Every route the admin router answers, read from the router itself (sub-routers included). */
export function adminRouteList(config: TestApp['config'], db: TestApp['db']): RouteSpec[] {
  const out: RouteSpec[] = [];
  const walk = (stack: Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push({ method: m as RouteSpec['method'], path: layer.route.path });
      else if (layer.handle?.stack) walk(layer.handle.stack as never);
    }
  };
  walk((adminRoutes({ config, db }) as unknown as Router & { stack: never }).stack);
  // Usage and quotas (issue 16) mount their admin pages from their own feature.
  walk((adminUsageRoutes({ config, db }) as unknown as Router & { stack: never }).stack);
  return out;
}
