// Organise (issue 15), on the web: pin and archive a thread from its header, the Archived view, and the list's
// select mode (checkboxes posting to /threads/bulk: pin, archive, unarchive at once; delete after a confirmation
// page, which is also what htmx shows unless the button's hx-confirm already asked). Plain forms first; htmx swaps
// the header and the sidebar's list where it can.
import { Router, type Request, type Response } from 'express';
import { HttpError } from '../../http/errors.ts';
import { render, renderString, wantsFragment } from '../../http/htmx.ts';
import { threadIdParam, urlOf, userOf, type ChatRouteDeps } from './chat.context.ts';
import { tr } from '../../i18n/text.ts';
import { headerLocals } from './thread-config.ts';
import { findThread, markThreads, type Thread } from '../threads/threads.repo.ts';
import { idsOf, removeThreads, threadListView } from '../threads/threads.service.ts';
import { addFlash, takeFlash } from '../auth/web.ts';
import { requireUser } from '../../http/auth.ts';
import { type Text } from '../../i18n/text.ts';
import { sayTo, zoneOf } from '../../i18n/negotiate.ts';

const ACTIONS = { pin: ['pinned_at', true], unpin: ['pinned_at', false], archive: ['archived_at', true], unarchive: ['archived_at', false] } as const;
type Action = keyof typeof ACTIONS;
/** The flash after a bulk action, by how many conversations it touched (plurals in the catalogue). */
const DONE: Record<Action, (count: number) => Text> = {
  pin: (count) => tr('threads:bulk.pinned', { count }), unpin: (count) => tr('threads:bulk.unpinned', { count }),
  archive: (count) => tr('threads:bulk.archived', { count }), unarchive: (count) => tr('threads:bulk.unarchived', { count }),
};

/** Where a list form goes back to: the page it came from (a local path under BASE_PATH only), else the list. */
function backTo(req: Request, fallback: string): string {
  const raw = typeof req.body?.back === 'string' ? req.body.back : '';
  const base = urlOf(req)('/');
  return raw.startsWith(base) && !raw.startsWith('//') && !/[\\\s]/.test(raw) ? raw : fallback;
}

export function organiseRoutes(d: ChatRouteDeps) {
  const r = Router();

  /** Pin or archive one thread (its header's buttons): `on` is 1 or 0. */
  const toggle = (action: 'pin' | 'archive') => async (req: Request, res: Response) => {
    const user = userOf(req);
    const thread = await findThread(d.db, user.id, threadIdParam(req));
    if (!thread) throw new HttpError(404, tr('threads:error.notFound'));
    if (thread.temporaryUntil) throw new HttpError(409, tr('threads:error.temporaryNotListed'));
    const on = req.body?.on !== '0';
    await markThreads(d.db, user.id, [thread.id], ACTIONS[action][0], on);
    const updated = (await findThread(d.db, user.id, thread.id)) as Thread;
    if (wantsFragment(req)) {
      // The header with its button turned, and the sidebar's list out of band (the thread moved, or left it).
      const sidebar = await threadListView(d.db, urlOf(req), user.id, {}, new Date(), { zone: zoneOf(res) });
      const list = await renderString(req, res, 'threads/_list-oob', { sidebar, currentThreadId: thread.id });
      return render(req, res, 'threads/_header', { ...await headerLocals(d, req, updated), oob: list });
    }
    res.redirect(303, urlOf(req)(`/threads/${thread.id}#latest`));
  };
  r.post('/threads/:id/pin', requireUser, toggle('pin'));
  r.post('/threads/:id/archive', requireUser, toggle('archive'));

  /** The list in select mode (/threads?select=1) and the Archived view: checkboxes in one form. */
  const selectPage = (archived: boolean) => async (req: Request, res: Response) => {
    takeFlash(req, res);
    const list = await threadListView(d.db, urlOf(req), userOf(req).id, req.query, new Date(), { archived, zone: zoneOf(res) });
    const here = urlOf(req)(archived ? '/archived' : '/threads?select=1');
    // Paging: a plain link keeps the select mode (the list's own "More" would load rows without checkboxes).
    const nextUrl = list.nextUrl && `${list.nextUrl}${archived ? '' : '&select=1'}`;
    render(req, res, 'threads/select', { title: sayTo(res, tr(archived ? 'threads:select.archivedTitle' : 'threads:select.title')), archived, list: { ...list, lastGroup: null, nextUrl }, back: req.originalUrl.startsWith(urlOf(req)('/')) ? req.originalUrl : here }, { layout: true });
  };
  r.get('/archived', requireUser, selectPage(true));
  r.get('/threads', (req, res, next) => (req.query.select ? requireUser(req, res, () => void selectPage(false)(req, res).catch(next)) : next()));

  r.post('/threads/bulk', requireUser, async (req: Request, res: Response) => {
    const user = userOf(req);
    const ids = idsOf(req.body?.ids);
    const action = String(req.body?.action ?? '');
    const back = backTo(req, urlOf(req)('/threads?select=1'));
    const finish = (text: Text) => {
      addFlash(req, 'ok', text);
      if (req.get('HX-Request') === 'true') return void res.set('HX-Redirect', back).status(204).end();
      res.redirect(303, back);
    };
    if (!ids.length) return finish(tr('threads:bulk.nothingSelected'));
    if (action in ACTIONS) {
      const [column, on] = ACTIONS[action as Action];
      const n = await markThreads(d.db, user.id, ids, column, on);
      return finish(DONE[action as Action](n));
    }
    if (action !== 'delete') throw new HttpError(400, tr('threads:error.chooseAction'));
    if (req.body?.confirm === '1') return finish(tr('threads:bulk.deleted', { count: await removeThreads(d.db, user.id, ids) }));
    // The confirmation step: the caller's own threads among the ids, by title; none: nothing to confirm.
    const threads = (await Promise.all(ids.map((id) => findThread(d.db, user.id, id)))).filter((t): t is Thread => Boolean(t));
    if (!threads.length) throw new HttpError(404, tr('threads:error.notFound'));
    render(req, res, 'threads/confirm-delete', { title: sayTo(res, tr('threads:bulkDelete.title')), threads, back }, { layout: true });
  });
  // The keyboard shortcuts: a page without JavaScript, the "?" dialog's content with it (keys.js).
  r.get('/shortcuts', (req, res) => render(req, res, wantsFragment(req) ? 'help/_shortcuts' : 'help/shortcuts', { title: sayTo(res, tr('help:shortcuts.title')) }));
  return r;
}
