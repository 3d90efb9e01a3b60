// Export and import routes: the JSON API (also what the thread header's and Account's download links open, with the
// cookie) and Account's upload form. Another user's thread is 404, like everywhere.
import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/http-error.ts';
import { tr } from '../../i18n/text.ts';
import { tOf } from '../../i18n/negotiate.ts';
import { addFlash, appUrl, retryAfterHeader } from '../auth/web.ts';
import { RateLimitedError } from '../auth/rate-limits.ts';
import { threadIdParam, userOf } from '../chat/chat.context.ts';
import { findThread } from '../threads/threads.repo.ts';
import { attachment, downloadName, threadJsonExport, threadMarkdownExport, writeAccountExport } from './export.ts';
import { importFile, type Imported } from './import.ts';
import type { Upload } from './upload.ts';

export function transferRoutes({ config, db }: { config: Config; db: Db }) {
  const r = Router();

  r.get('/api/thread/:id/export', requireUser, async (req, res) => {
    const format = req.query.format ?? 'json';
    if (format !== 'md' && format !== 'json') throw new HttpError(400, tr('transfer:export.format'));
    const t = await findThread(db, userOf(req).id, threadIdParam(req));
    if (!t) throw new HttpError(404, tr('transfer:export.noSuchConversation'));
    // Organise (issue 15): a temporary chat is not kept, so it is not exported either.
    if (t.temporaryUntil) throw new HttpError(409, tr('transfer:export.temporary'));
    const body = format === 'md' ? await threadMarkdownExport(db, t, tOf(req, res)) : await threadJsonExport(db, t);
    res.set('Content-Disposition', attachment(downloadName(t.title, format)));
    res.type(format === 'md' ? 'text/markdown; charset=utf-8' : 'application/json; charset=utf-8').send(body);
  });

  r.get('/api/export', requireUser, async (req, res) => {
    res.set('Content-Disposition', attachment(downloadName('account', 'json')));
    res.type('application/json; charset=utf-8');
    // A HEAD asks for the headers only: the account is not read.
    if (req.method === 'HEAD') return void res.end();
    try {
      await writeAccountExport(db, userOf(req).id, res);
      res.end();
    } catch {
      // Half a document must not look like a whole one: the connection is cut, so the download fails visibly.
      res.destroy();
    }
  });

  const upload = (req: Request, res: Response): Upload | { data: unknown; bytes: number } => {
    const u = res.locals.upload as Upload | undefined;
    if (u) return u;
    if (req.path === '/api/import' && req.body && typeof req.body === 'object' && Object.keys(req.body).length) return { data: req.body, bytes: 0 };
    throw new HttpError(422, tr('transfer:import.chooseFile'), undefined, { file: tr('transfer:import.chooseFile') });
  };
  const run = (req: Request, res: Response): Promise<Imported> => importFile(db, config, userOf(req).id, upload(req, res));

  r.post('/api/import', requireUser, async (req, res) => {
    const { threads } = await run(req, res);
    res.status(201).json({ threads });
  });

  // The form in Account (multipart, works without JavaScript): one conversation opens, several are listed in Account.
  r.post('/account/import', requireUser, async (req, res) => {
    let result: Imported;
    try {
      result = await run(req, res);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      if (err instanceof RateLimitedError) res.set('Retry-After', String(err.retryAfterSeconds));
      addFlash(req, 'error', tr('transfer:import.nothing', { reason: err.text }));
      return res.redirect(303, appUrl(req, '/account#transfer'));
    }
    const n = result.threads.length;
    if (n === 1) return res.redirect(303, appUrl(req, `/threads/${result.threads[0].id}#latest`));
    addFlash(req, 'ok', tr('transfer:import.done', { count: n }));
    res.redirect(303, appUrl(req, '/account#transfer'));
  });
  r.use(retryAfterHeader);
  return r;
}
