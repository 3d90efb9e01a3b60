// Contact sheets (issue 13's page-weight budget): a question with two images or more shows them from one small image
// per eight (files/contact-sheet.ts), each image a window onto its cell and a link to its original. Served like any
// file: to its owner (another's ids, unknown ids, non-images: 404), and through a share only for files it holds.
import request from 'supertest';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { bearer, shareOf, type Json } from '../support/shares.ts';
import { photoLike, screenshotLike } from '../support/images.ts';
import { makePdf } from '../support/pdf.ts';

const AVIF = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8'; // what Chromium sends for an <img>
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (c: Buffer) => parts.push(c));
  res.on('end', () => cb(null, Buffer.concat(parts)));
};

describe.each(DIALECTS)('contact sheets on %s', (dialect) => {
  let t: ChatTestApp;
  let me: Session;
  let other: Session;
  let images: Array<[Buffer, string]>;

  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0', FILES_PER_MESSAGE: '12' });
    me = await signIn(t);
    other = await signIn(t);
    images = await Promise.all([...Array(10).keys()].map(async (i) =>
      [i % 2 ? await screenshotLike(640 + i * 10, 400) : await photoLike(800, 600 + i * 20, i + 1), `image-${i}.${i % 2 ? 'png' : 'jpg'}`] as [Buffer, string]));
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); });

  async function send(session: Session, files: Array<[Buffer, string]>) {
    const threadId = (await request(t.app).post('/api/thread').set(bearer(session)).send({})).body.thread.id as string;
    t.fake.enqueue({ tokens: ['Seen.'] });
    let req = request(t.app).post(`/api/thread/${threadId}/messages`).set(bearer(session)).field('content', 'Look');
    for (const [bytes, name] of files) req = req.attach('files', bytes, name);
    const res = await req;
    await t.gens.idle();
    expect(res.status).toBe(202);
    return { threadId, ids: (res.body.message.attachments as Json[]).map((a) => a.id as number) };
  }
  const sheet = (path: string, session?: Session, accept = AVIF) => {
    const r = request(t.app).get(path).set('Accept', accept).buffer(true).parse(binary);
    return session ? r.set(bearer(session)) : r;
  };

  it('ten images: a sheet of eight and a sheet of two, each image a window onto its cell and a link to its original', async () => {
    const { threadId, ids } = await send(me, images);
    const page = await request(t.app).get(`/threads/${threadId}`).set('Cookie', me.cookie);
    const first = `/files/sheet/${ids.slice(0, 8).join('.')}`;
    const second = `/files/sheet/${ids.slice(8).join('.')}`;
    for (const [i, id] of ids.entries()) {
      const [src, cell, width] = i < 8 ? [first, i, 768] : [second, i - 8, 192];
      expect(page.text).toContain(`<a class="att-cell" href="/files/${id}"`);
      expect(page.text).toContain(`<img class="cell-${cell}" src="${src}" alt="image-${i}.${i % 2 ? 'png' : 'jpg'}" width="${width}" height="72"`);
    }
    expect(page.text).not.toContain('/thumbnail"');

    const res = await sheet(first, me);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/avif');
    expect(res.headers.vary).toContain('Accept');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe('sandbox');
    expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const meta = await sharp(res.body as Buffer).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['heif', 768, 72]);
    // Eight photos and screenshots in one image: a few KB, where eight thumbnails with headers were ~14 KB.
    expect((res.body as Buffer).length).toBeLessThan(8 * 1024);
    expect(Number(res.headers['content-length'])).toBe((res.body as Buffer).length);

    // Browsers without AVIF get WebP; anything else JPEG. The cells are the same.
    const webp = await sheet(second, me, 'image/webp,*/*');
    expect(webp.headers['content-type']).toBe('image/webp');
    expect(await sharp(webp.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 192, height: 72 });
    const jpeg = await sheet(second, me, '*/*');
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(jpeg.body as Buffer).metadata()).format).toBe('jpeg');
  });

  it('one image keeps its own thumbnail; the API still gives every image its thumbnailUrl', async () => {
    const { threadId, ids } = await send(me, images.slice(0, 1));
    const page = await request(t.app).get(`/threads/${threadId}`).set('Cookie', me.cookie);
    expect(page.text).toContain(`src="/files/${ids[0]}/thumbnail"`);
    expect(page.text).not.toContain('/files/sheet/');
    const two = await send(me, images.slice(0, 2));
    const json = await request(t.app).get(`/api/thread/${two.threadId}`).set(bearer(me));
    const atts = (json.body.messages as Json[]).flatMap((m) => (m.attachments as Json[] | undefined) ?? []);
    expect(atts.map((a) => a.thumbnailUrl)).toEqual(two.ids.map((id) => `/files/${id}/thumbnail`));
  });

  it('another user\'s ids, unknown ids, a document, repeated or malformed ids: 404; signed out: not served', async () => {
    const mine = await send(me, images.slice(0, 2));
    const theirs = await send(other, images.slice(2, 4));
    const doc = await send(me, [[makePdf(['One page']), 'one.pdf'], ...images.slice(4, 5)]);
    for (const path of [
      `/files/sheet/${theirs.ids.join('.')}`, `/files/sheet/${mine.ids[0]}.${theirs.ids[0]}`, `/files/sheet/${mine.ids[0]}.99999999`,
      `/files/sheet/${doc.ids.join('.')}`, `/files/sheet/${mine.ids[0]}.${mine.ids[0]}`, `/files/sheet/${mine.ids.join(',')}`,
      `/files/sheet/${[...Array(9).keys()].map((i) => mine.ids[0] + i).join('.')}`, '/files/sheet/', '/files/sheet/1.',
    ]) {
      expect((await sheet(path, me)).status, path).toBe(404);
    }
    expect((await sheet(`/files/sheet/${mine.ids.join('.')}`, other)).status).toBe(404);
    expect((await sheet(`/files/sheet/${mine.ids.join('.')}`)).status).not.toBe(200);
  });

  it('a share serves the sheet of the files it holds, and nothing of the owner\'s other files', async () => {
    const { threadId, ids } = await send(me, images.slice(0, 3));
    const elsewhere = await send(me, images.slice(3, 5));
    const { code } = await shareOf(t, me, threadId);
    const page = await request(t.app).get(`/s/${code}`);
    expect(page.text).toContain(`src="/s/${code}/files/sheet/${ids.join('.')}"`);
    const got = await sheet(`/s/${code}/files/sheet/${ids.join('.')}`);
    expect(got.status).toBe(200);
    expect((await sharp(got.body as Buffer).metadata()).width).toBe(288);
    expect((await sheet(`/s/${code}/files/sheet/${ids[0]}.${elsewhere.ids[0]}`)).status).toBe(404);
    expect((await sheet(`/s/${code}/files/sheet/${elsewhere.ids.join('.')}`)).status).toBe(404);
  });
});
