import { selectRows, type Db } from '../../db.ts';
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

// Performance (issue 18): SQL written once (db.ts selectRows), read by every page's layout and thread header.
const SETTINGS_SQL = 'SELECT * FROM `user_settings` WHERE `user_id` = ? LIMIT 1';

export async function getSettings(db: Db, userId: number): Promise<StoredSettings> {
  const [row] = await selectRows(db, SETTINGS_SQL, [userId]);
  if (!row) return { ...EMPTY };
  return {
    apiKeySealed: row.api_key_encrypted ?? null, apiKeyHint: row.api_key_hint ?? null, defaultModel: row.default_model ?? null,
    fastModels: readJson<string[]>(row.fast_models, []), defaultContext: row.default_context ?? null, theme: asTheme(row.theme),
    defaultTools: toolsOf(readJson(row.default_tools, [])),
  };
}

const readOnce = new WeakMap<object, Map<number, Promise<StoredSettings>>>();

/**
 * The settings for one request: a page read the row twice (its thread header's model menu, then the layout's theme).
 * Kept on the request object only (a WeakMap: gone with the request), never across requests, so a changed setting
 * shows on the very next one. Only reads that come before any write of the request use it (the header, the layout);
 * code that changes settings reads them with getSettings.
 */
export function settingsOnce(req: object, db: Db, userId: number): Promise<StoredSettings> {
  let byUser = readOnce.get(req);
  if (!byUser) readOnce.set(req, byUser = new Map());
  let settings = byUser.get(userId);
  if (!settings) {
    settings = getSettings(db, userId);
    byUser.set(userId, settings);
    // A failed read is not kept: the error page's layout reads again (and falls back to the device's theme).
    settings.catch(() => byUser.delete(userId));
  }
  return settings;
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
