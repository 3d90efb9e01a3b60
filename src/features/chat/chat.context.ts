// What the chat routes share: dependencies, id parsing, and mapping service errors to HTTP.
import type { Request } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { HttpError } from '../../http/errors.ts';
import { ID_PATTERN } from '../../lib/ids.ts';
import { tr } from '../../i18n/text.ts';
import type { Generations } from './generation.ts';
import type { ModelCatalogue } from '../settings/models.ts';
import { findThreadById, type Thread } from '../threads/threads.repo.ts';
import { ChatError } from './chat.service.ts';
import { firstAnswerId } from './messages.repo.ts';

/**
 * More locals for a thread's header from features built on chat (the Share menu, src/features/sharing), handed in by
 * app.ts so that chat never imports them.
 */
export type HeaderExtras = (req: Request, thread: Thread) => Promise<Record<string, unknown>>;
export type ChatRouteDeps = { config: Config; db: Db; generations: Generations; catalogue?: ModelCatalogue; headerExtras?: HeaderExtras };

export const MESSAGES_PER_PAGE = 50;

export function threadIdParam(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!ID_PATTERN.test(id)) throw new HttpError(404, tr('chat:error.noConversation'));
  return id;
}

export function messageIdParam(req: Request): number {
  const raw = String(req.params.messageId ?? '');
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(404, tr('chat:error.noMessage'));
  return Number(raw);
}

export function positiveInt(v: unknown): number | undefined {
  return typeof v === 'string' && /^\d{1,15}$/.test(v) && Number(v) > 0 ? Number(v) : undefined;
}

export function toHttpError(err: unknown): unknown {
  if (!(err instanceof ChatError)) return err;
  const status = { not_found: 404, invalid: 422, too_long: 422, too_large: 413, busy: 409, not_retryable: 409, rate_limited: 429, quota_exceeded: 429 }[err.kind];
  const http = new HttpError(status, err.text, err.kind === 'quota_exceeded' ? 'quota_exceeded' : undefined, err.kind === 'invalid' || err.kind === 'too_long' || err.kind === 'too_large' ? { content: err.text } : undefined);
  if (err.retryAfterSeconds) http.headers['Retry-After'] = String(err.retryAfterSeconds);
  return http;
}

export const urlOf = (req: Request) => req.app.locals.url as UrlFor;
export const userOf = (req: Request) => req.user!;

/** How long the end of an answer waits for its chat's title (named while the answer streams: usually ready). */
export const TITLE_WAIT = { ms: 3000 };

/**
 * The title a chat got with this answer, for the end of its stream, or null. `shown` is the thread when the stream
 * (or the followed page) began: untitled, this answer's job may be naming it; titled, the page that opened the stream
 * may still have been rendered before the title came, so the first answer always brings it.
 */
export async function newTitleOf(d: ChatRouteDeps, shown: Thread, messageId: number): Promise<string | null> {
  const job = d.generations.get(messageId);
  if (shown.title) return (await firstAnswerId(d.db, shown.id)) === messageId ? (await findThreadById(d.db, shown.id))?.title ?? null : null;
  if (job) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([job.titled, new Promise((r) => { timer = setTimeout(r, TITLE_WAIT.ms); })]);
    clearTimeout(timer);
  }
  return (await findThreadById(d.db, shown.id))?.title ?? null;
}
