// Every signed-in page shows the conversations in its sidebar, not only the pages that read the list themselves:
// Settings, Account, the model page and error pages render the layout without one, so it is read here, once, just
// before the layout renders (a page that already has its list is left alone).
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { threadListView } from './threads.service.ts';
import { zoneOf } from '../../i18n/negotiate.ts';

type RenderCallback = (err: Error | null, html: string) => void;

export function sidebarOnEveryPage(db: Db, url: UrlFor) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const render = res.render.bind(res) as (view: string, locals?: object, cb?: RenderCallback) => void;
    res.render = ((view: string, locals?: object | RenderCallback, cb?: RenderCallback) => {
      const own = typeof locals === 'function' ? undefined : locals;
      const done = typeof locals === 'function' ? locals as RenderCallback : cb;
      if (view !== 'layout' || !req.user || (own as { sidebar?: unknown } | undefined)?.sidebar || (own as { bare?: boolean } | undefined)?.bare) return render(view, own, done);
      // A page that cannot read the list (the database is what failed) still renders, with an empty sidebar.
      threadListView(db, url, req.user.id, {}, new Date(), { zone: zoneOf(res) }).then((sidebar) => sidebar, () => undefined)
        .then((sidebar) => render(view, { ...own, sidebar }, done));
    }) as Response['render'];
    next();
  };
}
