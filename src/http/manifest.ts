// The web app manifest, so the app can be installed on a phone's home screen. Its start_url, scope and icon URLs
// depend on BASE_PATH, so it is built once at start-up rather than kept as a static file. It is public and the same
// for everyone: served before sessions and logging, cacheable for a day with an ETag (a browser that fetches it
// again on a repeat visit, as an installed app's update check does, mostly gets it from its cache or a 304).
import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { AssetUrl } from './assets.ts';
import type { UrlFor } from './base-path.ts';

/** The colours the browser paints around the app (title bar, splash screen): the light theme's; pages override. */
export const THEME_COLORS = { light: '#ffffff', dark: '#18181b' } as const;

export function manifestJson(url: UrlFor, asset: AssetUrl, appName: string): string {
  const home = url('/');
  return JSON.stringify({
    // The id keeps an installed app the same app if start_url ever gains a query.
    id: home, name: appName, short_name: appName, description: 'Chat with Mistral AI models.',
    start_url: home, scope: home, display: 'standalone', orientation: 'any',
    background_color: THEME_COLORS.light, theme_color: THEME_COLORS.light,
    icons: [
      { src: asset('icon.svg'), sizes: 'any', type: 'image/svg+xml' },
      { src: asset('icons/icon-192.png'), sizes: '192x192', type: 'image/png' },
      { src: asset('icons/icon-512.png'), sizes: '512x512', type: 'image/png' },
      { src: asset('icons/icon-maskable-512.png'), sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  });
}

export function manifestRoute(url: UrlFor, asset: AssetUrl, appName: string) {
  const body = manifestJson(url, asset, appName);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  const router = Router();
  router.get('/manifest.webmanifest', (_req, res) => {
    res.set({
      'Content-Type': 'application/manifest+json; charset=utf-8', 'Cache-Control': 'public, max-age=86400',
      'X-Content-Type-Options': 'nosniff', ETag: etag,
    });
    res.send(body); // answers 304 itself when If-None-Match holds this ETag (req.fresh)
  });
  return router;
}
