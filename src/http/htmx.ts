// One controller answers both a full page and an htmx fragment from the same partial, so the two cannot drift.
import type { Request, Response } from 'express';

/**
 * True for an htmx request aimed at an element, which wants a fragment. A boosted link and a history restore are
 * navigations: htmx swaps their answer into <body> (or the history element), so they need the whole page.
 */
export function wantsFragment(req: Request): boolean {
  return req.get('HX-Request') === 'true' && req.get('HX-History-Restore-Request') !== 'true' && req.get('HX-Boosted') !== 'true';
}

/** Every request header the page-or-fragment choice reads, so a cache never hands one where the other was asked. */
export function varyOnHtmx(res: Response): Response {
  return res.vary('HX-Request').vary('HX-Boosted').vary('HX-History-Restore-Request');
}

/** A partial (`chat/_composer`) is a fragment; any other view (`settings/index`) is a page. */
const isPartial = (view: string) => view.slice(view.lastIndexOf('/') + 1).startsWith('_');

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
 * Renders a fragment (a partial, `_name`) alone for an htmx request aimed at an element, and everything else inside
 * the layout. A page view is never sent without its layout: HX-Location, a boosted link or a history restore swaps it
 * into <body>, and a page without the layout there would wipe the sidebar, the top bar and the landmarks.
 */
export function render(req: Request, res: Response, view: string, locals: Record<string, unknown> = {}, opts: PageOptions = {}): void {
  varyOnHtmx(res);
  if (opts.status) res.status(opts.status);
  if ((wantsFragment(req) && isPartial(view)) || opts.layout === false) {
    res.render(view, locals);
    return;
  }
  res.render(view, locals, (err: Error | null, body: string) => {
    if (err) return req.next?.(err);
    res.render('layout', { ...locals, body, title: opts.title ?? locals.title, csrfHeader: csrfHeaderWanted(req) });
  });
}

/** Renders a template to a string with the request's locals (csrfToken, user). */
export function renderString(req: Request, res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    req.app.render(view, { ...res.locals, ...locals }, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}

/**
 * After a successful form POST: a plain browser gets 303 See Other; htmx gets HX-Location, i.e. fetches the whole
 * page, swaps its body into <body>, pushes the URL and shows the page from its top, as a followed redirect would.
 */
export function redirectAfterPost(req: Request, res: Response, location: string): void {
  if (req.get('HX-Request') === 'true') {
    res.set('HX-Location', JSON.stringify({ path: location, target: 'body', swap: 'innerHTML show:window:top' })).status(204).end();
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
