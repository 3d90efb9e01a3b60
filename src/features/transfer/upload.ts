// Reads an import upload before CSRF protection, on the two import routes only. csurf reads `_csrf` from the parsed
// body (or the X-CSRF-Token header), and express.urlencoded/json do not read multipart/form-data, so a form without
// JavaScript would always fail CSRF. Here a multipart body is read (up to the import limit, for a signed-in user
// only) and parsed by Node's own multipart reader (undici's Response.formData, no dependency): `_csrf` goes into
// req.body for csurf, which still checks it; the file goes to res.locals.upload. A JSON body to /api/import is read as
// text with the same limit (the app's JSON parser stops at 2 MB). The token is never read from the query string.
import express, { type NextFunction, type Request, type RequestHandler, type Response as ExpressResponse } from 'express';
import type { Config } from '../../config.ts';
import { HttpError } from '../../http/http-error.ts';
import { tr } from '../../i18n/text.ts';
import { tooBig } from './import.ts';

export const IMPORT_PATHS = new Set(['/api/import', '/account/import']);
/** Room for the form's other fields and multipart framing around the file. */
const FRAMING = 64 * 1024;

export type Upload = { text: string; bytes: number; name: string };

export function importUploads(config: Config): RequestHandler {
  const max = config.transfer.maxBytes;
  const multipart = express.raw({ type: 'multipart/form-data', limit: max + FRAMING });
  const json = express.text({ type: 'application/json', limit: max });
  const bodyError = (err: unknown) => ((err as { type?: string })?.type === 'entity.too.large' ? tooBig(max) : err);

  return (req: Request, res: ExpressResponse, next: NextFunction) => {
    // Signed-out requests are not read: CSRF and requireUser refuse them with an empty body.
    if (req.method !== 'POST' || !IMPORT_PATHS.has(req.path) || !req.user) return next();
    if (req.is('multipart/form-data')) {
      multipart(req, res, (err?: unknown) => {
        if (err) return next(bodyError(err));
        readForm(req, res).then(() => next(), next);
      });
      return;
    }
    if (req.path === '/api/import' && req.is('application/json')) {
      json(req, res, (err?: unknown) => {
        if (err) return next(bodyError(err));
        const text = typeof req.body === 'string' ? req.body : '';
        res.locals.upload = { text, bytes: Buffer.byteLength(text), name: 'body.json' } satisfies Upload;
        req.body = {};
        next();
      });
      return;
    }
    next();
  };
}

async function readForm(req: Request, res: ExpressResponse): Promise<void> {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let form: FormData;
  try {
    form = await new Response(body as unknown as BodyInit, { headers: { 'content-type': req.get('content-type') ?? '' } }).formData();
  } catch {
    throw new HttpError(400, tr('transfer:import.unreadable'));
  }
  const csrf = form.get('_csrf');
  req.body = typeof csrf === 'string' ? { _csrf: csrf } : {};
  const file = form.get('file');
  if (file && typeof file === 'object' && file.size > 0) {
    res.locals.upload = { text: await file.text(), bytes: file.size, name: file.name } satisfies Upload;
  } else if (typeof file === 'string' && file) {
    res.locals.upload = { text: file, bytes: Buffer.byteLength(file), name: 'file' } satisfies Upload;
  }
}
