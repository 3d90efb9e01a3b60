// The administration JSON API (behind adminOnly, like the pages: 404 for anyone else). Cookie requests need the CSRF
// token; Bearer requests do not (src/http/csrf.ts).
import { Router } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { decodeUserCursor, listUsers, type AdminUserRow } from './admin.repo.ts';
import { deleteUserAsAdmin, disableUser, enableUser, makeInvite } from './admin.service.ts';
import { absoluteLink, userIdParam } from './admin-web.ts';
import { isAdmin } from './admin-gate.ts';
import type { User } from '../auth/users.repo.ts';

export function adminApiRoutes({ config, db }: { config: Config; db: Db }) {
  const r = Router();
  const asJson = (u: AdminUserRow) => ({
    id: u.id, email: u.email, name: u.name, createdAt: u.createdAt.toISOString(), lastActiveAt: u.lastActiveAt?.toISOString() ?? null,
    disabled: Boolean(u.disabledAt), disabledAt: u.disabledAt?.toISOString() ?? null, tokensThisMonth: u.tokensThisMonth,
    admin: isAdmin({ email: u.email, guestExpiresAt: null, emailVerifiedAt: u.emailVerifiedAt, disabledAt: u.disabledAt }, config),
  });
  const brief = (u: User) => ({ id: u.id, email: u.email, name: u.name, disabled: Boolean(u.disabledAt) });

  r.get('/api/admin/users', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const page = await listUsers(db, { q, cursor: decodeUserCursor(req.query.cursor) });
    res.json({ users: page.users.map(asJson), nextCursor: page.nextCursor });
  });
  r.post('/api/admin/users/:id/disable', async (req, res) => {
    res.json({ user: brief(await disableUser(db, req.user!, userIdParam(req))) });
  });
  r.post('/api/admin/users/:id/enable', async (req, res) => {
    res.json({ user: brief(await enableUser(db, userIdParam(req))) });
  });
  r.delete('/api/admin/users/:id', async (req, res) => {
    await deleteUserAsAdmin(db, req.user!, userIdParam(req));
    res.status(204).end();
  });
  r.post('/api/admin/invites', async (req, res) => {
    const { code, invite } = await makeInvite(db, req.user!, req.body);
    res.status(201).json({ invite: { url: absoluteLink(config, req, `/register?invite=${code}`), uses: invite.uses, expiresAt: invite.expiresAt.toISOString() } });
  });
  return r;
}
