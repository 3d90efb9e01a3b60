// The one place that decides which key, which model and which system prompt an answer uses:
// the user's own key, else the server's; the thread's model, else the user's default, else the configured default;
// the thread's context, else the user's default context.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import type { ModelCatalogue } from '../settings/models.ts';
import { offersThinkHarder } from '../settings/reasoning.ts';
import { getSettings } from '../settings/settings.repo.ts';
import { keyChoice } from '../settings/settings.service.ts';
import type { Thread } from '../threads/threads.repo.ts';

export type ModelRequest = {
  apiKey: string | null; model: string; system: string | null; reasoningEffort: 'high' | null;
  /** The key is the server's (MISTRAL_API_KEY), not the user's own: usage counts it apart and a quota may limit it. */
  serverKey?: boolean;
};

type ChoiceInput = {
  db: Db; config: Config; thread: Pick<Thread, 'userId' | 'model' | 'context' | 'thinkHarder'>;
  /** Given, a model known only by an alias (e.g. a `-latest` name of an adjustable-reasoning model) is resolved through it. */
  catalogue?: ModelCatalogue;
};

export async function chooseModelRequest({ db, config, thread, catalogue }: ChoiceInput): Promise<ModelRequest> {
  const settings = await getSettings(db, thread.userId);
  const key = keyChoice(config, settings);
  const apiKey = key.key ?? null;
  const model = thread.model ?? settings.defaultModel ?? config.mistral.defaultModel;
  const system = thread.context?.trim() ? thread.context : settings.defaultContext?.trim() ? settings.defaultContext : null;
  // "Think harder" asks only models with adjustable reasoning (see reasoning.ts); off, nothing is sent (the default).
  let reasoningEffort: ModelRequest['reasoningEffort'] = null;
  if (thread.thinkHarder) {
    let adjustable = offersThinkHarder(model);
    if (!adjustable && apiKey && catalogue) {
      const listed = await catalogue.list(apiKey);
      const card = listed.status === 'ok' ? listed.models.find((m) => m.id === model || m.aliases.includes(model)) : undefined;
      adjustable = card ? offersThinkHarder(card.id, card.aliases) : false;
    }
    if (adjustable) reasoningEffort = 'high';
  }
  return { apiKey, model, system, reasoningEffort, serverKey: Boolean(apiKey) && !key.own };
}
