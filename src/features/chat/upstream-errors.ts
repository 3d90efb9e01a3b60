// What a person reads when Mistral fails: no status codes, no stack, a next step.
import { MistralError } from '@mistralai/mistralai/models/errors/mistralerror.js';

export const NO_KEY_MESSAGE = 'No Mistral API key is set. Add your key in Settings, then retry.';

export function describeUpstreamError(err: unknown): string {
  const status = err instanceof MistralError ? err.statusCode : (err as { statusCode?: number } | null)?.statusCode;
  if (status === 401 || status === 403) return 'Mistral refused the API key. Check your key in Settings, then retry.';
  if (status === 429) return 'Mistral is rate limiting requests. Wait a moment, then retry.';
  if (status && status >= 400 && status < 500) return 'Mistral could not answer this request. Retry, or start a new chat.';
  return 'Mistral is unavailable right now. Retry in a moment.';
}

/** A 401 points to the settings page, so the view can link it. */
export function isKeyProblem(message: string | null): boolean {
  return Boolean(message && /key/i.test(message));
}
