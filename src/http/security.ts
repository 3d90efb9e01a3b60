import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * A strict Content-Security-Policy: scripts only from our own origin (no inline script, no eval),
 * no plugins, no framing. htmx is configured through a meta tag so that it needs neither.
 */
export function securityHeaders(opts: { https: boolean }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // No inline styles at all: math is rendered as MathML (no style attributes), everything else uses classes.
        styleSrc: ["'self'"],
        // blob: the composer's previews of chosen images (attach.js), made in the browser from the files themselves.
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: opts.https ? undefined : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/**
 * Every dynamic answer (page, htmx fragment, JSON, event stream) may depend on who is signed in, or carries a CSRF
 * token or an access token: no browser or proxy may keep it, so Back after signing out re-asks the server instead of
 * showing the last account's page. Only fingerprinted static files (assets.ts) are cacheable, and they come first.
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}

/** Health probes: plain JSON that no proxy keeps and no browser sniffs as anything else. */
export function healthHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  next();
}
