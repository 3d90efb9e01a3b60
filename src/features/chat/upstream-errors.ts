// What a person reads when Mistral fails: no status codes, no stack, a next step.
// Languages (issue 17): an answer's error is stored in English (the messages table, logs, the JSON API, as before);
// `storedErrorText` finds the Text a stored sentence came from, so the page shows it in its reader's language.
import { MistralError } from '@mistralai/mistralai/models/errors/mistralerror.js';
import { english, tr, type Text, type Translatable } from '../../i18n/text.ts';

export const NO_KEY_TEXT = tr('chat:upstream.noKey');
export const NO_KEY_MESSAGE = english(NO_KEY_TEXT);

export function describeUpstreamText(err: unknown): Text {
  const status = err instanceof MistralError ? err.statusCode : (err as { statusCode?: number } | null)?.statusCode;
  if (status === 401 || status === 403) return tr('chat:upstream.keyRefused');
  if (status === 429) return tr('chat:upstream.rateLimited');
  // Mistral's 400 for a prompt over the model's context: "Prompt contains N tokens, too large for model with M
  // maximum context length". Retrying cannot help; the next step is a new chat or a model that reads more.
  const context = /too large for model with (\d+) maximum context length/i.exec(err instanceof MistralError ? err.body : '');
  if (context) return tr('chat:upstream.tooLong', { tokens: Number(context[1]) });
  if (status && status >= 400 && status < 500) return tr('chat:upstream.refused');
  return tr('chat:upstream.unavailable');
}

/** In English, as stored and as the JSON API says it. */
export const describeUpstreamError = (err: unknown): string => english(describeUpstreamText(err));

/** Sentences stored in English that carry no value: each is found again by its English text. */
const FIXED: Text[] = [
  NO_KEY_TEXT, tr('chat:upstream.keyRefused'), tr('chat:upstream.rateLimited'), tr('chat:upstream.refused'),
  tr('chat:upstream.unavailable'), tr('chat:upstream.shutdown'), tr('chat:upstream.cut'), tr('chat:upstream.deleted'),
];
let byEnglish: Map<string, Text> | undefined;

/** A stored error as a Text when it is one of ours (any other text, e.g. from an older version, is shown as is). */
export function storedErrorText(message: string | null): Translatable | null {
  if (!message) return message;
  byEnglish ??= new Map(FIXED.map((t) => [english(t), t]));
  const fixed = byEnglish.get(message);
  if (fixed) return fixed;
  const tooLong = /^This conversation is too long for the model, which reads at most ([\d,]+) tokens\. /.exec(message);
  if (tooLong && message === english(tr('chat:upstream.tooLong', { tokens: Number(tooLong[1].replace(/,/g, '')) }))) {
    return tr('chat:upstream.tooLong', { tokens: Number(tooLong[1].replace(/,/g, '')) });
  }
  const stopped = /^Mistral stopped this answer: ([\s\S]*)$/.exec(message);
  if (stopped) return tr('chat:upstream.stoppedBy', { reason: stopped[1] });
  const idle = /^Mistral stopped sending for (\d+) seconds\. Retry in a moment\.$/.exec(message);
  if (idle) return tr('chat:upstream.idle', { seconds: Number(idle[1]) });
  return message;
}

/** A 401 points to the settings page, so the view can link it. */
export function isKeyProblem(message: string | null): boolean {
  return Boolean(message && /key/i.test(message));
}
