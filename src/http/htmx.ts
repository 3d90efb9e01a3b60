// One controller answers both a full page and an htmx fragment from the same partial, so the two cannot drift.
import type { Request, Response } from 'express';

/** True for an htmx request that wants a fragment (not a history restore, which needs the full page). */
export function wantsFragment(req: Request): boolean {
  return req.get('HX-Request') === 'true' && req.get('HX-History-Restore-Request') !== 'true';
}

/**
 * Whether the layout puts the CSRF token on <body> for htmx: for a signed-in user (their pages use htmx), or when
 * this request already holds a CSRF secret (the page's own form asked for a token). A signed-out page without a
 * form (a 404, an error) then creates no session row.
 */
export function csrfHeaderWanted(req: Request): boolean {
  return Boolean(req.user) || Boolean((req.session as { csrfSecret?: string } | undefined)?.csrfSecret);
}

export type PageOptions = { title?: string; status?: number; layout?: boolean };

/**
 * Renders `view` inside the layout for a plain request, or alone for htmx.
 * The view is the fragment (a partial whose name starts with `_`), or a page that includes it.
 */
export function render(req: Request, res: Response, view: string, locals: Record<string, unknown> = {}, opts: PageOptions = {}): void {
  res.vary('HX-Request').vary('HX-History-Restore-Request');
  if (opts.status) res.status(opts.status);
  if (wantsFragment(req) || opts.layout === false) {
    res.render(view, locals);
    return;
  }
  res.render(view, locals, (err: Error | null, body: string) => {
    if (err) return req.next?.(err);
    res.render('layout', { ...locals, body, title: opts.title ?? locals.title, csrfHeader: csrfHeaderWanted(req) });
  });
}

/** After a successful form POST: htmx follows HX-Location (or swaps), a plain browser gets 303 See Other. */
export function redirectAfterPost(req: Request, res: Response, location: string): void {
  if (req.get('HX-Request') === 'true') {
    res.set('HX-Location', location).status(204).end();
    return;
  }
  res.redirect(303, location);
}

/** Sends a signed-out htmx request to the sign-in page as a whole page, not into a div. */
export function redirectToPage(req: Request, res: Response, location: string): void {
  if (req.get('HX-Request') === 'true') {
    res.set('HX-Redirect', location).status(401).end();
    return;
  }
  res.redirect(302, location);
}
