// A contact sheet: the thumbnails of a message's images side by side in one small image, so a question with eight
// photos costs one request (and one set of headers, one image container) instead of eight. Each image on the page
// is a window onto its cell (CSS classes cell-0…cell-7 shift the sheet: CSP allows no inline styles), and still
// links to its own original. Cells are cropped to one shape (96x72, the phone's row height) from the stored
// thumbnails; measured in bench/page-weight.ts, eight photos weigh 4.6 KB as AVIF where eight WebP thumbnails with
// their headers weighed 13.7 KB.
import sharp from 'sharp';
import type { Request } from 'express';
import { WeightedLru } from '../../lib/lru.ts';

export const SHEET_CELL_WIDTH = 96;
export const SHEET_CELL_HEIGHT = 72;
/** Images per sheet; the CSS has a class per cell. A message with more images gets several sheets. */
export const SHEET_MAX_CELLS = 8;
/** AVIF quality, measured on photos with grain and foliage (test/support/images.ts): 30 keeps them clean at 96x72
 * (eight photos: 3.3 KB; 3.9 KB at 35, 4.6 KB at 40). */
const AVIF_QUALITY = 30;

export type SheetFormat = 'avif' | 'webp' | 'jpeg';
const MIME: Record<SheetFormat, string> = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' };

/** "12.13.14" → [12, 13, 14]: 1 to SHEET_MAX_CELLS distinct file ids, or null for anything else. */
export function sheetIdsParam(raw: unknown): number[] | null {
  if (typeof raw !== 'string' || !/^\d{1,15}(\.\d{1,15}){0,7}$/.test(raw)) return null;
  const ids = raw.split('.').map(Number);
  return new Set(ids).size === ids.length && ids.length <= SHEET_MAX_CELLS ? ids : null;
}

/** What the browser takes, best first: every current browser sends image/avif in Accept for images. */
export function sheetFormatFor(req: Request): SheetFormat {
  const accept = req.get('Accept') ?? '';
  return accept.includes('image/avif') ? 'avif' : accept.includes('image/webp') ? 'webp' : 'jpeg';
}

// Sheets are made from stored thumbnails (a few KB each) in tens of milliseconds; a browser keeps them for good, so
// the cache only spares the work when a thread is opened in several browsers. Keyed by file ids: a file never changes.
const made = new WeightedLru<string, Buffer>(8 * 1024 * 1024, (_k, v) => v.length);

export async function makeSheet(ids: number[], thumbnails: Buffer[], format: SheetFormat): Promise<{ data: Buffer; mime: string }> {
  const key = `${format}:${ids.join('.')}`;
  const cached = made.get(key);
  if (cached) return { data: cached, mime: MIME[format] };
  const cells = await Promise.all(thumbnails.map((t, i) => sharp(t)
    .resize(SHEET_CELL_WIDTH, SHEET_CELL_HEIGHT, { fit: 'cover', position: 'attention' })
    .png().toBuffer().then((input) => ({ input, left: i * SHEET_CELL_WIDTH, top: 0 }))));
  const sheet = sharp({ create: { width: cells.length * SHEET_CELL_WIDTH, height: SHEET_CELL_HEIGHT, channels: 3, background: '#808080' } })
    .composite(cells);
  // composite() applies last, so the encoder is chosen on a second pipeline over the raw pixels.
  const raw = await sheet.raw().toBuffer({ resolveWithObject: true });
  const pixels = sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } });
  const data = await (format === 'avif' ? pixels.avif({ quality: AVIF_QUALITY, effort: 4 })
    : format === 'webp' ? pixels.webp({ quality: 40, effort: 6 }) : pixels.jpeg({ quality: 60, mozjpeg: true })).toBuffer();
  made.set(key, data);
  return { data, mime: MIME[format] };
}

/** Where each image of a message is shown from: messages with two images or more use sheets of up to eight. */
export type SheetPlace = { sheetIds: number[]; cell: number };

export function sheetPlaces(imageIds: number[]): Map<number, SheetPlace> {
  const places = new Map<number, SheetPlace>();
  if (imageIds.length < 2) return places;
  for (let at = 0; at < imageIds.length; at += SHEET_MAX_CELLS) {
    const sheetIds = imageIds.slice(at, at + SHEET_MAX_CELLS);
    sheetIds.forEach((id, cell) => places.set(id, { sheetIds, cell }));
  }
  return places;
}
