// A user's own usage: the Account page's section (a month at a time, with the quota left) and GET /api/usage.
import { Router, type Request } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/http-error.ts';
import { getSettings } from '../settings/settings.repo.ts';
import { keyChoice } from '../settings/settings.service.ts';
import { intlLocale, quotaOf, resetDay, type Quota } from './quota.ts';
import { tr } from '../../i18n/text.ts';
import { monthOf, parseMonth, shiftMonth, userMonthUsage, type UserMonthUsage } from './usage.repo.ts';

export type UsageDeps = { config: Config; db: Db };

/** The month asked for (?month=YYYY-MM), else this one; a malformed month is a 422 for the API, this month for pages. */
export function monthParam(req: Request, now: Date = new Date(), strict = false): string {
  const m = parseMonth(req.query.month);
  if (m === null && strict) throw new HttpError(422, tr('usage:error.month'), undefined, { month: tr('usage:error.monthField') });
  return m ?? monthOf(now);
}

/** What a user sees of a month: tokens by model and, for this month on the server's key, the quota. */
export async function usageView(d: UsageDeps, userId: number, month: string, now: Date = new Date()): Promise<{ usage: UserMonthUsage; quota: Quota | null; ownKey: boolean }> {
  const usage = await userMonthUsage(d.db, userId, month);
  const key = keyChoice(d.config, await getSettings(d.db, userId));
  // The quota is this month's: an earlier month's limit is gone, a later one has not begun.
  const quota = month === monthOf(now) ? await quotaOf(d.db, d.config, userId, { serverKey: Boolean(key.key) && !key.own, now }) : null;
  return { usage, quota, ownKey: key.own };
}

export const quotaJson = (q: Quota | null) => (q ? { limit: q.limit, used: q.used, resetsAt: q.resetsAt.toISOString() } : null);

/** The Account page (its GET, and a refused form there that shows it again) gets the month's usage as a local. */
export function accountUsageLocal(d: UsageDeps) {
  const r = Router();
  r.use('/account', async (req, res, next) => {
    if (!req.user || (req.method !== 'GET' && req.method !== 'POST')) return next();
    const now = new Date();
    const month = monthParam(req, now);
    const view = await usageView(d, req.user.id, month, now);
    const thisMonth = monthOf(now);
    const lang = String(res.locals.lang ?? 'en');
    res.locals.accountUsage = {
      ...view, month, label: monthLabel(month, lang), resetsOn: view.quota ? resetDay(view.quota.resetsAt, lang) : null,
      prev: shiftMonth(month, -1), next: month < thisMonth ? shiftMonth(month, 1) : null,
    };
    next();
  });
  return r;
}

export function usageApiRoutes(d: UsageDeps) {
  const r = Router();
  r.get('/api/usage', requireUser, async (req, res) => {
    const month = monthParam(req, new Date(), true);
    const { usage, quota } = await usageView(d, req.user!.id, month);
    res.json({
      month, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, connectorTokens: usage.connectorTokens,
      byModel: usage.byModel.map((m) => ({ model: m.model, promptTokens: m.promptTokens, completionTokens: m.completionTokens, connectorTokens: m.connectorTokens, answers: m.answers })),
      quota: quotaJson(quota),
    });
  });
  return r;
}

/** "December 2026" ("décembre 2026" in French: the reader's language, res.locals.lang). */
export function monthLabel(month: string, lang = 'en'): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(intlLocale(lang), { timeZone: 'UTC', month: 'long', year: 'numeric' });
}
