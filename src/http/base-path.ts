// Every URL the app writes (links, forms, redirects, htmx and SSE URLs, static files, cookie Path) goes through here,
// so the whole app can live under a sub-path such as /chat behind a proxy.
export type UrlFor = (path: string) => string;

export function urlFor(basePath: string): UrlFor {
  return (p: string) => {
    if (!p.startsWith('/')) throw new Error(`urlFor expects an absolute app path, got ${p}`);
    return basePath + p;
  };
}

/** The cookie Path for the app: its base path, or / at the root. */
export function cookiePath(basePath: string): string {
  return basePath || '/';
}

// Characters a browser strips from or rewrites in a URL (tab, CR, LF and other controls) and backslashes, which
// browsers read as "/": "/\host" and "/<tab>/host" would leave the site.
const UNSAFE_CHARS = /[\\\u0000-\u001f\u007f]/;
// Encoded slashes in the path: a proxy or framework that decodes them would see "//host".
const ENCODED_SEPARATOR = /%(2f|5c)/i;

/** One leading slash, then anything but a second slash: a path on this host, never "//host". */
const isSingleSlashPath = (p: string) => p.startsWith('/') && !p.startsWith('//') && !UNSAFE_CHARS.test(p);

/**
 * A redirect target from user input (?next=) is accepted only if it is a path inside this app: no scheme, no host,
 * no protocol-relative //, no backslash or control-character tricks. The check runs again on the normalised result,
 * because the URL parser turns "/..//host", "/.//host" and "/%2e%2e//host" into "//host". Anything else falls back.
 */
export function safeLocalPath(candidate: unknown, basePath: string, fallback = '/'): string {
  if (typeof candidate !== 'string' || candidate.length > 2048 || !isSingleSlashPath(candidate)) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(candidate, 'http://local.invalid');
  } catch {
    return fallback;
  }
  if (parsed.origin !== 'http://local.invalid' || ENCODED_SEPARATOR.test(parsed.pathname)) return fallback;
  const full = parsed.pathname + parsed.search + parsed.hash;
  // Accept both app-relative (/threads/x) and already prefixed (/chat/threads/x) paths; return app-relative.
  const inApp = basePath && (full === basePath || full.startsWith(basePath + '/')) ? full.slice(basePath.length) || '/' : full;
  return isSingleSlashPath(full) && isSingleSlashPath(inApp) ? inApp : fallback;
}
