// The models a key can use, from GET /v1/models through the real SDK, cached per key for a few minutes.
import { Mistral } from '@mistralai/mistralai';
import { sha256Hex } from '../../lib/crypto.ts';
import { tr, type Text } from '../../i18n/text.ts';

export type ModelInfo = {
  id: string; name: string; description: string | null; maxContextLength: number | null;
  capabilities: string[]; deprecation: string | null; aliases: string[];
};

export type CatalogueResult =
  | { status: 'ok'; models: ModelInfo[]; source: 'endpoint' | 'configuration' }
  | { status: 'invalid-key'; message: Text }
  | { status: 'unreachable'; message: Text };

const CACHE_MS = 5 * 60 * 1000;
const CHECK_TIMEOUT_MS = 10_000;
// Capability flags as the SDK names them, in the words a person reads on the card.
const CAPABILITY_LABELS: Record<string, string> = {
  completionChat: 'chat', vision: 'vision', functionCalling: 'function calling', reasoning: 'reasoning',
  fineTuning: 'fine-tuning', completionFim: 'code completion', ocr: 'OCR', classification: 'classification',
  moderation: 'moderation', audio: 'audio', audioTranscription: 'transcription',
};

export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,99}$/;

type Card = {
  id: string; name?: string | null; description?: string | null; maxContextLength?: number;
  capabilities?: Record<string, unknown>; deprecation?: Date | string | null; aliases?: string[];
};

export function toModelInfo(card: Card): ModelInfo {
  const caps = Object.entries(card.capabilities ?? {}).filter(([, on]) => on === true).map(([k]) => CAPABILITY_LABELS[k]).filter(Boolean);
  const dep = card.deprecation ? new Date(card.deprecation) : null;
  return {
    id: card.id, name: card.name || card.id, description: card.description || null,
    maxContextLength: typeof card.maxContextLength === 'number' ? card.maxContextLength : null,
    capabilities: caps, deprecation: dep && !Number.isNaN(dep.getTime()) ? dep.toISOString().slice(0, 10) : null,
    aliases: card.aliases ?? [],
  };
}

export function modelsFromConfiguration(ids: string[]): ModelInfo[] {
  return ids.map((id) => ({ id, name: id, description: null, maxContextLength: null, capabilities: ['chat'], deprecation: null, aliases: [] }));
}

export function createModelCatalogue(opts: { serverUrl: string; configuredModels: string[]; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; models: ModelInfo[]; source: 'endpoint' | 'configuration' }>();

  async function fetchModels(apiKey: string): Promise<CatalogueResult> {
    const client = new Mistral({ apiKey, serverURL: opts.serverUrl, timeoutMs: CHECK_TIMEOUT_MS });
    try {
      const list = await client.models.list();
      const cards = (list.data ?? []) as Card[];
      // Duplicates (aliases listed as their own cards) and embedding-only models clutter the viewer.
      const seen = new Set<string>();
      const models = cards.filter((c) => !seen.has(c.id) && seen.add(c.id)).map(toModelInfo).sort((a, b) => a.id.localeCompare(b.id));
      if (models.length === 0) return { status: 'ok', models: modelsFromConfiguration(opts.configuredModels), source: 'configuration' };
      return { status: 'ok', models, source: 'endpoint' };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 401 || status === 403) {
        return { status: 'invalid-key', message: tr('settings:key.refused') };
      }
      return { status: 'unreachable', message: status ? tr('settings:key.unreachableStatus', { status }) : tr('settings:key.unreachable') };
    }
  }

  return {
    /** Lists the models for a key; a cached list is reused for five minutes. */
    async list(apiKey: string, { fresh = false } = {}): Promise<CatalogueResult> {
      const cacheKey = sha256Hex(apiKey);
      const hit = cache.get(cacheKey);
      if (!fresh && hit && now() - hit.at < CACHE_MS) return { status: 'ok', models: hit.models, source: hit.source };
      const result = await fetchModels(apiKey);
      if (result.status === 'ok') cache.set(cacheKey, { at: now(), models: result.models, source: result.source });
      return result;
    },
    forget(apiKey: string) { cache.delete(sha256Hex(apiKey)); },
  };
}

export type ModelCatalogue = ReturnType<typeof createModelCatalogue>;
