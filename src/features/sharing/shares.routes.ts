// Sharing pages: the public share page (/s/<code>), the thread's Share menu, Account's list, and forks ("Continue in
// my account", "New chat from here"). Plain forms work without JavaScript; htmx swaps the menu or the section.
import { Router, type Request, type Response } from 'express';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/http-error.ts';
import { redirectAfterPost, render, wantsFragment } from '../../http/htmx.ts';
import { addFlash } from '../auth/web.ts';
import { messageIdParam, threadIdParam, urlOf, userOf } from '../chat/chat.context.ts';
import { findUserMessage } from '../chat/messages.repo.ts';
import { findThread } from '../threads/threads.repo.ts';
import { listShares, revokeAllShares, revokeShare } from './shares.repo.ts';
import { forkShare, forkThread, shareThread, type SharingDeps } from './shares.service.ts';
import { absoluteUrl, codeParam, openShare, presentShared, publicShareHeaders, shareHoldsFile, shareMenuFor } from './share-views.ts';
import { fileIdParam, renderText, sendFile, sendSheet, sheetFiles } from '../files/files.routes.ts';
import { findFileById, textsOf } from '../files/files.repo.ts';
import { sayTo } from '../../i18n/negotiate.ts';
import { tr } from '../../i18n/text.ts';

const shareIdParam = (req: Request): number => {
  const raw = String(req.params.shareId ?? '');
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(404, tr('sharing:error.noSuchLink'));
  return Number(raw);
};

/**
 * Account lists every open link: views/account/index.ejs shows the section when this local is set. Mounted before the
 * account routes (auth never imports sharing).
 */
export function accountSharesLocal(d: SharingDeps) {
  const r = Router();
  // Every request that may render the Account page: its own GET, and a refused form there (password, name…), which
  // shows the page again.
  r.use('/account', async (req, res, next) => {
    if (req.user && (req.method === 'GET' || req.method === 'POST')) res.locals.accountShares = await listShares(d.db, req.user.id);
    next();
  });
  return r;
}

