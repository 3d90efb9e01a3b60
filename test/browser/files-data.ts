// Threads with attachments, written straight into the tables the way a send stores them (chat/attachments.ts:
// type from the bytes, a server-made thumbnail, the bytes in file_chunks, linked to the question), without OCR or a
// browser upload: for the page checks (pages.ts) and the page-weight bench.
import type { Db } from '../../src/db.ts';
import { detectFile } from '../../src/features/files/detect.ts';
import { attachmentOf, insertFile, type Attachment, type NewFile } from '../../src/features/files/files.repo.ts';
import { databaseStore, piecesOf } from '../../src/features/files/storage.ts';
import { makeThumbnail } from '../../src/features/files/thumbnail.ts';
import { insertExchange, saveFinal } from '../../src/features/chat/messages.repo.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { photoLike, screenshotLike } from '../support/images.ts';
import { makePdf } from '../support/pdf.ts';

/** Stores one file for the user as an upload would be stored (pending until a message carries it). */
export async function storeFile(db: Db, userId: number, bytes: Buffer, name: string, doc?: { text: string; pages: number }): Promise<Attachment> {
  const detected = detectFile(bytes, name);
  if (detected.kind === 'refused') throw new Error(`${name}: ${detected.reason.key}`);
  const file: NewFile = { userId, name, mime: detected.mime, kind: detected.kind, size: bytes.length, pages: doc?.pages ?? null,
    width: null, height: null, thumbWidth: null, thumbHeight: null, text: doc?.text ?? (detected.kind === 'text' ? detected.text : null) };
  const thumb = detected.kind === 'image' ? await makeThumbnail(bytes) : null;
  if (thumb) Object.assign(file, { width: thumb.sourceWidth, height: thumb.sourceHeight, thumbWidth: thumb.width, thumbHeight: thumb.height });
  const store = databaseStore(db);
  const id = await db.transaction(async (trx) => {
    const fileId = await insertFile(trx, file);
    await store.write(trx, fileId, 'original', piecesOf(bytes));
    if (thumb) await store.write(trx, fileId, 'thumbnail', piecesOf(thumb.data));
    return fileId;
  });
  return attachmentOf({ ...file, id, createdAt: new Date(), sentAt: null });
}

/** Eight pictures people attach: four photos (different scenes and shapes) and four screenshots (desktop and phone). */
let pictures: Promise<Array<[Buffer, string]>> | undefined;
export function eightPictures(): Promise<Array<[Buffer, string]>> {
  // Made once per process: the page checks visit this thread a dozen times.
  pictures ??= Promise.all([
    photoLike(1600, 1200, 7).then((b) => [b, 'garden.jpg'] as [Buffer, string]),
    photoLike(1200, 1600, 11).then((b) => [b, 'hedge-portrait.jpg'] as [Buffer, string]),
    photoLike(2000, 1125, 23).then((b) => [b, 'hills-wide.jpg'] as [Buffer, string]),
    photoLike(1024, 1024, 42).then((b) => [b, 'square.jpg'] as [Buffer, string]),
    screenshotLike(1280, 800).then((b) => [b, 'screenshot.png'] as [Buffer, string]),
    screenshotLike(1920, 1080).then((b) => [b, 'full-hd.png'] as [Buffer, string]),
    screenshotLike(1170, 2532).then((b) => [b, 'phone-screen.png'] as [Buffer, string]),
    screenshotLike(800, 600).then((b) => [b, 'small-window.png'] as [Buffer, string]),
  ]);
  return pictures;
}

/** Eight photos (the heavier thumbnails: grain and foliage), of different scenes and shapes: the page-weight worst case. */
let photos: Promise<Array<[Buffer, string]>> | undefined;
export function eightPhotos(): Promise<Array<[Buffer, string]>> {
  const shapes: Array<[number, number]> = [[1600, 1200], [1200, 1600], [2000, 1125], [1024, 1024], [4032, 3024], [3024, 4032], [1920, 1080], [800, 600]];
  photos ??= Promise.all(shapes.map(([w, h], i) => photoLike(w, h, 101 + i * 37).then((b) => [b, `photo-${i + 1}.jpg`] as [Buffer, string])));
  return photos;
}

export const FILES_THREAD_TITLE = 'Holiday photos and the report';
export const REPORT_PAGES = ['Quarterly figures rose', 'Second page holds the appendix'];

/**
 * A thread whose question carries eight images (thumbnails in the page: four photos and four screenshots, or with
 * `photosOnly` eight photos) and, with `pdf`, a two-page PDF, answered.
 * Returns its path.
 */
export async function filesThread(db: Db, userId: number, opts: { pdf?: boolean; photosOnly?: boolean } = { pdf: true }): Promise<string> {
  const files: Attachment[] = [];
  for (const [bytes, name] of await (opts.photosOnly ? eightPhotos() : eightPictures())) files.push(await storeFile(db, userId, bytes, name));
  if (opts.pdf) files.push(await storeFile(db, userId, makePdf(REPORT_PAGES), 'quarterly-report.pdf', { text: REPORT_PAGES.join('\n\n'), pages: REPORT_PAGES.length }));
  const thread = await createThread(db, userId, { title: FILES_THREAD_TITLE });
  const { reply } = (await insertExchange(db, thread.id, 'Which of these photos fits the report best?', 'mistral-small-latest', { files }))!;
  await saveFinal(db, reply.id, { content: 'The wide shot of the hills: it has room for a title, and its greens match the report\'s charts.', thinking: null, status: 'complete' });
  return `/threads/${thread.id}`;
}
