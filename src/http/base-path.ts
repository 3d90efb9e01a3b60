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

/**
 * A redirect target from user input (?next=) is accepted only if it is a path inside this app:
 * no scheme, no host, no protocol-relative //, no backslash tricks. Anything else falls back.
 */
export function safeLocalPath(candidate: unknown, basePath: string, fallback = '/'): string {
  if (typeof candidate !== 'string' || candidate.length > 2048) return fallback;
  if (!candidate.startsWith('/') || candidate.startsWith('//') || /[\\\u0000-\u001f]/.test(candidate)) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(candidate, 'http://local.invalid');
  } catch {
    return fallback;
  }
  if (parsed.host !== 'local.invalid') return fallback;
  const full = parsed.pathname + parsed.search + parsed.hash;
  if (!basePath) return full;
  // Accept both app-relative (/threads/x) and already prefixed (/chat/threads/x) paths; return app-relative.
  if (full === basePath || full.startsWith(basePath + '/')) return full.slice(basePath.length) || '/';
  return full;
}
