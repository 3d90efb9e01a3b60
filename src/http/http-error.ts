// The error class every layer throws for a message a person reads. Its own module: auth.ts and csrf.ts need it,
// and errors.ts (which renders it) needs csrf.ts, so keeping it there would make http/ import itself in a circle.
import type { TFunction } from 'i18next';
import { english, say, type Text, type Translatable } from '../i18n/text.ts';

/**
 * An error a person should read. Languages (issue 17): the message (and each field's) may be a catalogue Text,
 * `tr('auth:error.wrongCredentials')`, translated where it is shown (`localized(t)`); `message` and `fields` stay English
 * (logs, and code written before i18n). A plain string is shown as is in every language: not converted yet.
 */
export class HttpError extends Error {
  /** Extra response headers, e.g. Retry-After on a 429. */
  headers: Record<string, string> = {};
  fields?: Record<string, string>;
  constructor(public status: number, public text: Translatable, public code = codeFor(status), public fieldTexts?: Record<string, Translatable>) {
    super(english(text));
    if (fieldTexts) this.fields = Object.fromEntries(Object.entries(fieldTexts).map(([k, v]) => [k, english(v)]));
  }

  /** The message and the fields' messages in the reader's language. */
  localized(t: TFunction): { message: string; fields?: Record<string, string> } {
    const fields = this.fieldTexts && Object.fromEntries(Object.entries(this.fieldTexts).map(([k, v]) => [k, say(t, v)]));
    return { message: say(t, this.text), ...(fields ? { fields } : {}) };
  }
}

export type { Text };

export function codeFor(status: number): string {
  return ({ 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'too_large',
    422: 'invalid', 429: 'rate_limited', 503: 'unavailable' } as Record<number, string>)[status] ?? 'error';
}
