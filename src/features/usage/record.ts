// The one call the chat makes when Mistral reports tokens (an answer's final chunk or response.done, a title's
// completion): adds them to the month's row. Never throws: a failed count is logged, the answer is not failed by it.
import type { Db } from '../../db.ts';
import type { Logger } from '../../http/logger.ts';
import { addUsage } from './usage.repo.ts';

type Reported = { promptTokens?: number | null; completionTokens?: number | null; connectorTokens?: number | null };

/** `answer`: an answer (counted in `answers`), not a title. `serverKey`: spent on the server's key (quota). */
export async function countTokens(deps: { db: Db; logger: Logger }, userId: number, spent: { model: string; serverKey?: boolean },
  usage: Reported | null | undefined, answer: boolean): Promise<void> {
  if (!usage) return;
  try {
    await addUsage(deps.db, {
      userId, model: spent.model, serverKey: Boolean(spent.serverKey), answer,
      counts: { promptTokens: usage.promptTokens ?? 0, completionTokens: usage.completionTokens ?? 0, connectorTokens: usage.connectorTokens ?? 0 },
    });
  } catch (err) {
    deps.logger.warn({ err: String(err), userId }, 'counting usage failed');
  }
}
