// The model a new chat starts with, chosen in the home composer before its first message: Default (empty: the user's
// default model applies) or one of the user's fast list, as the thread header's model menu offers. The form's value
// is checked here because a stale page (a model since removed from the list) or a crafted post can send anything.
import type { Config } from '../../config.ts';
import type { StoredSettings } from '../settings/settings.repo.ts';
import { checkModelId, SettingsInputError } from '../settings/settings-input.ts';

/** null for Default; else the chosen id. Throws SettingsInputError (field `model`) with a sentence to show. */
export function newChatModel(config: Config, settings: StoredSettings, raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const id = checkModelId(raw, 'model');
  const defaultModel = settings.defaultModel ?? config.mistral.defaultModel;
  if (id !== defaultModel && !settings.fastModels.includes(id)) {
    throw new SettingsInputError('model', `${id} is not in your fast list of models: choose another, or add it in Settings.`);
  }
  return id;
}
