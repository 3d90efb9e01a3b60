// The error class every layer throws for a message a person reads. Its own module: auth.ts and csrf.ts need it,
// and errors.ts (which renders it) needs csrf.ts, so keeping it there would make http/ import itself in a circle.
/** An error a person should read: its message is shown as is. */
export class HttpError extends Error {
  /** Extra response headers, e.g. Retry-After on a 429. */
  headers: Record<string, string> = {};
  constructor(public status: number, message: string, public code = codeFor(status), public fields?: Record<string, string>) {
    super(message);
  }
}

export function codeFor(status: number): string {
  return ({ 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'too_large',
    422: 'invalid', 429: 'rate_limited', 503: 'unavailable' } as Record<number, string>)[status] ?? 'error';
}
