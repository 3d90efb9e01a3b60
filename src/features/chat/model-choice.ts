// The one place that decides which key, which model and which system prompt an answer uses.
// Per-user settings (their own key, default model, default context) extend this module and nothing else.
import type { Config } from '../../config.ts';
import type { Thread } from '../threads/threads.repo.ts';

export type ModelRequest = { apiKey: string | null; model: string; system: string | null };

export function chooseModelRequest({ config, thread }: { config: Config; thread: Pick<Thread, 'model' | 'context'> }): ModelRequest {
  return {
    apiKey: config.mistral.apiKey ?? null,
    model: thread.model ?? config.mistral.defaultModel,
    system: thread.context?.trim() ? thread.context : null,
  };
}
