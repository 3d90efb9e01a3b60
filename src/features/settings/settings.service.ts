// A user's Mistral settings: the key (sealed at rest, checked before saving), default model, fast list, default context.
// Every change goes through changeSettings: it checks every field first and writes all of them at once, or nothing.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { keyHint, open, seal } from '../../lib/secret-box.ts';
import { checkTools, type ToolName } from '../../lib/tools.ts';
import { modelsFromConfiguration, type CatalogueResult, type ModelCatalogue } from './models.ts';
import { getSettings, updateSettings, type StoredSettings, type Theme } from './settings.repo.ts';
import { checkContext, checkFastList, checkModelId, checkTheme, SettingsInputError, validApiKeyShape } from './settings-input.ts';
import { tr, type Text } from '../../i18n/text.ts';

export type SettingsView = {
  hasApiKey: boolean; apiKeyHint: string | null; usingServerKey: boolean; serverKeyAvailable: boolean;
  /** A key is saved but cannot be opened: it was sealed under another ENCRYPTION_KEY. The user must enter it again. */
  keyUnreadable: boolean;
  defaultModel: string; fastModels: string[]; defaultContext: string; theme: Theme;
  defaultTools: ToolName[];
};

export type SettingsDeps = { db: Db; config: Config; catalogue: ModelCatalogue };

/** The user's own key: absent, readable, or sealed under an ENCRYPTION_KEY this server no longer has. */
function ownKey(config: Config, s: StoredSettings): { state: 'none' } | { state: 'ok'; key: string } | { state: 'unreadable' } {
  if (!s.apiKeySealed) return { state: 'none' };
  try {
    return { state: 'ok', key: open(config.encryptionKey, s.apiKeySealed) };
  } catch {
    return { state: 'unreadable' };
  }
}

export async function getSettingsView({ db, config }: Pick<SettingsDeps, 'db' | 'config'>, userId: number): Promise<SettingsView> {
  const s = await getSettings(db, userId);
  const own = ownKey(config, s);
  const hasApiKey = own.state === 'ok';
  return {
    hasApiKey, apiKeyHint: s.apiKeySealed ? s.apiKeyHint : null, keyUnreadable: own.state === 'unreadable',
    usingServerKey: !hasApiKey && Boolean(config.mistral.apiKey), serverKeyAvailable: Boolean(config.mistral.apiKey),
    defaultModel: s.defaultModel ?? config.mistral.defaultModel, fastModels: s.fastModels, defaultContext: s.defaultContext ?? '',
    theme: s.theme, defaultTools: s.defaultTools,
  };
}

/** The key a user's requests use: their own, else the server's, else none. */
export async function effectiveApiKey({ db, config }: Pick<SettingsDeps, 'db' | 'config'>, userId: number): Promise<string | undefined> {
  return keyFromSettings(config, await getSettings(db, userId));
}

/** An unreadable own key counts as none (the settings page says to enter it again), so the server's key serves. */
export function keyFromSettings(config: Config, s: StoredSettings): string | undefined {
  return keyChoice(config, s).key;
}

/** The key and whose it is (usage and quotas count the server's key apart: a user's own key is never limited). */
export function keyChoice(config: Config, s: StoredSettings): { key: string | undefined; own: boolean } {
  const own = ownKey(config, s);
  return own.state === 'ok' ? { key: own.key, own: true } : { key: config.mistral.apiKey, own: false };
}

export type SettingsInput = { apiKey?: unknown; defaultModel?: unknown; fastModels?: unknown; defaultContext?: unknown; theme?: unknown; defaultTools?: unknown };

/**
 * Applies any of the fields (an empty apiKey removes the key). Order: the shape of every field (no network), then a
 * new key with Mistral, then new model names against the models the key (as it will be) can use; only when all of
 * that passed is anything written, in one transaction. Throws SettingsInputError for the first field refused.
 */
