import type { Db } from '../../db.ts';
import { readJson, writeJson } from '../../lib/json.ts';

export type StoredSettings = {
  apiKeySealed: string | null; apiKeyHint: string | null; defaultModel: string | null;
  fastModels: string[]; defaultContext: string | null;
};

const EMPTY: StoredSettings = { apiKeySealed: null, apiKeyHint: null, defaultModel: null, fastModels: [], defaultContext: null };

export async function getSettings(db: Db, userId: number): Promise<StoredSettings> {
  const row = await db('user_settings').where({ user_id: userId }).first();
  if (!row) return { ...EMPTY };
  return {
    apiKeySealed: row.api_key_encrypted ?? null, apiKeyHint: row.api_key_hint ?? null, defaultModel: row.default_model ?? null,
    fastModels: readJson<string[]>(row.fast_models, []), defaultContext: row.default_context ?? null,
  };
}

/** Writes only the fields given; creates the row on first write. */
export async function updateSettings(db: Db, userId: number, patch: Partial<StoredSettings>): Promise<void> {
  const cols: Record<string, unknown> = { updated_at: new Date() };
  if ('apiKeySealed' in patch) cols.api_key_encrypted = patch.apiKeySealed;
  if ('apiKeyHint' in patch) cols.api_key_hint = patch.apiKeyHint;
  if ('defaultModel' in patch) cols.default_model = patch.defaultModel;
  if ('fastModels' in patch) cols.fast_models = writeJson(patch.fastModels);
  if ('defaultContext' in patch) cols.default_context = patch.defaultContext;
  await db.transaction(async (trx) => {
    const updated = await trx('user_settings').where({ user_id: userId }).update(cols);
    if (updated === 0) await trx('user_settings').insert({ user_id: userId, fast_models: writeJson([]), ...cols });
  });
}
