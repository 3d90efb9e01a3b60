// The /admin pages: Users (search, disable, enable, delete, reset links) and Invites. Plain forms that answer 303
// (JavaScript off); with htmx, disable and enable swap the user's row in place. Every route is behind adminOnly:
// anyone else gets the unknown-route 404. The JSON API is admin.api.ts.
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';
import { localizedError, sayTo } from '../../i18n/negotiate.ts';
import { tr, type Text } from '../../i18n/text.ts';
import { redirectAfterPost, render, wantsFragment } from '../../http/htmx.ts';
import { listInvites, revokeInvite } from '../auth/invites.repo.ts';
import { addFlash, takeFlash } from '../auth/web.ts';
import { adminOnly, isAdmin } from './admin-gate.ts';
import { decodeUserCursor, findAdminUserRow, listUsers } from './admin.repo.ts';
import { deleteUserAsAdmin, disableUser, enableUser, makeInvite, memberById, resetLinkFor } from './admin.service.ts';
import { adminApiRoutes } from './admin.api.ts';
import { absoluteLink, userIdParam } from './admin-web.ts';

/** Every page learns whether to show the Administration link (no database work: ADMIN_EMAILS and the loaded user). */
export function adminLinkLocal(config: Config) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.isAdmin = isAdmin(req.user, config);
    next();
  };
}

export function adminRoutes({ config, db }: { config: Config; db: Db }) {
  const r = Router();
  r.use(['/admin', '/api/admin'], adminOnly(config));
  r.use(adminApiRoutes({ config, db }));
  const url = (req: Request) => req.app.locals.url as (p: string) => string;

  /** The list the admin was looking at (search and page), to come back to after a form. */
  const listPath = (req: Request) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const qs = new URLSearchParams();
    if (typeof body.q === 'string' && body.q) qs.set('q', body.q.slice(0, 200));
    if (decodeUserCursor(body.cursor)) qs.set('cursor', String(body.cursor));
    return `/admin/users${qs.size ? `?${qs}` : ''}`;
  };
  const back = (req: Request, res: Response, text: Text) => {
    addFlash(req, 'ok', text);
    redirectAfterPost(req, res, url(req)(listPath(req)));
  };
  /** A refusal a person should read (not yourself, no such user): a flash on the list without JS, #flash with htmx. */
  const refusedBack = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 409 || wantsFragment(req)) throw err;
      addFlash(req, 'error', err.text);
      redirectAfterPost(req, res, url(req)(listPath(req)));
    }
  };
  const row = async (req: Request, res: Response, id: number, text: Text) => {
    if (!wantsFragment(req)) return back(req, res, text);
    const user = await findAdminUserRow(db, id);
    render(req, res, 'admin/_user-row', { u: user, me: req.user!.id, q: String((req.body as Record<string, unknown>)?.q ?? ''), cursor: '', done: text });
  };

  r.get('/admin', (req, res) => { res.redirect(302, url(req)('/admin/users')); });

  r.get('/admin/users', async (req, res) => {
    takeFlash(req, res);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const cursor = decodeUserCursor(req.query.cursor);
    const page = await listUsers(db, { q, cursor });
    render(req, res, 'admin/users', { title: sayTo(res, tr('admin:users.title')), section: 'users', q, cursor: cursor ? String(cursor) : '', ...page, me: req.user!.id });
  });

  r.post('/admin/users/:id/disable', refusedBack(async (req, res) => {
    const user = await disableUser(db, req.user!, userIdParam(req));
    await row(req, res, user.id, tr('admin:flash.disabled', { email: user.email }));
  }));

  r.post('/admin/users/:id/enable', async (req, res) => {
    const user = await enableUser(db, userIdParam(req));
    await row(req, res, user.id, tr('admin:flash.enabled', { email: user.email }));
  });

  r.get('/admin/users/:id/delete', async (req, res) => {
    const user = await memberById(db, userIdParam(req));
    render(req, res, 'admin/delete', { title: sayTo(res, tr('admin:delete.title')), section: 'users', target: { id: user.id, email: user.email, name: user.name }, self: user.id === req.user!.id });
  });

  r.post('/admin/users/:id/delete', refusedBack(async (req, res) => {
    const user = await memberById(db, userIdParam(req));
    await deleteUserAsAdmin(db, req.user!, user.id);
    addFlash(req, 'ok', tr('admin:flash.deleted', { email: user.email }));
    redirectAfterPost(req, res, url(req)('/admin/users'));
  }));

  // The link is shown once, on this page (no-store, like every page); only its hash is kept.
  r.post('/admin/users/:id/reset-link', async (req, res) => {
    const { user, code, expiresAt } = await resetLinkFor(db, userIdParam(req));
    render(req, res, 'admin/reset-link', {
      title: sayTo(res, tr('admin:reset.title')), section: 'users', target: { email: user.email }, link: absoluteLink(config, req, `/reset/${code}`), expiresAt,
    });
  });

  r.get('/admin/invites', async (req, res) => {
    takeFlash(req, res);
    render(req, res, 'admin/invites', { title: sayTo(res, tr('admin:invites.title')), section: 'invites', invites: await listInvites(db), created: null, errors: {}, values: { uses: '1', expiresInDays: '7' }, mode: config.registration.mode });
  });

  r.post('/admin/invites', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const locals = { title: sayTo(res, tr('admin:invites.title')), section: 'invites', mode: config.registration.mode, created: null as null | { link: string; uses: number; expiresAt: Date }, errors: {}, values: { uses: body.uses ?? '1', expiresInDays: body.expiresInDays ?? '7' } };
    try {
      const { code, invite } = await makeInvite(db, req.user!, body);
      locals.created = { link: absoluteLink(config, req, `/register?invite=${code}`), uses: invite.uses, expiresAt: invite.expiresAt };
      locals.values = { uses: '1', expiresInDays: '7' };
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 422) throw err;
      locals.errors = localizedError(res, err).fields ?? {};
      res.status(422);
    }
    render(req, res, 'admin/invites', { ...locals, invites: await listInvites(db) });
  });

  r.post('/admin/invites/:id/revoke', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || !(await revokeInvite(db, id))) throw new HttpError(404, tr('admin:error.noSuchInvite'));
    addFlash(req, 'ok', tr('admin:flash.inviteWithdrawn'));
    redirectAfterPost(req, res, url(req)('/admin/invites'));
  });
  return r;
}
