// Thumbnails made on the server, so a thread with eight photos weighs a few kilobytes on a phone rather than the
// originals' megabytes. Only the four image types MistralChat accepts are decoded (never SVG, TIFF or HEIF, which
// sharp could also read), and the pixel count is capped before decoding: a small PNG can declare 20000x20000.
import sharp, { type Metadata } from 'sharp';
import { english, tr, type Text } from '../../i18n/text.ts';

/** A thumbnail fits inside 192x96: a thread shows them in rows 96 px high (72 on a phone), landscape ones wider. */
export const THUMBNAIL_WIDTH = 192;
export const THUMBNAIL_HEIGHT = 96;
/** 64 megapixels: a 48 MP phone photo (8064x6048) passes; a decompression bomb does not. */
export const MAX_INPUT_PIXELS = 64_000_000;
/**
 * WebP quality, measured (thumbnail.test.ts, test/support/images.ts): a grainy, detailed 1600x1200 photo (a worst
 * case) comes out at 1.6 KB at 128x96, a 1280x800 screenshot at 1.1 KB (154x96); at 160 px and quality 40 the photo
 * was 2.6 KB. A lone image is shown from its thumbnail; two or more from a contact sheet cut from these
 * (contact-sheet.ts), which is what keeps a thread with eight photos inside its page weight (bench/page-weight.ts).
 */
export const THUMBNAIL_QUALITY = 35;

/** `text`: what the person reads (issue 17), in their language where shown; `message`: its English. */
export class ThumbnailError extends Error {
  constructor(public text: Text, options?: { cause?: unknown }) {
    super(english(text), options);
    this.name = 'ThumbnailError';
  }
}

export type Thumbnail = { data: Buffer; mime: 'image/webp'; width: number; height: number; sourceWidth: number; sourceHeight: number };

const UNREADABLE = tr('files:image.unreadable');
const TOO_LARGE = tr('files:image.tooManyPixels', { max: MAX_INPUT_PIXELS / 1_000_000 });
const FORMATS = new Set(['png', 'jpeg', 'webp', 'gif']);

export async function makeThumbnail(bytes: Buffer): Promise<Thumbnail> {
  // animated: false (the default) reads the first frame of a GIF or WebP only.
  const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false });
  let meta: Metadata;
  try {
    meta = await input().metadata();
  } catch (err) {
    // sharp checks limitInputPixels against the header before decoding anything.
    if (/pixel limit/i.test((err as Error).message)) throw new ThumbnailError(TOO_LARGE, { cause: err });
    throw new ThumbnailError(UNREADABLE, { cause: err });
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw new ThumbnailError(tr('files:image.notImage'));
  }
  // An animated image reports the whole frame stack's height; the first frame's is pageHeight.
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > MAX_INPUT_PIXELS) {
    throw new ThumbnailError(TOO_LARGE);
  }
  // EXIF orientations 5-8 turn the image a quarter: the shown width and height swap.
  const turned = (meta.orientation ?? 1) >= 5;
  try {
    const { data, info } = await input()
      .autoOrient()
      .resize(THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: THUMBNAIL_QUALITY, effort: 6 })
      .toBuffer({ resolveWithObject: true });
    return {
      data, mime: 'image/webp', width: info.width, height: info.height,
      sourceWidth: turned ? height : width, sourceHeight: turned ? width : height,
    };
  } catch (err) {
    throw new ThumbnailError(UNREADABLE, { cause: err });
  }
}
