// What the sharing pages and the JSON API show: the Share menu, a share's messages through the thread's own
// presenter, absolute links, and the headers every public share response carries (found or not).
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { HttpError } from '../../http/http-error.ts';
import { urlOf, userOf } from '../chat/chat.context.ts';
import type { Message } from '../chat/messages.repo.ts';
import { presentAttachments, presentMessage, type MessageView } from '../chat/present.ts';
import type { Thread } from '../threads/threads.repo.ts';
import { findOpenShare, listShares, type Share, type SharedMessage } from './shares.repo.ts';
import { EXPIRY_CHOICES, NO_SUCH_SHARE } from './shares.service.ts';

/** Codes are randomToken()s (43 base64url characters); anything else is not looked up, and answers the same 404. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;

/** Public share responses: never indexed, and the secret link never leaves in a Referer. Set before the lookup, so a
 *  missing, revoked or expired share answers exactly like an unknown one. */
export function publicShareHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set('X-Robots-Tag', 'noindex').set('Referrer-Policy', 'no-referrer');
  next();
}

export function codeParam(req: Request): string {
  const code = String(req.params.code ?? '');
  if (!CODE_PATTERN.test(code)) throw new HttpError(404, NO_SUCH_SHARE);
  return code;
}

export async function openShare(db: Db, req: Request): Promise<{ share: Share; messages: SharedMessage[]; code: string }> {
  const code = codeParam(req);
  const found = await findOpenShare(db, code);
  if (!found) throw new HttpError(404, NO_SUCH_SHARE);
  return { ...found, code };
}

/** The link as people paste it: PUBLIC_URL's origin when set, else the request's. */
export function absoluteUrl(config: Config, req: Request, path: string): string {
  const origin = config.publicUrl ? new URL(config.publicUrl).origin : `${req.protocol}://${req.get('host')}`;
  return origin + urlOf(req)(path);
}

/** A share's messages as the thread shows them (the same presenter and partials), numbered from 1 on the page. */
export function presentShared(messages: SharedMessage[], url: UrlFor, code: string): MessageView[] {
  return messages.map((m, i) => {
    const at = new Date(m.createdAt);
    const message: Message = { ...m, id: i + 1, threadId: 'shared', parentId: i ? i : null, createdAt: at, updatedAt: at, attachments: [], steps: m.steps ?? [], sources: m.sources ?? [] };
    // The files are served from the share's own path, to anyone with the link, while the owner keeps them.
    return { ...presentMessage(message, url), attachments: presentAttachments(m.attachments ?? [], url, `/s/${code}/files`) };
  });
}

/** Whether a share's snapshot holds the file (its readers may fetch it). */
export const shareHoldsFile = (messages: SharedMessage[], fileId: number) => messages.some((m) => m.attachments?.some((a) => a.id === fileId));

/** The public JSON of a share: no ids, no owner, no error texts (they may be about the owner's key). */
export const sharedJson = (title: string, messages: SharedMessage[]) => ({
  title, messages: messages.map((m) => ({ role: m.role, content: m.content, thinking: m.thinking, status: m.status, model: m.model, usage: m.usage, createdAt: m.createdAt })),
});

export const shareJson = (s: Share, url?: string) => ({
  id: s.id, ...(url ? { url } : {}), threadId: s.threadId, title: s.title, createdAt: s.createdAt, expiresAt: s.expiresAt,
});

/** The Share menu's locals for a thread of the signed-in user. */
export async function shareMenuFor(db: Db, req: Request, threadId: string, extra: { created?: { url: string }; open?: boolean } = {}) {
  const url = urlOf(req);
  const shares = await listShares(db, userOf(req).id, { threadId });
  return {
    createUrl: url(`/threads/${threadId}/shares`), choices: EXPIRY_CHOICES,
    shares: shares.map((s) => ({ ...s, revokeUrl: url(`/threads/${threadId}/shares/${s.id}/revoke`) })), ...extra,
  };
}

/** The header hook (ChatRouteDeps.headerExtras): every rendering of a thread's header gets its Share menu. */
export const shareHeaderExtras = (db: Db) => async (req: Request, thread: Thread) => ({ shareMenu: await shareMenuFor(db, req, thread.id) });
