// Attachments from the outside: what Mistral (the fake) receives for each kind of file, how files are served and to
// whom, and that edits, later questions and shares keep them. Limits and refusals: files-limits.test.ts.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { bearer, shareOf, type Json } from '../support/shares.ts';
import { screenshotLike } from '../support/images.ts';
import { makePdf } from '../support/pdf.ts';

type Chunk = { type: string; text?: string; image_url?: string | { url: string } };
const lastUserContent = (t: ChatTestApp): Chunk[] | string => {
  const body = t.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: string | Chunk[] }> };
  return body.messages.filter((m) => m.role === 'user').at(-1)!.content;
};
const userContents = (t: ChatTestApp) => (t.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: string | Chunk[] }> }).messages.filter((m) => m.role === 'user').map((m) => m.content);
const imageUrl = (c: Chunk) => (typeof c.image_url === 'string' ? c.image_url : c.image_url?.url ?? '');

describe.each(DIALECTS)('attachments on %s', (dialect) => {
  let t: ChatTestApp;
  let me: Session;
  let other: Session;
  let png: Buffer;
  const pdf = makePdf(['Quarterly figures rose', 'Second page holds the appendix']);
  const code = 'def hello():\n    return "```fenced```"\n';

  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' });
    me = await signIn(t);
    other = await signIn(t);
    png = await screenshotLike(640, 400);
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); });

  async function sendWithFiles(threadId: string, content: string, files: Array<[Buffer, string]>) {
    t.fake.enqueue({ tokens: ['Seen.'] });
    let req = request(t.app).post(`/api/thread/${threadId}/messages`).set(bearer(me)).field('content', content);
    for (const [bytes, name] of files) req = req.attach('files', bytes, name);
    const res = await req;
    await t.gens.idle();
    return res;
  }
  const newThread = async () => (await request(t.app).post('/api/thread').set(bearer(me)).send({})).body.thread.id as string;

  it('an image goes as an image_url chunk, a PDF as its OCR text (read once, at upload), a code file fenced with its name', async () => {
    const id = await newThread();
    const res = await sendWithFiles(id, 'What do these say?', [[png, 'screen.png'], [pdf, 'report.pdf'], [Buffer.from(code), 'hello.py']]);
    expect(res.status).toBe(202);
    const atts = res.body.message.attachments as Json[];
    expect(atts.map((a) => [a.name, a.kind, a.type])).toEqual([['screen.png', 'image', 'image/png'], ['report.pdf', 'document', 'application/pdf'], ['hello.py', 'text', 'text/plain']]);
    expect(atts[0]).toMatchObject({ url: `/files/${atts[0].id}`, thumbnailUrl: `/files/${atts[0].id}/thumbnail`, size: png.length });
    expect(atts[1]).toMatchObject({ pages: 2, size: pdf.length });
    expect(atts[2].thumbnailUrl).toBeUndefined();

    expect(t.fake.ocr.requests).toHaveLength(1);
    const content = lastUserContent(t) as Chunk[];
    expect(content[0]).toEqual({ type: 'text', text: 'What do these say?' });
    expect(content[1].type).toBe('image_url');
    expect(imageUrl(content[1])).toBe(`data:image/png;base64,${png.toString('base64')}`);
    expect(content[2].type).toBe('text');
    expect(content[2].text).toContain('Document report.pdf (2 pages)');
    expect(content[2].text).toContain('Quarterly figures rose');
    expect(content[2].text).toContain('Second page holds the appendix');
    // The file's own ``` cannot close the fence around it.
    expect(content[3].text).toBe(`File hello.py:\n\`\`\`\`\n${code}\n\`\`\`\``);

    // The next question re-sends the earlier files (no second OCR); the thread shows them.
    await sendWithFiles(id, 'And now?', []);
    expect(t.fake.ocr.requests).toHaveLength(1);
    const [first, second] = userContents(t);
    expect((first as Chunk[]).map((c) => c.type)).toEqual(['text', 'image_url', 'text', 'text']);
    expect(second).toBe('And now?');
    // Exports name the files (their bytes stay here).
    const md = await request(t.app).get(`/api/thread/${id}/export?format=md`).set(bearer(me));
    expect(md.text).toContain('*Attached: screen.png, report.pdf (2 pages), hello.py*');
    const json = await request(t.app).get(`/api/thread/${id}/export?format=json`).set(bearer(me));
    expect(json.body.thread.messages[0].attachments).toEqual([
      { name: 'screen.png', type: 'image/png', size: png.length, kind: 'image' },
      { name: 'report.pdf', type: 'application/pdf', size: pdf.length, kind: 'document', pages: 2 },
      { name: 'hello.py', type: 'text/plain', size: code.length, kind: 'text' },
    ]);
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', me.cookie);
    expect(page.text).toContain(`src="/files/${atts[0].id}/thumbnail"`);
    expect(page.text).toContain(`href="/files/${atts[1].id}/text"`);
    expect(page.text).toMatch(/report\.pdf<\/span>\s*<span class="att-meta">2 pages · /);
  });

  it('past 8 images in a thread, the newest 8 are sent and the older ones are named; an OCR failure is worded like chat\'s', async () => {
    const id = await newThread();
    const shots = await Promise.all(Array.from({ length: 9 }, (_, i) => screenshotLike(200 + i * 8, 120)));
    expect((await sendWithFiles(id, 'first', [[shots[0], 'old.png']])).status).toBe(202);
    expect((await sendWithFiles(id, 'eight more', shots.slice(1).map((b, i) => [b, `new${i + 1}.png`] as [Buffer, string]))).status).toBe(202);
    const [first, second] = userContents(t) as Chunk[][];
    expect(first[1]).toEqual({ type: 'text', text: '[Image old.png is not sent again: Mistral takes at most 8 images in one request, so only the newest are sent.]' });
    expect(second.filter((c) => c.type === 'image_url')).toHaveLength(8);
    expect(imageUrl(second[8])).toBe(`data:image/png;base64,${shots[8].toString('base64')}`);

    for (const [status, words] of [[429, 'Mistral is rate limiting requests. Wait a moment, then retry.'], [401, 'Mistral refused the API key. Check your key in Settings, then retry.'], [500, 'Mistral is unavailable right now. Retry in a moment.']] as const) {
      t.fake.ocr.enqueue({ status });
      const res = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', me.cookie).field('_csrf', me.csrf).field('content', 'read this').attach('files', pdf, 'scan.pdf').attach('files', png, 'ok.png');
      expect(res.status).toBe(422);
      expect(res.text).toContain(`scan.pdf could not be read (OCR): ${words}`);
      expect(res.text).toContain('>read this</textarea>');
      expect(res.text).toMatch(/value="\d+" checked> ok\.png/);
    }
  });

  it('files are served to their owner only, typed by their bytes, never run; documents show their OCR text', async () => {
    const id = await newThread();
    const res = await sendWithFiles(id, 'files', [[png, 'pic.png'], [pdf, 'doc.pdf'], [Buffer.from('<script>alert(1)</script>\n'), 'page.html']]);
    const [img, doc, html] = res.body.message.attachments as Json[];

    const original = await request(t.app).get(`/files/${img.id}`).set(bearer(me)).buffer(true).parse((r, cb) => { const b: Buffer[] = []; r.on('data', (c: Buffer) => b.push(c)); r.on('end', () => cb(null, Buffer.concat(b))); });
    expect(original.status).toBe(200);
    expect(Buffer.compare(original.body as Buffer, png)).toBe(0);
    expect(original.headers['content-type']).toBe('image/png');
    expect(original.headers['x-content-type-options']).toBe('nosniff');
    expect(original.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(original.headers['content-disposition']).toMatch(/^inline; filename="pic.png"/);

    const thumb = await request(t.app).get(`/files/${img.id}/thumbnail`).set(bearer(me));
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(Number(thumb.headers['content-length'] ?? (thumb.body as Buffer).length)).toBeLessThan(png.length / 4);

    // HTML is text: a download as text/plain, never a page.
    const h = await request(t.app).get(`/files/${html.id}`).set(bearer(me));
    expect(h.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(h.headers['content-disposition']).toMatch(/^attachment; filename="page.html"/);
    const d = await request(t.app).get(`/files/${doc.id}`).set(bearer(me));
    expect(d.headers['content-type']).toBe('application/pdf');
    expect(d.headers['content-disposition']).toMatch(/^attachment/);

    const text = await request(t.app).get(`/files/${doc.id}/text`).set('Cookie', me.cookie);
    expect(text.status).toBe(200);
    expect(text.text).toContain('Quarterly figures rose');
    expect((await request(t.app).get(`/files/${img.id}/text`).set(bearer(me))).status).toBe(404);

    for (const path of [`/files/${img.id}`, `/files/${img.id}/thumbnail`, `/files/${doc.id}/text`]) {
      expect((await request(t.app).get(path).set(bearer(other))).status).toBe(404);
    }
    expect((await request(t.app).get('/files/99999999').set(bearer(me))).status).toBe(404);
    expect((await request(t.app).get(`/files/${img.id}`)).status).not.toBe(200);
  });

  it('an edit keeps the question\'s files; a share shows them to its readers, and only them', async () => {
    const id = await newThread();
    const res = await sendWithFiles(id, 'Describe it', [[png, 'a.png']]);
    const file = (res.body.message.attachments as Json[])[0];
    t.fake.enqueue({ tokens: ['Again.'] });
    const edited = await request(t.app).post(`/api/thread/${id}/messages/${res.body.message.id}/edit`).set(bearer(me)).send({ content: 'Describe it briefly' });
    expect(edited.status).toBe(202);
    await t.gens.idle();
    expect(edited.body.message.attachments.map((a: Json) => a.id)).toEqual([file.id]);
    expect(imageUrl((lastUserContent(t) as Chunk[])[1])).toBe(`data:image/png;base64,${png.toString('base64')}`);

    const { code } = await shareOf(t, me, id);
    const page = await request(t.app).get(`/s/${code}`);
    expect(page.text).toContain(`src="/s/${code}/files/${file.id}/thumbnail"`);
    const got = await request(t.app).get(`/s/${code}/files/${file.id}`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    // A file of the same owner that the share does not hold is not served through it.
    const elsewhere = await sendWithFiles(await newThread(), 'other', [[png, 'b.png']]);
    expect((await request(t.app).get(`/s/${code}/files/${elsewhere.body.message.attachments[0].id}`)).status).toBe(404);
  });

  it('deleting a thread deletes the files only it carried; deleting the user deletes all of theirs', async () => {
    const u = await signIn(t);
    const send = async (threadId: string) => {
      t.fake.enqueue({ tokens: ['ok'] });
      const r = await request(t.app).post(`/api/thread/${threadId}/messages`).set(bearer(u)).field('content', 'x').attach('files', png, 'p.png');
      await t.gens.idle();
      return r.body.message.attachments[0].id as number;
    };
    const t1 = (await request(t.app).post('/api/thread').set(bearer(u)).send({})).body.thread.id;
    const t2 = (await request(t.app).post('/api/thread').set(bearer(u)).send({})).body.thread.id;
    const f1 = await send(t1);
    const f2 = await send(t2);
    expect(await t.db('file_chunks').whereIn('file_id', [f1, f2]).count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    expect((await request(t.app).delete(`/api/thread/${t1}`).set(bearer(u))).status).toBe(204);
    expect(await t.db('files').where({ id: f1 }).first()).toBeUndefined();
    expect(await t.db('file_chunks').where({ file_id: f1 }).first()).toBeUndefined();
    expect(await t.db('files').where({ id: f2 }).first()).toBeDefined();

    const page = await request(t.app).get('/account').set('Cookie', u.cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const gone = await request(t.app).post('/account/delete').set('Cookie', u.cookie).type('form').send({ _csrf: csrf, confirm: u.user.email });
    expect(gone.status).toBeLessThan(400);
    expect(await t.db('files').where({ user_id: u.user.id }).first()).toBeUndefined();
    expect(await t.db('file_chunks').where({ file_id: f2 }).first()).toBeUndefined();
  });
});
