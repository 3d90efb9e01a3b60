// The account page: profile, sign-in methods, password, active sign-ins, deletion. Plain forms, each a 303 back.
import type { Request, Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/errors.ts';
import { render } from '../../http/htmx.ts';
import * as auth from './auth.service.ts';
import { describeDevice } from './devices.ts';
import type { Google } from './google.ts';
import { listTokens, revokeAllTokens, revokeToken } from './tokens.repo.ts';
import { isGuest } from './users.repo.ts';
import { addFlash, appUrl, endSignedIn, goTo, takeFlash } from './web.ts';
import { tr, type Text } from '../../i18n/text.ts';
import { localizedError, sayTo } from '../../i18n/negotiate.ts';
import { isTimeZone, TIME_ZONES, TZ_COOKIE } from '../../i18n/zones.ts';

type Section = 'name' | 'password' | 'delete';

export function accountController({ config, db, google }: { config: Config; db: Db; google: Google }) {
  async function show(req: Request, res: Response, failed?: { section: Section; err: HttpError }) {
    const user = req.user!;
    takeFlash(req, res);
    const sessions = (await listTokens(db, user.id)).map((t) => ({
      id: t.id, device: sayTo(res, describeDevice(t.userAgent)), lastUsedAt: t.lastUsedAt, createdAt: t.createdAt, current: t.id === req.tokenId,
    }));
    const body = (req.body ?? {}) as Record<string, string>;
    render(req, res, 'account/index', {
      title: sayTo(res, tr('account:title')),
      account: {
        name: user.name ?? '', email: user.email, guest: isGuest(user), guestExpiresAt: user.guestExpiresAt ?? null,
        hasPassword: Boolean(user.passwordHash), hasGoogle: Boolean(user.googleSub),
        // Languages (issue 17): the saved choice, null for automatic.
        language: user.language ?? null,
        // The saved time zone (null: automatic), and the one this browser's script reported (null: none yet).
        timeZone: user.timeZone ?? null, reportedZone: reportedZone(req),
      },
      timeZones: TIME_ZONES,
      googleEnabled: google.configured,
      sessions,
      failed: failed ? { section: failed.section, ...localizedError(res, failed.err), fields: localizedError(res, failed.err).fields ?? {} } : null,
      values: failed ? { name: body.name ?? user.name ?? '', confirm: body.confirm ?? '' } : { name: user.name ?? '', confirm: '' },
    }, { status: failed?.err.status });
  }

  const guarded = (section: Section, action: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response) => {
      try {
        await action(req, res);
      } catch (err) {
        if (err instanceof HttpError && err.status === 422) return show(req, res, { section, err });
        throw err;
      }
    };

  const back = (req: Request, res: Response, text: Text) => {
    addFlash(req, 'ok', text);
    goTo(req, res, appUrl(req, '/account'));
  };

  return {
    show: (req: Request, res: Response) => show(req, res),

    updateName: guarded('name', async (req, res) => {
      await auth.updateName(db, req.user!, req.body);
      back(req, res, tr('account:profile.saved'));
    }),

    changePassword: guarded('password', async (req, res) => {
      if (isGuest(req.user!)) throw new HttpError(403, tr('account:password.registerFirst'));
      const had = Boolean(req.user!.passwordHash);
      await auth.changePassword(db, req.user!, req.body, req.tokenId);
      back(req, res, had ? tr('account:password.changed') : tr('account:password.set'));
    }),

    async revokeSession(req: Request, res: Response) {
      const id = Number(req.params.id);
      // Another user's sign-in (or none) is simply not found.
      if (!Number.isInteger(id) || !(await revokeToken(db, req.user!.id, id))) throw new HttpError(404, tr('account:sessions.gone'));
      if (id === req.tokenId) {
        await endSignedIn(req, res, config);
        return goTo(req, res, appUrl(req, '/login'));
      }
      back(req, res, tr('account:sessions.revoked'));
    },

    async revokeAll(req: Request, res: Response) {
      await revokeAllTokens(db, req.user!.id);
      await endSignedIn(req, res, config);
      goTo(req, res, appUrl(req, '/login'));
    },

    destroy: guarded('delete', async (req, res) => {
      await auth.deleteAccount(db, req.user!, (req.body as Record<string, unknown>)?.confirm);
      await endSignedIn(req, res, config);
      goTo(req, res, appUrl(req, '/login'));
    }),
  };
}

function reportedZone(req: Request): string | null {
  const z = (req.cookies as Record<string, string> | undefined)?.[TZ_COOKIE];
  return isTimeZone(z) ? z : null;
}
