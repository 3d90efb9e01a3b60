import type { Db } from '../../db.ts';
import { readJson, writeJson } from '../../lib/json.ts';
import { toolsColumn, toolsOf, type ToolName } from '../../lib/tools.ts';

/** Appearance: follow the device's light or dark setting, or always one of them. */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
const asTheme = (v: unknown): Theme => (THEMES as readonly unknown[]).includes(v) ? v as Theme : 'system';

export type StoredSettings = {
  apiKeySealed: string | null; apiKeyHint: string | null; defaultModel: string | null;
  fastModels: string[]; defaultContext: string | null; theme: Theme;
  /** The tools a new chat starts with (issue 14). */
  defaultTools: ToolName[];
};

const EMPTY: StoredSettings = { apiKeySealed: null, apiKeyHint: null, defaultModel: null, fastModels: [], defaultContext: null, theme: 'system', defaultTools: [] };

export async function getSettings(db: Db, userId: number): Promise<StoredSettings> {
  const row = await db('user_settings').where({ user_id: userId }).first();
  if (!row) return { ...EMPTY };
  return {
    apiKeySealed: row.api_key_encrypted ?? null, apiKeyHint: row.api_key_hint ?? null, defaultModel: row.default_model ?? null,
    fastModels: readJson<string[]>(row.fast_models, []), defaultContext: row.default_context ?? null, theme: asTheme(row.theme),
    defaultTools: toolsOf(readJson(row.default_tools, [])),
  };
}

/** Only the appearance, for the layout of every page (one primary-key read of one column). */
export async function getTheme(db: Db, userId: number): Promise<Theme> {
  const row = await db('user_settings').where({ user_id: userId }).first('theme');
  return asTheme(row?.theme);
}

/** Writes only the fields given; creates the row on first write. */
export async function updateSettings(db: Db, userId: number, patch: Partial<StoredSettings>): Promise<void> {
  const cols: Record<string, unknown> = { updated_at: new Date() };
  if ('apiKeySealed' in patch) cols.api_key_encrypted = patch.apiKeySealed;
  if ('apiKeyHint' in patch) cols.api_key_hint = patch.apiKeyHint;
  if ('defaultModel' in patch) cols.default_model = patch.defaultModel;
  if ('fastModels' in patch) cols.fast_models = writeJson(patch.fastModels);
  if ('defaultContext' in patch) cols.default_context = patch.defaultContext;
  if ('theme' in patch) cols.theme = patch.theme;
  if ('defaultTools' in patch) cols.default_tools = toolsColumn(patch.defaultTools ?? []);
  await db.transaction(async (trx) => {
    const updated = await trx('user_settings').where({ user_id: userId }).update(cols);
    if (updated === 0) await trx('user_settings').insert({ user_id: userId, fast_models: writeJson([]), ...cols });
  });
}
