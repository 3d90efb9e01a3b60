// The sharing JSON API (Bearer token or cookie). Another user's ids are 404; a revoked, expired or unknown code is the
// same 404 as everywhere else.
import { Router } from 'express';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/http-error.ts';
import { threadJson } from '../api/threads.api.ts';
import { threadIdParam, userOf } from '../chat/chat.context.ts';
import { tr } from '../../i18n/text.ts';
import { listShares, revokeShare } from './shares.repo.ts';
import { forkShare, forkThread, shareThread, type SharingDeps } from './shares.service.ts';
import { absoluteUrl, openShare, publicShareHeaders, sharedJson, shareJson } from './share-views.ts';

export function sharingApiRoutes(d: SharingDeps) {
  const r = Router();
  r.post('/api/thread/:id/shares', requireUser, async (req, res) => {
    const { share, code } = await shareThread(d, userOf(req).id, threadIdParam(req), req.body?.expiresInDays);
    res.status(201).json({ share: shareJson(share, absoluteUrl(d.config, req, `/s/${code}`)) });
  });
  r.post('/api/thread/:id/fork', requireUser, async (req, res) => {
    const thread = await forkThread(d, userOf(req).id, threadIdParam(req), req.body?.messageId);
    res.status(201).json({ thread: threadJson(thread) });
  });
  // Links are not listed: only their hashes are kept.
  r.get('/api/shares', requireUser, async (req, res) => {
    const shares = await listShares(d.db, userOf(req).id);
    res.json({ shares: shares.map((s) => ({ ...shareJson(s), threadTitle: s.threadTitle })) });
  });
  r.delete('/api/shares/:shareId', requireUser, async (req, res) => {
    const raw = String(req.params.shareId);
    if (!/^\d{1,15}$/.test(raw) || !(await revokeShare(d.db, userOf(req).id, Number(raw)))) throw new HttpError(404, tr('sharing:error.noSuchLink'));
    res.status(204).end();
  });
  r.get('/api/shares/:code', publicShareHeaders, async (req, res) => {
    const { share, messages } = await openShare(d.db, req);
    res.json(sharedJson(share.title, messages));
  });
  r.post('/api/shares/:code/fork', publicShareHeaders, requireUser, async (req, res) => {
    const thread = await forkShare(d, userOf(req).id, (await openShare(d.db, req)).code);
    res.status(201).json({ thread: threadJson(thread) });
  });
  return r;
}
