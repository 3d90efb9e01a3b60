// Web glue shared by the auth and account controllers: starting a signed-in session, `next`, flash, client info.
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config.ts';
import { clearTokenCookie, setTokenCookie } from '../../http/auth.ts';
import { safeLocalPath } from '../../http/base-path.ts';
import { isBearerRequest } from '../../http/csrf.ts';
import type { Client, SignedIn } from './auth.service.ts';
import { RateLimitedError } from './rate-limits.ts';
import type { User } from './users.repo.ts';
import type { Translatable } from '../../i18n/text.ts';

// Languages (issue 17): a flash is stored as a catalogue Text and translated when shown (views/partials/flash.ejs),
// in the language of the page that shows it; a plain string (code not converted yet) is shown as is.
type Flash = { kind: 'ok' | 'error'; text: Translatable };
type PendingGoogle = { state: string; nonce: string; verifier: string; redirectUri: string; next: string; linkUserId?: number; startedAt: number; invite?: string };

declare module 'express-session' {
  interface SessionData { flash?: Flash[]; google?: PendingGoogle }
}

export const clientOf = (req: Request): Client => ({ ip: req.ip, userAgent: req.get('user-agent') ?? undefined });

/** The app-relative path to go to after sign-in: local paths only. */
export const nextPath = (req: Request, config: Config): string =>
  safeLocalPath((req.body as Record<string, unknown> | undefined)?.next ?? req.query.next, config.basePath, '/');

export const appUrl = (req: Request, path: string): string => (req.app.locals.url as (p: string) => string)(path);

const regenerate = (req: Request) => new Promise<void>((resolve, reject) => {
  if (!req.session) return resolve();
  req.session.regenerate((err) => (err ? reject(err) : resolve()));
});

/** A new session id on every sign-in (no fixation), then the token cookie. Scripts with a Bearer header get no cookie. */
export async function startSignedIn(req: Request, res: Response, config: Config, { user, token }: SignedIn): Promise<void> {
  await regenerate(req);
  if (!isBearerRequest(req)) setTokenCookie(req, res, token, config, user);
}

export async function endSignedIn(req: Request, res: Response, config: Config): Promise<void> {
  await regenerate(req);
  clearTokenCookie(res, config);
}

/** A whole-page navigation: htmx must load the new page (the layout changes), a browser gets 303. */
export function goTo(req: Request, res: Response, location: string): void {
  if (req.get('HX-Request') === 'true') {
    res.set('HX-Redirect', location).status(204).end();
    return;
  }
  res.redirect(303, location);
}

export function addFlash(req: Request, kind: Flash['kind'], text: Translatable): void {
  req.session.flash = [...(req.session.flash ?? []), { kind, text }];
}

export function takeFlash(req: Request, res: Response): void {
  const flash = req.session?.flash;
  if (flash?.length) {
    res.locals.flash = flash;
    delete req.session.flash;
  }
}

export const publicUser = (u: User) => ({ id: u.id, name: u.name, email: u.email, picture: u.picture });

/** Router-level error hook: a 429 always says when to come back. */
export function retryAfterHeader(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (err instanceof RateLimitedError) res.set('Retry-After', String(err.retryAfterSeconds));
  next(err);
}
