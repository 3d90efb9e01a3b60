// A user's Mistral settings: the key (sealed at rest, checked before saving), default model, fast list, default context.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { keyHint, open, seal } from '../../lib/secret-box.ts';
import { MODEL_ID_PATTERN, modelsFromConfiguration, type CatalogueResult, type ModelCatalogue } from './models.ts';
import { getSettings, updateSettings, type StoredSettings } from './settings.repo.ts';

export const MAX_CONTEXT_CHARS = 20_000;
export const MAX_FAST_MODELS = 30;

export type SettingsView = {
  hasApiKey: boolean; apiKeyHint: string | null; usingServerKey: boolean; serverKeyAvailable: boolean;
  defaultModel: string; fastModels: string[]; defaultContext: string;
};

/** A refusal a person can act on, tied to the form field it concerns. */
export class SettingsInputError extends Error {
  constructor(public field: string, message: string) { super(message); }
}

export type SettingsDeps = { db: Db; config: Config; catalogue: ModelCatalogue };

export async function getSettingsView({ db, config }: Pick<SettingsDeps, 'db' | 'config'>, userId: number): Promise<SettingsView> {
  const s = await getSettings(db, userId);
  const hasApiKey = Boolean(s.apiKeySealed);
  return {
    hasApiKey, apiKeyHint: s.apiKeyHint, usingServerKey: !hasApiKey && Boolean(config.mistral.apiKey),
    serverKeyAvailable: Boolean(config.mistral.apiKey),
    defaultModel: s.defaultModel ?? config.mistral.defaultModel, fastModels: s.fastModels, defaultContext: s.defaultContext ?? '',
  };
}

/** The key a user's requests use: their own, else the server's, else none. */
export async function effectiveApiKey({ db, config }: Pick<SettingsDeps, 'db' | 'config'>, userId: number): Promise<string | undefined> {
  return keyFromSettings(config, await getSettings(db, userId));
}

export function keyFromSettings(config: Config, s: StoredSettings): string | undefined {
  if (s.apiKeySealed) {
    try {
      return open(config.encryptionKey, s.apiKeySealed);
    } catch {
      // Sealed with another ENCRYPTION_KEY: unusable, so behave as if there were none (the page says to re-enter it).
      return config.mistral.apiKey;
    }
  }
  return config.mistral.apiKey;
}

export function validApiKeyShape(key: string): boolean {
  return key.length >= 8 && key.length <= 256 && /^[\x21-\x7e]+$/.test(key);
}

/** Checks the key against the endpoint and saves it only if the endpoint accepts it; the old key stays otherwise. */
export async function saveApiKey(deps: SettingsDeps, userId: number, rawKey: string): Promise<void> {
  const key = rawKey.trim();
  if (!validApiKeyShape(key)) throw new SettingsInputError('apiKey', 'That does not look like an API key: paste the whole key, without spaces.');
  const result = await deps.catalogue.list(key, { fresh: true });
  if (result.status !== 'ok') throw new SettingsInputError('apiKey', result.message);
  await updateSettings(deps.db, userId, { apiKeySealed: seal(deps.config.encryptionKey, key), apiKeyHint: keyHint(key) });
}

export async function removeApiKey(deps: Pick<SettingsDeps, 'db'>, userId: number): Promise<void> {
  await updateSettings(deps.db, userId, { apiKeySealed: null, apiKeyHint: null });
}

export function checkModelId(id: unknown, field = 'model'): string {
  if (typeof id !== 'string' || !MODEL_ID_PATTERN.test(id.trim())) {
    throw new SettingsInputError(field, 'That is not a model name: use letters, digits and . _ - : / (at most 100 characters).');
  }
  return id.trim();
}

export function checkContext(text: unknown, field = 'context'): string | null {
  if (text === undefined || text === null) return null;
  if (typeof text !== 'string') throw new SettingsInputError(field, 'The context must be text.');
  if (text.length > MAX_CONTEXT_CHARS) throw new SettingsInputError(field, `The context is ${text.length} characters; the limit is ${MAX_CONTEXT_CHARS}.`);
  return text.trim() === '' ? null : text;
}

export async function saveDefaults(deps: Pick<SettingsDeps, 'db'>, userId: number, input: { defaultModel?: unknown; defaultContext?: unknown }): Promise<void> {
  const patch: { defaultModel?: string; defaultContext?: string | null } = {};
  if (input.defaultModel !== undefined) patch.defaultModel = checkModelId(input.defaultModel, 'defaultModel');
  if (input.defaultContext !== undefined) patch.defaultContext = checkContext(input.defaultContext, 'defaultContext');
  await updateSettings(deps.db, userId, patch);
}

export async function setFastModels(deps: Pick<SettingsDeps, 'db'>, userId: number, ids: unknown): Promise<string[]> {
  if (!Array.isArray(ids)) throw new SettingsInputError('fastModels', 'The fast list must be a list of model names.');
  const list = [...new Set(ids.map((id) => checkModelId(id, 'fastModels')))];
  if (list.length > MAX_FAST_MODELS) throw new SettingsInputError('fastModels', `The fast list holds at most ${MAX_FAST_MODELS} models.`);
  await updateSettings(deps.db, userId, { fastModels: list });
  return list;
}

/** Adds a model to the fast list, or removes it; returns whether it is now in the list. */
export async function toggleFastModel(deps: Pick<SettingsDeps, 'db'>, userId: number, modelId: unknown, want: 'add' | 'remove'): Promise<boolean> {
  const id = checkModelId(modelId);
  const current = (await getSettings(deps.db, userId)).fastModels;
  const next = want === 'add' ? [...new Set([...current, id])] : current.filter((m) => m !== id);
  await setFastModels(deps, userId, next);
  return next.includes(id);
}

/** The models the user's effective key can use; without any key, the configured list if there is one. */
export async function modelsForUser(deps: SettingsDeps, userId: number): Promise<CatalogueResult | { status: 'no-key'; message: string }> {
  const key = await effectiveApiKey(deps, userId);
  if (!key) {
    if (deps.config.mistral.models.length) return { status: 'ok', models: modelsFromConfiguration(deps.config.mistral.models), source: 'configuration' };
    return { status: 'no-key', message: 'Add your Mistral API key above to see the models it can use.' };
  }
  return deps.catalogue.list(key);
}
