// What a person reads when Mistral fails: no status codes, no stack, a next step.
import { MistralError } from '@mistralai/mistralai/models/errors/mistralerror.js';

export const NO_KEY_MESSAGE = 'No Mistral API key is set. Add your key in Settings, then retry.';

export function describeUpstreamError(err: unknown): string {
  const status = err instanceof MistralError ? err.statusCode : (err as { statusCode?: number } | null)?.statusCode;
  if (status === 401 || status === 403) return 'Mistral refused the API key. Check your key in Settings, then retry.';
  if (status === 429) return 'Mistral is rate limiting requests. Wait a moment, then retry.';
  // Mistral's 400 for a prompt over the model's context: "Prompt contains N tokens, too large for model with M
  // maximum context length". Retrying cannot help; the next step is a new chat or a model that reads more.
  const context = /too large for model with (\d+) maximum context length/i.exec(err instanceof MistralError ? err.body : '');
  if (context) {
    return `This conversation is too long for the model, which reads at most ${Number(context[1]).toLocaleString('en')} tokens. Start a new chat, or pick a model with a longer context.`;
  }
  if (status && status >= 400 && status < 500) return 'Mistral could not answer this request. Retry, or start a new chat.';
  return 'Mistral is unavailable right now. Retry in a moment.';
}

/** A 401 points to the settings page, so the view can link it. */
export function isKeyProblem(message: string | null): boolean {
  return Boolean(message && /key/i.test(message));
}
