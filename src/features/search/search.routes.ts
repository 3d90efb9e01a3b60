// Search (issue 15): GET /search (a page, a plain GET form that works without JavaScript; htmx swaps the results as
// one types) and GET /api/search (JSON). Only the signed-in user's conversations are ever read.
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db.ts';
import { requireUser } from '../../http/auth.ts';
import { render, wantsFragment } from '../../http/htmx.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { parseQuery } from './query.ts';
import { sayTo } from '../../i18n/negotiate.ts';
import { tr } from '../../i18n/text.ts';
import { searchUser, type ArchivedFilter, type SearchHit, type Sort } from './search.repo.ts';

export const SEARCH_PAGE_SIZE = 20;

type Params = { q: string; sort: Sort; archived: ArchivedFilter; cursor: string | null };

function paramsOf(req: Request): Params {
  const one = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
  const sort = one(req.query.sort) === 'relevance' ? 'relevance' : 'newest';
  const a = one(req.query.archived);
  const archived = a === 'include' || a === 'only' ? a : 'exclude';
  return { q: one(req.query.q).slice(0, 200), sort, archived, cursor: one(req.query.cursor) || null };
}

const run = (db: Db, userId: number, p: Params) =>
  searchUser(db, userId, parseQuery(p.q), { sort: p.sort, archived: p.archived, cursor: p.cursor, limit: SEARCH_PAGE_SIZE });

/** The address of a hit: the message on its branch (see thread-pages.ts openAt), or a title hit's thread. */
export const hitUrl = (url: UrlFor, h: SearchHit) =>
  h.messageId === null ? url(`/threads/${h.threadId}#latest`) : url(`/threads/${h.threadId}?at=${h.messageId}#m-${h.messageId}`);

function searchUrl(url: UrlFor, p: Params, cursor?: string): string {
  const qs = new URLSearchParams({ q: p.q });
  if (p.sort !== 'newest') qs.set('sort', p.sort);
  if (p.archived !== 'exclude') qs.set('archived', p.archived);
  if (cursor) qs.set('cursor', cursor);
  return url(`/search?${qs}`);
}

export function searchRoutes({ db }: { db: Db }) {
  const r = Router();

  r.get('/search', requireUser, async (req: Request, res: Response) => {
    const url = req.app.locals.url as UrlFor;
    const p = paramsOf(req);
    const page = p.q.trim() ? await run(db, req.user!.id, p) : null;
    const hits = (page?.results ?? []).map((h) => ({ ...h, href: hitUrl(url, h) }));
    const locals = {
      title: sayTo(res, p.q.trim() ? tr('search:titleFor', { q: p.q }) : tr('search:title')), params: p, hits, searched: Boolean(page),
      nextUrl: page?.nextCursor ? searchUrl(url, p, page.nextCursor) : null, firstUrl: p.cursor ? searchUrl(url, p) : null,
    };
    // htmx: the next page's hits appended to the list, or the results while typing; a plain request: the page.
    if (wantsFragment(req)) return render(req, res, p.cursor ? 'search/_hits' : 'search/_results', locals);
    render(req, res, 'search/index', locals);
  });

  r.get('/api/search', requireUser, async (req: Request, res: Response) => {
    const p = paramsOf(req);
    const page = await run(db, req.user!.id, p);
    res.json({
      results: page.results.map((h) => ({ threadId: h.threadId, title: h.title, messageId: h.messageId, snippet: h.snippet })),
      nextCursor: page.nextCursor,
    });
  });

  return r;
}
