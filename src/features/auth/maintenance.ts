// Periodic clean-up: expired guests (cascading to their threads), expired tokens, old rate-limit rows.
import type { Db } from '../../db.ts';
import { purgeOldAttempts } from './rate-limits.ts';
import { purgeExpiredTokens } from './tokens.repo.ts';
import { purgeExpiredGuests } from './users.repo.ts';

export async function purgeAuthData(db: Db): Promise<{ guests: number; tokens: number; attempts: number }> {
  const guests = await purgeExpiredGuests(db);
  const tokens = await purgeExpiredTokens(db);
  const attempts = await purgeOldAttempts(db);
  return { guests, tokens, attempts };
}