export async function changeSettings(deps: SettingsDeps, userId: number, input: SettingsInput): Promise<void> {
  let newKey: string | null | undefined; // undefined: unchanged; null: remove
  if (input.apiKey !== undefined) {
    if (typeof input.apiKey !== 'string') throw new SettingsInputError('apiKey', tr('settings:key.notString'));
    const key = input.apiKey.trim();
    if (key !== '' && !validApiKeyShape(key)) throw new SettingsInputError('apiKey', tr('settings:key.badShape'));
    newKey = key === '' ? null : key;
  }
  const defaultModel = input.defaultModel === undefined ? undefined : checkModelId(input.defaultModel, 'defaultModel');
  const fastModels = input.fastModels === undefined ? undefined : checkFastList(input.fastModels);
  const defaultContext = input.defaultContext === undefined ? undefined : checkContext(input.defaultContext, 'defaultContext');
  const theme = input.theme === undefined ? undefined : checkTheme(input.theme);
  const defaultTools = input.defaultTools === undefined ? undefined : checkTools(input.defaultTools);
  if (typeof defaultTools === 'string') throw new SettingsInputError('defaultTools', defaultTools);

  const current = await getSettings(deps.db, userId);
  let listing: CatalogueResult | undefined;
  if (typeof newKey === 'string') {
    listing = await deps.catalogue.list(newKey, { fresh: true });
    if (listing.status !== 'ok') throw new SettingsInputError('apiKey', listing.message);
  }

  // Only names that change are checked: a default or fast-list entry already saved stays acceptable, so a model the
  // key no longer lists never blocks saving the rest of the form.
  const currentDefault = current.defaultModel ?? deps.config.mistral.defaultModel;
  const added: Array<[field: string, id: string]> = [
    ...(defaultModel !== undefined && defaultModel !== currentDefault ? [['defaultModel', defaultModel] as [string, string]] : []),
    ...(fastModels ?? []).filter((id) => !current.fastModels.includes(id)).map((id) => ['fastModels', id] as [string, string]),
  ];
  if (added.length) {
    const key = newKey === undefined ? keyFromSettings(deps.config, current) : newKey ?? deps.config.mistral.apiKey;
    listing ??= key ? await deps.catalogue.list(key) : undefined;
    const known = listedIds(listing);
    const unknown = known && added.find(([, id]) => !known.has(id));
    if (unknown) throw new SettingsInputError(unknown[0], tr('settings:error.unknownModel', { model: unknown[1] }));
  }

  const patch: Partial<StoredSettings> = {};
  if (newKey !== undefined) Object.assign(patch, { apiKeySealed: newKey && seal(deps.config.encryptionKey, newKey), apiKeyHint: newKey && keyHint(newKey) });
  if (defaultModel !== undefined) patch.defaultModel = defaultModel;
  if (fastModels !== undefined) patch.fastModels = fastModels;
  if (defaultContext !== undefined) patch.defaultContext = defaultContext;
  if (theme !== undefined) patch.theme = theme;
  if (defaultTools !== undefined) patch.defaultTools = defaultTools;
  await updateSettings(deps.db, userId, patch);
}

/** The ids and aliases the endpoint lists; null when it lists none or cannot say (then any well-formed name goes). */
function listedIds(listing: CatalogueResult | undefined): Set<string> | null {
  if (listing?.status !== 'ok' || listing.source !== 'endpoint') return null;
  return new Set(listing.models.flatMap((m) => [m.id, ...m.aliases]));
}

/** Checks the key with Mistral and saves it only if accepted; the old key stays otherwise. */
export async function saveApiKey(deps: SettingsDeps, userId: number, rawKey: string): Promise<void> {
  if (rawKey.trim() === '') throw new SettingsInputError('apiKey', tr('settings:key.badShape'));
  await changeSettings(deps, userId, { apiKey: rawKey });
}

export async function removeApiKey(deps: SettingsDeps, userId: number): Promise<void> {
  await changeSettings(deps, userId, { apiKey: '' });
}

export async function saveDefaults(deps: SettingsDeps, userId: number, input: { defaultModel?: unknown; defaultContext?: unknown; defaultTools?: unknown }): Promise<void> {
  await changeSettings(deps, userId, { defaultModel: input.defaultModel, defaultContext: input.defaultContext, defaultTools: input.defaultTools });
}

/** The tools a new chat starts with (the settings form's checkboxes). */
export async function saveDefaultTools(deps: SettingsDeps, userId: number, tools: unknown): Promise<void> {
  await changeSettings(deps, userId, { defaultTools: tools });
}

export async function saveTheme(deps: SettingsDeps, userId: number, theme: unknown): Promise<void> {
  await changeSettings(deps, userId, { theme });
}

/** Adds a model to the fast list, or removes it; returns whether it is now in the list. */
export async function toggleFastModel(deps: SettingsDeps, userId: number, modelId: unknown, want: 'add' | 'remove'): Promise<boolean> {
  const id = checkModelId(modelId, 'fastModels');
  const current = (await getSettings(deps.db, userId)).fastModels;
  const next = want === 'add' ? [...new Set([...current, id])] : current.filter((m) => m !== id);
  await changeSettings(deps, userId, { fastModels: next });
  return next.includes(id);
}

/** The models the user's effective key can use; without any key, the configured list if there is one. */
export async function modelsForUser(deps: SettingsDeps, userId: number): Promise<CatalogueResult | { status: 'no-key'; message: Text }> {
  const key = await effectiveApiKey(deps, userId);
  if (!key) {
    if (deps.config.mistral.models.length) return { status: 'ok', models: modelsFromConfiguration(deps.config.mistral.models), source: 'configuration' };
    return { status: 'no-key', message: tr('settings:key.needed') };
  }
  return deps.catalogue.list(key);
}
