// Periodic clean-up across features (so no feature imports another for it): expired guests (cascading to their threads), expired tokens, old rate-limit rows, send keys
// older than a day, revoked and expired share links, files no message carries, and expired sessions (the session store's own timer is off, so that this one job, on any instance, does all the deleting).
import type { Db } from './db.ts';
import { pruneSessions } from './http/session.ts';
import { purgeOldSendKeys } from './features/chat/send-keys.repo.ts';
import { purgeOldAttempts } from './features/auth/rate-limits.ts';
import { purgeExpiredTokens } from './features/auth/tokens.repo.ts';
import { purgeExpiredGuests } from './features/auth/users.repo.ts';
import { purgeClosedShares } from './features/sharing/shares.repo.ts';
import { pendingCutoff, purgeUnlinkedFiles } from './features/files/files.repo.ts';
// Administration (issue 16): invite links no one can use any more, and expired password reset links.
import { purgeDeadInvites } from './features/auth/invites.repo.ts';
import { purgeExpiredResets } from './features/auth/password-resets.ts';
// Organise (issue 15): temporary chats past their hour.
import { purgeExpiredTemporary } from './features/threads/threads.repo.ts';

export type Purged = {
  guests: number; tokens: number; attempts: number; sessions: number; sendKeys: number; shares: number; files: number;
  invites: number; resets: number; temporary: number;
};

export async function purgeAuthData(db: Db): Promise<Purged> {
  const guests = await purgeExpiredGuests(db);
  const tokens = await purgeExpiredTokens(db);
  const attempts = await purgeOldAttempts(db);
  const sessions = await pruneSessions(db);
  const sendKeys = await purgeOldSendKeys(db);
  const shares = await purgeClosedShares(db);
  const temporary = await purgeExpiredTemporary(db);
  // Files no message carries: left by deleted messages, or chosen in a send refused over a day ago.
  const files = await purgeUnlinkedFiles(db, { pendingBefore: pendingCutoff() });
  // Administration (issue 16).
  const invites = await purgeDeadInvites(db);
  const resets = await purgeExpiredResets(db);
  return { guests, tokens, attempts, sessions, sendKeys, shares, files, invites, resets, temporary };
}
