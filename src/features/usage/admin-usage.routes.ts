// The administrators' side of usage: everyone's tokens for a month (page, CSV, JSON) and a user's quota override.
// Every route is behind adminOnly: anyone else, signed in or not, gets the same 404 as an unknown address.
import { Router, type Request, type Response } from 'express';
import { HttpError } from '../../http/http-error.ts';
import { localizedError, sayTo } from '../../i18n/negotiate.ts';
import { tr, type Text } from '../../i18n/text.ts';
import { render } from '../../http/htmx.ts';
import { adminOnly } from '../admin/admin-gate.ts';
import { addFlash, goTo, takeFlash } from '../auth/web.ts';
import { csvLine } from './csv.ts';
import { effectiveLimit, quotaOverride, setQuotaOverride, UNLIMITED } from './quota.ts';
import { monthOf, monthTotal, serverKeyTokens, shiftMonth, usageByUser, type UserUsageRow } from './usage.repo.ts';
import { monthLabel, monthParam, type UsageDeps } from './usage.routes.ts';

export const ADMIN_USAGE_PAGE = 50;
const API_PAGE = 500;

const pageParam = (req: Request) => (/^\d{1,6}$/.test(String(req.query.page ?? '')) ? Math.max(1, Number(req.query.page)) : 1);
const urlOf = (req: Request) => req.app.locals.url as (p: string) => string;

/** A quota as typed: `mode` default | unlimited | limit (with `tokens`), or JSON `tokens`: a number, null or "unlimited". */
export function quotaInput(body: Record<string, unknown>): number | null {
  const mode = body.mode ?? (body.tokens === null ? 'default' : body.tokens === 'unlimited' ? 'unlimited' : 'limit');
  if (mode === 'default') return null;
  if (mode === 'unlimited') return UNLIMITED;
  const raw = typeof body.tokens === 'number' ? String(body.tokens) : String(body.tokens ?? '').replace(/[\s,_]/g, '');
  if (mode !== 'limit' || !/^\d{1,15}$/.test(raw)) {
    throw new HttpError(422, tr('usage:error.quota'), undefined, { tokens: tr('usage:error.quotaField') });
  }
  return Number(raw);
}

/** "unlimited" or "500,000 tokens", as a Text: the page prints it with tx(), a flash carries it inside its own Text. */
const describeQuota = (limit: number | null): Text => (limit === null ? tr('usage:quota.unlimited') : tr('usage:quota.tokens', { count: limit }));

