// Multipart forms with files (attachments, audio for dictation), read before CSRF protection: csurf reads `_csrf` from
// the parsed body, and express.urlencoded/json do not read multipart. busboy streams each file to a temporary file
// (never into memory), stops a file at its limit and goes on reading the rest of the form, so a refusal can keep the
// typed text and the other files. The temporary files are removed when the response ends; a route copies what it keeps
// to storage. Only signed-in users' uploads on the routes that take files are read (CSRF still checks the token).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import busboy from 'busboy';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './http-error.ts';
import { tr } from '../i18n/text.ts';

export type UploadedFile = { field: string; name: string; declaredType: string; size: number; path: string };
export type RefusedUpload = { field: string; name: string; reason: 'too_big' | 'too_many' };
export type Uploads = { files: UploadedFile[]; refused: RefusedUpload[] };

/** A route that takes files: its path, and per file field the largest file and how many files it takes. */
export type UploadRoute = { path: RegExp; fields: Record<string, { maxBytes: number; maxFiles: number }> };

/** What a route's handler finds in res.locals.uploads (empty when the request was not multipart). */
export function uploadsOf(res: Response): Uploads {
  return (res.locals.uploads as Uploads | undefined) ?? { files: [], refused: [] };
}

export function multipartUploads(routes: UploadRoute[], opts: { maxFieldBytes: number }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !req.user || !req.is('multipart/form-data')) return next();
    const route = routes.find((r) => r.path.test(req.path));
    if (!route) return next();
    readMultipart(req, res, route, opts.maxFieldBytes).then(() => next(), next);
  };
}

async function readMultipart(req: Request, res: Response, route: UploadRoute, maxFieldBytes: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mistralchat-upload-'));
  res.on('close', () => { rm(dir, { recursive: true, force: true }).catch(() => {}); });
  const uploads: Uploads = { files: [], refused: [] };
  res.locals.uploads = uploads;
  const body: Record<string, string | string[]> = {};
  const largest = Math.max(...Object.values(route.fields).map((f) => f.maxBytes));
  const totalFiles = Object.values(route.fields).reduce((n, f) => n + f.maxFiles, 0);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // One byte over the largest: a file that reaches it is over its limit (busboy then truncates and says so).
      limits: { fileSize: largest + 1, files: totalFiles + 32, fields: 100, fieldSize: maxFieldBytes, parts: totalFiles + 132 },
      defParamCharset: 'utf8',
    });
  } catch {
    throw new HttpError(400, tr('errors:formUnreadable'));
  }
  const writes: Promise<void>[] = [];
  const counts = new Map<string, number>();
  let fieldTooLong = false;
  let seq = 0;
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fieldTooLong = true;
    const prev = body[name];
    body[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  parser.on('file', (field, stream, info) => {
    const spec = route.fields[field];
    const name = info.filename ?? '';
    // A file input left empty still sends a part with no name and no bytes.
    if (!spec || !name) { stream.resume(); return; }
    const n = (counts.get(field) ?? 0) + 1;
    counts.set(field, n);
    if (n > spec.maxFiles) { uploads.refused.push({ field, name, reason: 'too_many' }); stream.resume(); return; }
    const file: UploadedFile = { field, name: path.basename(name.replace(/\\/g, '/')).slice(0, 200), declaredType: info.mimeType, size: 0, path: path.join(dir, String(++seq)) };
    const out = createWriteStream(file.path);
    let over = false;
    // Written by hand rather than piped, so that the write stops at the limit while the part is still read to its end.
    stream.on('data', (chunk: Buffer) => {
      file.size += chunk.length;
      if (over) return;
      if (file.size > spec.maxBytes) { over = true; out.end(); return; }
      if (!out.write(chunk)) { stream.pause(); out.once('drain', () => stream.resume()); }
    });
    stream.on('limit', () => { over = true; });
    stream.on('end', () => { if (!out.writableEnded) out.end(); });
    writes.push(new Promise<void>((resolve, reject) => {
      out.on('error', reject);
      out.on('close', resolve);
    }).then(() => {
      if (over || file.size > spec.maxBytes) uploads.refused.push({ field, name: file.name, reason: 'too_big' });
      else if (file.size > 0) uploads.files.push(file);
    }));
  });
  parser.on('filesLimit', () => { uploads.refused.push({ field: '', name: '', reason: 'too_many' }); });
  await new Promise<void>((resolve, reject) => {
    parser.on('close', resolve);
    parser.on('error', () => reject(new HttpError(400, tr('errors:formUnreadable'))));
    req.on('aborted', () => reject(new HttpError(400, tr('errors:uploadCut'))));
    req.pipe(parser);
  });
  await Promise.all(writes);
  // Files keep the order they were chosen in, whatever order their writes finished in.
  uploads.files.sort((a, b) => Number(path.basename(a.path)) - Number(path.basename(b.path)));
  if (fieldTooLong) throw new HttpError(413, tr('errors:fieldTooLong'));
  req.body = body;
}
