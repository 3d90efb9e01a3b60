// Monthly token quotas: MONTHLY_TOKEN_QUOTA per user by default, or an administrator's override per user
// (users.monthly_token_quota: NULL the default, -1 unlimited, n a limit). Only the server's key is limited: a user
// whose answers go through their own Mistral key pays for them and is never refused. A send at or past the limit is
// refused before Mistral is called; an answer already streaming is never cut when it crosses the limit.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { monthEnd, monthOf, serverKeyTokens } from './usage.repo.ts';
import { PSEUDO } from '../../i18n/languages.ts';
import { english, tr, type Text } from '../../i18n/text.ts';

export const UNLIMITED = -1;

export type Quota = { limit: number; used: number; resetsAt: Date };

/** `message` is English (logs, and ChatError until the chat passes `text` on); `text` is the reader's language. */
export class QuotaExceededError extends Error {
  constructor(public text: Text, public resetsAt: Date, public limit: number) { super(english(text)); }
}

/** The override stored for a user: null (the server's default), UNLIMITED, or a number of tokens. */
export async function quotaOverride(db: Db, userId: number): Promise<number | null> {
  const row = await db('users').where({ id: userId }).first('monthly_token_quota');
  return row?.monthly_token_quota === null || row?.monthly_token_quota === undefined ? null : Number(row.monthly_token_quota);
}

/** Sets (or, with null, removes) a user's override; false when there is no such user. */
export async function setQuotaOverride(db: Db, userId: number, value: number | null): Promise<boolean> {
  return (await db('users').where({ id: userId }).update({ monthly_token_quota: value })) > 0;
}

/** The limit that applies: the override, else the server's default; null for none. */
export function effectiveLimit(config: Pick<Config, 'monthlyTokenQuota'>, override: number | null): number | null {
  if (override === UNLIMITED) return null;
  return override ?? config.monthlyTokenQuota ?? null;
}

/**
 * The user's quota this month as Account and the API show it, or null when none applies (no limit, or the user's
 * answers go through their own key).
 */
export async function quotaOf(db: Db, config: Pick<Config, 'monthlyTokenQuota'>, userId: number, opts: { serverKey: boolean; now?: Date }): Promise<Quota | null> {
  if (!opts.serverKey) return null;
  const limit = effectiveLimit(config, await quotaOverride(db, userId));
  if (limit === null) return null;
  const month = monthOf(opts.now);
  return { limit, used: await serverKeyTokens(db, userId, month), resetsAt: monthEnd(month) };
}

/** "1 January 2027" ("1 janvier 2027" in French); English and the test-only pseudo-locale read it the British way. */
export const resetDay = (d: Date, lang = 'en'): string =>
  d.toLocaleDateString(intlLocale(lang), { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

/** The Intl locale for dates here: day before month in English too (as before i18n); Intl knows no pseudo-locale. */
export const intlLocale = (lang: string) => (lang === 'en' || lang === PSEUDO ? 'en-GB' : lang);

/** Throws QuotaExceededError when the next answer on the server's key would start at or past the limit. */
export async function checkQuota(db: Db, config: Pick<Config, 'monthlyTokenQuota'>, userId: number, opts: { serverKey: boolean; now?: Date }): Promise<void> {
  if (!opts.serverKey) return;
  const limit = effectiveLimit(config, await quotaOverride(db, userId));
  if (limit === null) return;
  const month = monthOf(opts.now);
  const q = { limit, used: await serverKeyTokens(db, userId, month), resetsAt: monthEnd(month) };
  if (q.used < q.limit) return;
  // The reset is always the 1st: the catalogue writes the day, i18next's Intl the month (values must not be named like
  // an Intl option, e.g. year: they reach the formatter too).
  throw new QuotaExceededError(tr('usage:quota.exceeded', { limit, resetsAt: q.resetsAt, resetYear: q.resetsAt.getUTCFullYear() }), q.resetsAt, q.limit);
}

/** Seconds until the quota resets (a 429's Retry-After). */
export const secondsUntil = (d: Date, now: Date = new Date()) => Math.max(1, Math.ceil((d.getTime() - now.getTime()) / 1000));