export function adminUsageRoutes(d: UsageDeps) {
  const r = Router();
  const gate = adminOnly(d.config);
  const present = (u: UserUsageRow) => ({ ...u, limit: effectiveLimit(d.config, u.quotaOverride) });

  r.get('/admin/usage', gate, async (req, res) => {
    const month = monthParam(req);
    const page = pageParam(req);
    const label = monthLabel(month, String(res.locals.lang ?? 'en'));
    const [rows, total] = await Promise.all([usageByUser(d.db, month, { offset: (page - 1) * ADMIN_USAGE_PAGE, limit: ADMIN_USAGE_PAGE + 1 }), monthTotal(d.db, month)]);
    takeFlash(req, res);
    render(req, res, 'admin/usage', {
      title: sayTo(res, tr('usage:admin.title', { month: label })), month, label, page, total,
      users: rows.slice(0, ADMIN_USAGE_PAGE).map(present), more: rows.length > ADMIN_USAGE_PAGE,
      prev: shiftMonth(month, -1), next: month < monthOf() ? shiftMonth(month, 1) : null, defaultQuota: d.config.monthlyTokenQuota,
    });
  });

  r.get('/admin/usage.csv', gate, async (req, res) => {
    const month = monthParam(req);
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="usage-${month}.csv"`, 'X-Content-Type-Options': 'nosniff' });
    // The header row stays English in every language: column names are for scripts and spreadsheets, like the JSON's.
    res.write(csvLine(['month', 'user_id', 'email', 'prompt_tokens', 'completion_tokens', 'connector_tokens', 'server_key_tokens', 'answers', 'monthly_quota']));
    // A page at a time: a large month is never held whole in memory.
    for (let offset = 0; ; offset += 1000) {
      const rows = await usageByUser(d.db, month, { offset, limit: 1000 });
      for (const u of rows.map(present)) {
        res.write(csvLine([month, u.id, u.email, u.promptTokens, u.completionTokens, u.connectorTokens, u.serverKeyTokens, u.answers, u.limit === null ? 'unlimited' : u.limit]));
      }
      if (rows.length < 1000) break;
    }
    res.end();
  });

  r.get('/api/admin/usage', gate, async (req, res) => {
    const month = monthParam(req, new Date(), true);
    const page = pageParam(req);
    const [rows, total] = await Promise.all([usageByUser(d.db, month, { offset: (page - 1) * API_PAGE, limit: API_PAGE + 1 }), monthTotal(d.db, month)]);
    res.json({
      month,
      users: rows.slice(0, API_PAGE).map((u) => ({
        id: u.id, email: u.email, promptTokens: u.promptTokens, completionTokens: u.completionTokens, connectorTokens: u.connectorTokens,
        serverKeyTokens: u.serverKeyTokens, answers: u.answers, quota: effectiveLimit(d.config, u.quotaOverride),
      })),
      total: { promptTokens: total.promptTokens, completionTokens: total.completionTokens, connectorTokens: total.connectorTokens, serverKeyTokens: total.serverKeyTokens, answers: total.answers, users: total.users },
      nextPage: rows.length > API_PAGE ? page + 1 : null,
    });
  });

  // One user's quota: the form (JavaScript off or on: a plain form that comes back here) and its JSON twin.
  const userOr404 = async (req: Request) => {
    const id = /^\d{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : NaN;
    const user = Number.isSafeInteger(id) ? await d.db('users').where({ id }).first('id', 'email') : undefined;
    if (!user) throw new HttpError(404, tr('errors:notFound'));
    return { id: Number(user.id), email: String(user.email) };
  };

  const quotaPage = async (req: Request, res: Response, user: { id: number; email: string }, failed?: HttpError) => {
    const override = await quotaOverride(d.db, user.id);
    const month = monthOf();
    takeFlash(req, res);
    render(req, res, 'admin/usage-quota', {
      title: sayTo(res, tr('usage:quota.title', { email: user.email })), user, override, limit: effectiveLimit(d.config, override), defaultQuota: d.config.monthlyTokenQuota,
      used: await serverKeyTokens(d.db, user.id, month), label: monthLabel(month, String(res.locals.lang ?? 'en')), describeQuota,
      error: failed ? localizedError(res, failed).message : null, typed: failed ? { mode: String(req.body?.mode ?? ''), tokens: String(req.body?.tokens ?? '') } : null,
    }, { status: failed?.status });
  };

  r.get('/admin/users/:id/quota', gate, async (req, res) => { await quotaPage(req, res, await userOr404(req)); });

  r.post('/admin/users/:id/quota', gate, async (req, res) => {
    const user = await userOr404(req);
    let value: number | null;
    try {
      value = quotaInput(req.body ?? {});
    } catch (err) {
      if (err instanceof HttpError && err.status === 422) return quotaPage(req, res, user, err);
      throw err;
    }
    await setQuotaOverride(d.db, user.id, value);
    const quota = value === null ? tr('usage:quota.isDefault', { quota: describeQuota(d.config.monthlyTokenQuota) }) : describeQuota(value === UNLIMITED ? null : value);
    addFlash(req, 'ok', tr('usage:quota.saved', { email: user.email, quota }));
    goTo(req, res, urlOf(req)(`/admin/users/${user.id}/quota`));
  });

  r.put('/api/admin/users/:id/quota', gate, async (req, res) => {
    const user = await userOr404(req);
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    if (!('tokens' in body)) throw new HttpError(422, tr('usage:error.quotaJson'), undefined, { tokens: tr('usage:error.required') });
    const value = quotaInput({ tokens: body.tokens });
    await setQuotaOverride(d.db, user.id, value);
    res.json({ user: { id: user.id, email: user.email }, override: value === UNLIMITED ? 'unlimited' : value, quota: effectiveLimit(d.config, value) });
  });

  return r;
}
