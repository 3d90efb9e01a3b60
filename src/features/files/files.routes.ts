// Serving files: the bytes to their owner only (another's id is 404, like an unknown one), with the type found in
// the bytes at upload, never the name. Only our four image types are shown inline; everything else (PDFs, Word and
// PowerPoint files, text, and so any HTML or SVG kept as text) is a download. `sandbox` and nosniff make sure that
// even a file opened directly can run nothing. Files never change, so a browser keeps them (privately).
import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/http-error.ts';
import { render } from '../../http/htmx.ts';
import { sayTo } from '../../i18n/negotiate.ts';
import { tr } from '../../i18n/text.ts';
import { findOwnFile, textOfOwnFile, type StoredFile } from './files.repo.ts';
import { databaseStore, readAll, type FilePart } from './storage.ts';
import { makeSheet, sheetFormatFor, sheetIdsParam } from './contact-sheet.ts';

const PAGE_ONLY_HEADERS = ['X-Request-Id', 'Cross-Origin-Opener-Policy', 'Origin-Agent-Cluster', 'Referrer-Policy', 'X-DNS-Prefetch-Control',
  'X-Download-Options', 'X-Frame-Options', 'X-Permitted-Cross-Domain-Policies', 'X-XSS-Protection'];
const INLINE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
const NO_SUCH_FILE = tr('files:noSuchFile');

export function fileIdParam(req: Request): number {
  const raw = String(req.params.fileId ?? '');
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(404, NO_SUCH_FILE);
  return Number(raw);
}

/** A header value for the name: ASCII fallback plus the UTF-8 name (RFC 6266). */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** What every served file gets: its type, no sniffing, no scripts even when opened directly, kept for good (privately). */
function fileHeaders(res: Response, type: string): void {
  // A thread page loads a thumbnail per image: the page's own headers (framing, referrer, DNS prefetch…) mean nothing
  // for an image and cost ~400 bytes each on the wire (bench/page-weight.ts); a file keeps what protects it.
  for (const h of PAGE_ONLY_HEADERS) res.removeHeader(h);
  res.set({
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': 'sandbox',
    'Cache-Control': 'private, max-age=31536000, immutable',
  });
}

/** A contact sheet of these images (in this order), in the best format the browser takes. */
export async function sendSheet(db: Db, req: Request, res: Response, files: StoredFile[]): Promise<void> {
  const store = databaseStore(db);
  const thumbnails = await Promise.all(files.map((f) => readAll(store, f.id, 'thumbnail')));
  const { data, mime } = await makeSheet(files.map((f) => f.id), thumbnails, sheetFormatFor(req));
  fileHeaders(res, mime);
  res.set({ Vary: 'Accept', 'Content-Length': String(data.length) });
  res.end(req.method === 'HEAD' ? undefined : data);
}

/** The sheet's files from the URL's ids: every one an image `find` gives (owned, or held by a share), else 404. */
export async function sheetFiles(req: Request, find: (id: number) => Promise<StoredFile | null>): Promise<StoredFile[]> {
  const ids = sheetIdsParam(req.params.ids);
  const files = ids ? await Promise.all(ids.map(find)) : [];
  if (!ids || files.some((f) => !f || f.kind !== 'image')) throw new HttpError(404, NO_SUCH_FILE);
  return files as StoredFile[];
}

export async function sendFile(db: Db, res: Response, file: StoredFile, part: FilePart): Promise<void> {
  const thumbnail = part === 'thumbnail';
  if (thumbnail && file.kind !== 'image') throw new HttpError(404, NO_SUCH_FILE);
  const type = thumbnail ? 'image/webp' : file.kind === 'text' ? 'text/plain; charset=utf-8' : file.mime;
  const inline = thumbnail || INLINE.has(file.mime);
  fileHeaders(res, type);
  if (!thumbnail) res.set('Content-Disposition', disposition(inline ? 'inline' : 'attachment', file.name));
  if (!thumbnail) res.set('Content-Length', String(file.size));
  if (res.req.method === 'HEAD') return void res.end();
  // A thumbnail is one small part: sent whole, with its length (no chunked framing).
  if (thumbnail) return void res.end(await readAll(databaseStore(db), file.id, 'thumbnail'));
  for await (const chunk of databaseStore(db).read(file.id, part)) {
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    if (res.destroyed) return;
  }
  res.end();
}

export function filesRoutes(d: { config: Config; db: Db }) {
  const r = Router();
  const own = async (req: Request) => {
    const file = await findOwnFile(d.db, req.user!.id, fileIdParam(req));
    if (!file) throw new HttpError(404, NO_SUCH_FILE);
    return file;
  };
  r.get('/files/:fileId', requireUser, async (req, res) => { await sendFile(d.db, res, await own(req), 'original'); });
  r.get('/files/:fileId/thumbnail', requireUser, async (req, res) => { await sendFile(d.db, res, await own(req), 'thumbnail'); });
  // A message's images in one image (contact-sheet.ts): /files/sheet/12.13.14.
  r.get('/files/sheet/:ids', requireUser, async (req, res) => {
    await sendSheet(d.db, req, res, await sheetFiles(req, (id) => findOwnFile(d.db, req.user!.id, id)));
  });
  // What the model reads of a document: the markdown its OCR gave, as text (the page shows it as written).
  r.get('/files/:fileId/text', requireUser, async (req, res) => {
    const file = await own(req);
    if (file.kind !== 'document') throw new HttpError(404, NO_SUCH_FILE);
    const text = await textOfOwnFile(d.db, req.user!.id, file.id);
    renderText(req, res, file, text ?? '', req.app.locals.url(`/files/${file.id}`));
  });
  return r;
}

export function renderText(req: Request, res: Response, file: StoredFile, text: string, downloadUrl: string): void {
  render(req, res, 'files/text', { title: sayTo(res, tr('files:text.title', { name: file.name })), file, text, downloadUrl });
}
