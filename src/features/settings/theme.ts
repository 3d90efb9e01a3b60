// The signed-in user's appearance on every page: the layout puts it on <html data-theme>, and app.css follows it.
// Read just before the layout renders (like the sidebar's list, sidebar.ts), so fragments, JSON and event streams
// pay nothing. Signed-out pages have none and follow the device.
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db.ts';
import { settingsOnce } from './settings.repo.ts';

type RenderCallback = (err: Error | null, html: string) => void;

export function themeOnEveryPage(db: Db) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const render = res.render.bind(res) as (view: string, locals?: object, cb?: RenderCallback) => void;
    res.render = ((view: string, locals?: object | RenderCallback, cb?: RenderCallback) => {
      const own = typeof locals === 'function' ? undefined : locals;
      const done = typeof locals === 'function' ? locals as RenderCallback : cb;
      if (view !== 'layout' || !req.user) return render(view, own, done);
      // If the database is what failed, the error page still renders, following the device.
      // The row the page's header may have read already in this request (settingsOnce: this request only).
      settingsOnce(req, db, req.user.id).then((s) => s.theme, () => 'system' as const)
        // The sidebar's switch comes back to this page (without its query: ?follow= would follow an answer again); a
        // page answering a POST has no address to come back to.
        .then((theme) => render(view, { ...own, theme, themeBack: req.method === 'GET' ? req.originalUrl.split('?')[0] : null }, done));
    }) as Response['render'];
    next();
  };
}