export function sharingRoutes(d: SharingDeps) {
  const r = Router();
  const { db } = d;

  r.get('/s/:code', publicShareHeaders, async (req, res) => {
    const { share, messages, code } = await openShare(db, req);
    const url = urlOf(req);
    // An untitled thread's share is 'New chat' (shares.repo.ts, the JSON API's title): in the reader's language here.
    const shareTitle = share.title === 'New chat' ? sayTo(res, tr('sharing:untitled')) : share.title;
    render(req, res, 'sharing/show', {
      title: shareTitle, shareTitle, sharedOn: share.createdAt, messages: presentShared(messages, url, code),
      readOnly: true, bare: true, noindex: true,
      forkUrl: req.user ? url(`/s/${code}/fork`) : null,
      signInUrl: `${url('/login')}?next=${encodeURIComponent(url(`/s/${code}`))}`,
    });
  });
  // A share's files, to anyone with the link: only files its snapshot holds, while their owner keeps them.
  const sharedFile = async (req: Request) => {
    const { messages } = await openShare(db, req);
    const id = fileIdParam(req);
    const file = shareHoldsFile(messages, id) ? await findFileById(db, id) : null;
    if (!file) throw new HttpError(404, tr('sharing:error.noSuchFile'));
    return file;
  };
  r.get('/s/:code/files/sheet/:ids', publicShareHeaders, async (req, res) => {
    const { messages } = await openShare(db, req);
    await sendSheet(db, req, res, await sheetFiles(req, async (id) => (shareHoldsFile(messages, id) ? findFileById(db, id) : null)));
  });
  r.get('/s/:code/files/:fileId', publicShareHeaders, async (req, res) => { await sendFile(db, res, await sharedFile(req), 'original'); });
  r.get('/s/:code/files/:fileId/thumbnail', publicShareHeaders, async (req, res) => { await sendFile(db, res, await sharedFile(req), 'thumbnail'); });
  r.get('/s/:code/files/:fileId/text', publicShareHeaders, async (req, res) => {
    const file = await sharedFile(req);
    if (file.kind !== 'document') throw new HttpError(404, tr('sharing:error.noSuchFile'));
    renderText(req, res, file, (await textsOf(db, [file.id])).get(file.id) ?? '', urlOf(req)(`/s/${codeParam(req)}/files/${file.id}`));
  });
  r.post('/s/:code/fork', publicShareHeaders, requireUser, async (req, res) => {
    const thread = await forkShare(d, userOf(req).id, (await openShare(db, req)).code);
    redirectAfterPost(req, res, urlOf(req)(`/threads/${thread.id}#latest`));
  });

  r.post('/threads/:id/shares', requireUser, async (req, res) => {
    const user = userOf(req);
    const { share, code } = await shareThread(d, user.id, threadIdParam(req), req.body?.expiresInDays);
    const link = absoluteUrl(d.config, req, `/s/${code}`);
    if (wantsFragment(req)) return render(req, res, 'sharing/_share-menu', { shareMenu: await shareMenuFor(db, req, share.threadId, { created: { url: link }, open: true }) });
    const thread = await findThread(db, user.id, share.threadId);
    render(req, res, 'sharing/created', {
      title: sayTo(res, tr('sharing:created.title')), threadTitle: thread?.title || sayTo(res, tr('sharing:untitled')), shareUrl: link, expiresAt: share.expiresAt,
      backUrl: urlOf(req)(`/threads/${share.threadId}#latest`),
    });
  });
  r.post('/threads/:id/shares/:shareId/revoke', requireUser, async (req, res) => {
    const threadId = threadIdParam(req);
    if (!(await revokeShare(db, userOf(req).id, shareIdParam(req), threadId))) throw new HttpError(404, tr('sharing:error.noSuchLink'));
    if (wantsFragment(req)) return render(req, res, 'sharing/_share-menu', { shareMenu: await shareMenuFor(db, req, threadId, { open: true }) });
    res.redirect(303, urlOf(req)(`/threads/${threadId}#latest`));
  });

  const accountAnswer = async (req: Request, res: Response, revoked: number) => {
    if (wantsFragment(req)) return render(req, res, 'sharing/_account-shares', { accountShares: await listShares(db, userOf(req).id), sharesRevoked: revoked });
    addFlash(req, 'ok', revoked === 1 ? tr('sharing:account.linkRevoked') : tr('sharing:account.linksRevoked', { count: revoked }));
    res.redirect(303, urlOf(req)('/account#account-shares'));
  };
  r.post('/account/shares/revoke-all', requireUser, async (req, res) => {
    await accountAnswer(req, res, await revokeAllShares(db, userOf(req).id));
  });
  r.post('/account/shares/:shareId/revoke', requireUser, async (req, res) => {
    if (!(await revokeShare(db, userOf(req).id, shareIdParam(req)))) throw new HttpError(404, tr('sharing:error.noSuchLink'));
    await accountAnswer(req, res, 1);
  });

  // "New chat from here": with htmx the link posts at once; without JavaScript it opens a page that asks.
  r.get('/threads/:id/messages/:messageId/fork', requireUser, async (req, res) => {
    const user = userOf(req);
    const thread = await findThread(db, user.id, threadIdParam(req));
    const message = thread ? await findUserMessage(db, user.id, thread.id, messageIdParam(req)) : null;
    if (!thread || !message) throw new HttpError(404, tr('sharing:error.noSuchMessage'));
    const url = urlOf(req);
    const text = message.content.trim();
    render(req, res, 'sharing/fork', {
      title: sayTo(res, tr('sharing:fork.title')), threadTitle: thread.title || sayTo(res, tr('sharing:untitled')), excerpt: text.length > 200 ? `${text.slice(0, 200)}…` : text,
      forkUrl: url(`/threads/${thread.id}/messages/${message.id}/fork`), backUrl: url(`/threads/${thread.id}#m-${message.id}`),
    });
  });
  r.post('/threads/:id/messages/:messageId/fork', requireUser, async (req, res) => {
    const thread = await forkThread(d, userOf(req).id, threadIdParam(req), messageIdParam(req));
    redirectAfterPost(req, res, urlOf(req)(`/threads/${thread.id}#latest`));
  });
  return r;
}
