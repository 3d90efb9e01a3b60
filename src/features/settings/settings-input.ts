// Checks of what a person types into the model settings (settings page, thread menu, JSON API): one rule per field,
// so every entry point accepts and refuses the same things.
import { MODEL_ID_PATTERN } from './models.ts';
import { THEMES, type Theme } from './settings.repo.ts';
import { english, tr, type Translatable } from '../../i18n/text.ts';

export const MAX_CONTEXT_CHARS = 20_000;
export const MAX_FAST_MODELS = 30;

/** A refusal a person can act on, tied to the form field it concerns. */
export class SettingsInputError extends Error {
  // Languages (issue 17): `text` is what the person reads (a catalogue Text, or a string as is); `message` its English.
  constructor(public field: string, public text: Translatable) { super(english(text)); }
}

export function validApiKeyShape(key: string): boolean {
  return key.length >= 8 && key.length <= 256 && /^[\x21-\x7e]+$/.test(key);
}

/**
 * A model name: letters, digits and . _ - : / @, at most 100 characters, starting with a letter or digit. Wide enough
 * for self-hosted names such as `mistralai/Mistral-Small-3.2-24B-Instruct-2506`; narrow enough to refuse markup.
 */
export function checkModelId(id: unknown, field = 'model'): string {
  if (typeof id !== 'string' || !MODEL_ID_PATTERN.test(id.trim())) {
    throw new SettingsInputError(field, tr('settings:error.modelName'));
  }
  return id.trim();
}

export function checkContext(text: unknown, field = 'context'): string | null {
  if (text === undefined || text === null) return null;
  if (typeof text !== 'string') throw new SettingsInputError(field, tr('settings:error.contextText'));
  if (text.length > MAX_CONTEXT_CHARS) throw new SettingsInputError(field, tr('settings:error.contextTooLong', { length: text.length, max: MAX_CONTEXT_CHARS }));
  return text.trim() === '' ? null : text;
}

export function checkTheme(value: unknown): Theme {
  if (!(THEMES as readonly unknown[]).includes(value)) throw new SettingsInputError('theme', tr('settings:error.theme'));
  return value as Theme;
}

export function checkFastList(ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new SettingsInputError('fastModels', tr('settings:error.fastListType'));
  const list = [...new Set(ids.map((id) => checkModelId(id, 'fastModels')))];
  if (list.length > MAX_FAST_MODELS) throw new SettingsInputError('fastModels', tr('settings:error.fastListTooLong', { max: MAX_FAST_MODELS }));
  return list;
}
