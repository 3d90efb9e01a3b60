// Tokens per user, month and model (usage_monthly), added to as each answer (or title) ends. Months are 'YYYY-MM'
// in UTC, computed from a Date the caller may pass, so tests turn the month over without waiting.
import type { Db } from '../../db.ts';

export type TokenCounts = { promptTokens: number; completionTokens: number; connectorTokens?: number };
export type ModelUsage = { model: string; promptTokens: number; completionTokens: number; connectorTokens: number; answers: number };
export type UserMonthUsage = { month: string; promptTokens: number; completionTokens: number; connectorTokens: number; serverKeyTokens: number; byModel: ModelUsage[] };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const monthOf = (d: Date = new Date()): string => d.toISOString().slice(0, 7);

/** A 'YYYY-MM' from a query (or undefined for none); anything else is null, so a route can refuse it. */
export function parseMonth(raw: unknown): string | null | undefined {
  if (raw === undefined || raw === '') return undefined;
  return typeof raw === 'string' && MONTH.test(raw) && Number(raw.slice(0, 4)) >= 2000 ? raw : null;
}

/** The first instant of the month after `month` (UTC): when a monthly quota starts again. */
export function monthEnd(month: string): Date {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1));
}

/** The month before or after `month` (for the month selector's links). */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number);
  return monthOf(new Date(Date.UTC(y, m - 1 + by, 1)));
}

const int = (v: unknown): number => Number(v ?? 0) || 0;
const clean = (n: unknown): number => (Number.isFinite(Number(n)) && Number(n) > 0 ? Math.floor(Number(n)) : 0);

/**
 * Adds one answer's (or title's) tokens to the user's row for the month and model: a single upsert (SQLite's
 * ON CONFLICT DO UPDATE, MySQL's ON DUPLICATE KEY UPDATE), so simultaneous answers add up without a read.
 * `serverKey`: the tokens were spent on the server's key; only those count towards a quota.
 */
export async function addUsage(db: Db, p: { userId: number; model: string; counts: TokenCounts; serverKey: boolean; answer: boolean; at?: Date }): Promise<void> {
  const prompt = clean(p.counts.promptTokens);
  const completion = clean(p.counts.completionTokens);
  const connector = clean(p.counts.connectorTokens);
  const server = p.serverKey ? prompt + completion + connector : 0;
  const answers = p.answer ? 1 : 0;
  if (!prompt && !completion && !connector && !answers) return;
  const add = (col: string, n: number) => db.raw('?? + ?', [`usage_monthly.${col}`, n]);
  await db('usage_monthly')
    .insert({
      user_id: p.userId, month: monthOf(p.at), model: p.model.slice(0, 100), prompt_tokens: prompt, completion_tokens: completion,
      connector_tokens: connector, server_key_tokens: server, answers,
    })
    .onConflict(['user_id', 'month', 'model'])
    .merge({
      prompt_tokens: add('prompt_tokens', prompt), completion_tokens: add('completion_tokens', completion),
      connector_tokens: add('connector_tokens', connector), server_key_tokens: add('server_key_tokens', server), answers: add('answers', answers),
    });
}

export async function userMonthUsage(db: Db, userId: number, month: string): Promise<UserMonthUsage> {
  const rows = await db('usage_monthly').where({ user_id: userId, month }).orderBy('model');
  const byModel = rows.map((r) => ({
    model: String(r.model), promptTokens: int(r.prompt_tokens), completionTokens: int(r.completion_tokens), connectorTokens: int(r.connector_tokens), answers: int(r.answers),
  }));
  const sum = (k: keyof ModelUsage) => byModel.reduce((a, m) => a + (m[k] as number), 0);
  return {
    month, byModel, promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens'), connectorTokens: sum('connectorTokens'),
    serverKeyTokens: rows.reduce((a, r) => a + int(r.server_key_tokens), 0),
  };
}

/** The tokens a quota counts: this user's, this month, on the server's key. One indexed read. */
export async function serverKeyTokens(db: Db, userId: number, month: string): Promise<number> {
  const row = await db('usage_monthly').where({ user_id: userId, month }).sum({ n: 'server_key_tokens' }).first();
  return int(row?.n);
}

export type UserUsageRow = {
  id: number; email: string; promptTokens: number; completionTokens: number; connectorTokens: number; serverKeyTokens: number;
  answers: number; quotaOverride: number | null;
};
export type MonthTotal = { promptTokens: number; completionTokens: number; connectorTokens: number; serverKeyTokens: number; answers: number; users: number };

const sums = (db: Db) => ({
  prompt_tokens: db.raw('COALESCE(SUM(prompt_tokens), 0)'), completion_tokens: db.raw('COALESCE(SUM(completion_tokens), 0)'),
  connector_tokens: db.raw('COALESCE(SUM(connector_tokens), 0)'), server_key_tokens: db.raw('COALESCE(SUM(server_key_tokens), 0)'),
  answers: db.raw('COALESCE(SUM(answers), 0)'),
});

/** The month's total over everyone, and how many users spent anything. */
export async function monthTotal(db: Db, month: string): Promise<MonthTotal> {
  const cols = sums(db);
  const row = await db('usage_monthly').where({ month })
    .select({ ...cols, users: db.raw('COUNT(DISTINCT user_id)') }).first();
  return {
    promptTokens: int(row?.prompt_tokens), completionTokens: int(row?.completion_tokens), connectorTokens: int(row?.connector_tokens),
    serverKeyTokens: int(row?.server_key_tokens), answers: int(row?.answers), users: int(row?.users),
  };
}

/**
 * The users who spent tokens in the month, most first (then by email), a page at a time: one grouped read of the
 * month's rows joined to users. `limit` null: every row (the CSV export).
 */
export async function usageByUser(db: Db, month: string, page: { offset: number; limit: number | null }): Promise<UserUsageRow[]> {
  const per = db('usage_monthly').where({ month }).groupBy('user_id').select({ user_id: 'user_id', ...sums(db) }).as('u');
  let q = db('users').join(per, 'u.user_id', 'users.id')
    .select('users.id', 'users.email', 'users.monthly_token_quota', 'u.prompt_tokens', 'u.completion_tokens', 'u.connector_tokens', 'u.server_key_tokens', 'u.answers')
    .orderByRaw('(u.prompt_tokens + u.completion_tokens) DESC').orderBy('users.email').orderBy('users.id');
  if (page.limit !== null) q = q.limit(page.limit).offset(page.offset);
  const rows = await q;
  return rows.map((r) => ({
    id: int(r.id), email: String(r.email), promptTokens: int(r.prompt_tokens), completionTokens: int(r.completion_tokens),
    connectorTokens: int(r.connector_tokens), serverKeyTokens: int(r.server_key_tokens), answers: int(r.answers),
    quotaOverride: r.monthly_token_quota === null || r.monthly_token_quota === undefined ? null : int(r.monthly_token_quota),
  }));
}
