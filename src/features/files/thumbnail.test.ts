import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { photoLike, pngDeclaring, screenshotLike } from '../../../test/support/images.ts';
import { makeThumbnail, ThumbnailError } from './thumbnail.ts';

const colourAt = async (webp: Buffer, x: number, y: number) => {
  const { data, info } = await sharp(webp).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return [data[i], data[i + 1], data[i + 2]];
};

describe('makeThumbnail', () => {
  it('fits a screenshot and a photo inside 192x96 as small WebP files (sizes logged for the page budget)', async () => {
    const shot = await makeThumbnail(await screenshotLike(1280, 800));
    const photo = await makeThumbnail(await photoLike(1600, 1200));
    expect(shot).toMatchObject({ mime: 'image/webp', width: 154, height: 96, sourceWidth: 1280, sourceHeight: 800 });
    expect(photo).toMatchObject({ width: 128, height: 96, sourceWidth: 1600, sourceHeight: 1200 });
    expect((await sharp(shot.data).metadata()).format).toBe('webp');
    console.log(`thumbnail bytes: screenshot-like ${shot.data.length}, photo-like ${photo.data.length}`);
    // Eight thumbnails must fit a 40 KB thread page with room for the rest of the page.
    expect(shot.data.length).toBeLessThanOrEqual(1300);
    expect(photo.data.length).toBeLessThanOrEqual(2000);
  });

  it('never enlarges a small image, and keeps a tall one tall', async () => {
    const small = await makeThumbnail(await sharp({ create: { width: 40, height: 30, channels: 3, background: '#09f' } }).png().toBuffer());
    expect(small).toMatchObject({ width: 40, height: 30, sourceWidth: 40, sourceHeight: 30 });
    const tall = await makeThumbnail(await screenshotLike(1170, 2532));
    expect(tall).toMatchObject({ width: 44, height: 96 });
  });

  it('turns a photo by its EXIF orientation', async () => {
    // 200x100 pixels stored, orientation 6 (rotate 90° clockwise to show): the person sees it 100 wide, 200 tall.
    const left = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#f00' } }).png().toBuffer();
    const stored = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#00f' } })
      .composite([{ input: left, left: 0, top: 0 }]).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const t = await makeThumbnail(stored);
    expect(t).toMatchObject({ width: 48, height: 96, sourceWidth: 100, sourceHeight: 200 });
    // The stored left half (red) is on top once turned clockwise.
    const [r, , b] = await colourAt(t.data, 24, 12);
    expect(r).toBeGreaterThan(200); expect(b).toBeLessThan(60);
  });

  it('shows the first frame of an animated GIF', async () => {
    // Two 60x40 frames stacked: green then red.
    const frames = Buffer.alloc(60 * 80 * 3);
    for (let i = 0; i < 60 * 80; i++) frames.set(i < 60 * 40 ? [0, 200, 0] : [220, 0, 0], i * 3);
    const gif = await sharp(frames, { raw: { width: 60, height: 80, channels: 3, pageHeight: 40 } }).gif({ delay: [100, 100] }).toBuffer();
    expect((await sharp(gif, { animated: true }).metadata()).pages).toBe(2);
    const t = await makeThumbnail(gif);
    expect(t).toMatchObject({ width: 60, height: 40, sourceWidth: 60, sourceHeight: 40 });
    const [r, g] = await colourAt(t.data, 30, 20);
    expect(g).toBeGreaterThan(150); expect(r).toBeLessThan(60);
  });

  it('refuses a decompression bomb (a PNG declaring 20000x20000) before decoding it', async () => {
    const started = Date.now();
    const err = await makeThumbnail(pngDeclaring(20000, 20000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThumbnailError);
    expect((err as Error).message).toBe('This image has too many pixels to show. Choose an image under 64 megapixels.');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('throws ThumbnailError with a sentence for people for a corrupt image, text, and an SVG', async () => {
    const png = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#abc' } }).png().toBuffer();
    for (const bad of [png.subarray(0, 60), Buffer.from('not an image at all')]) {
      const err = await makeThumbnail(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ThumbnailError);
      expect((err as Error).message).toBe('This image could not be read: it may be damaged or not an image. Choose another file.');
    }
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expect(makeThumbnail(svg)).rejects.toThrow('This image is not a PNG, JPEG, WebP or GIF image. Choose another file.');
  });
});
