// Attachments refused: wrong type, too large, too many, over the user's total, a model that cannot see, no CSRF.
// Each refusal says what happened and keeps the typed text and the other files (stored as pending, shown ticked).
import request from 'supertest';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { purgeAuthData } from '../../src/maintenance.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { bearer } from '../support/shares.ts';

type Chunk = { type: string; text?: string };
const keptIds = (html: string) => [...html.matchAll(/name="keep" value="(\d+)" checked/g)].map((m) => Number(m[1]));

describe.each(DIALECTS)('attachment limits on %s', (dialect) => {
  let t: ChatTestApp;
  let me: Session;
  let png: Buffer;
  const evil = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');

  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0', FILE_MAX_BYTES: '4096', FILES_PER_MESSAGE: '2', FILES_MAX_BYTES_PER_USER: '8000' });
    me = await signIn(t);
    png = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#3366cc' } }).png().toBuffer();
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); });

  const newThread = async (s: Session = me, body: object = {}) => (await request(t.app).post('/api/thread').set(bearer(s)).send(body)).body.thread.id as string;
  const form = (s: Session, threadId: string) => request(t.app).post(`/threads/${threadId}/messages`).set('Cookie', s.cookie).field('_csrf', s.csrf);
  const fileCount = async (userId: number) => Number((await t.db('files').where({ user_id: userId }).count({ n: '*' }).first())!.n);

  it('without JavaScript, an HTML file named .png is refused; the text and the good file stay for the next send', async () => {
    const id = await newThread();
    const refused = await form(me, id).field('content', 'Keep my words').attach('files', png, 'good.png').attach('files', evil, 'evil.png');
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('>Keep my words</textarea>');
    expect(refused.text).toMatch(/evil\.png is not a PNG, JPEG, WebP or GIF image/);
    expect(refused.text).toContain('Your text and the other files are still here.');
    const kept = keptIds(refused.text);
    expect(kept).toHaveLength(1);
    expect(refused.text).toMatch(/value="\d+" checked> good\.png/);
    expect(await t.db('messages').where({ thread_id: id }).first()).toBeUndefined();

    t.fake.enqueue({ tokens: ['Nice.'] });
    const sent = await form(me, id).field('content', 'Keep my words').field('keep', String(kept[0]));
    expect(sent.status).toBe(303);
    await t.gens.idle();
    const question = await t.db('messages').where({ thread_id: id, role: 'user' }).first();
    expect(JSON.parse(question.attachments).map((a: { id: number }) => a.id)).toEqual(kept);
    expect((await t.db('files').where({ id: kept[0] }).first()).sent_at).not.toBeNull();
    expect(((t.fake.chatRequests.at(-1)!.body as { messages: Array<{ content: Chunk[] }> }).messages.at(-1)!.content).map((c) => c.type)).toEqual(['text', 'image_url']);
    // A kept file already sent is not taken again by a stale form.
    t.fake.enqueue({ tokens: ['Again.'] });
    await form(me, id).field('content', 'stale form').field('keep', String(kept[0]));
    await t.gens.idle();
    const last = await t.db('messages').where({ thread_id: id, role: 'user' }).orderBy('id', 'desc').first();
    expect(last.attachments).toBeNull();
  });

  it('a file over FILE_MAX_BYTES and one past FILES_PER_MESSAGE are refused with 413; the others are kept', async () => {
    const id = await newThread();
    const big = await form(me, id).field('content', 'big one').attach('files', Buffer.alloc(5000, 'a'), 'huge.txt').attach('files', png, 'fine.png');
    expect(big.status).toBe(413);
    expect(big.text).toContain('huge.txt is larger than 4 KB, the limit for a file.');
    expect(big.text).toContain('>big one</textarea>');
    expect(keptIds(big.text)).toHaveLength(1);
    // In French, the limit is in French units.
    const fr = await form(me, id).set('Accept-Language', 'fr').field('content', 'gros').attach('files', Buffer.alloc(5000, 'a'), 'huge.txt');
    expect(fr.status).toBe(413);
    expect(fr.text).toContain('4 Ko');
    expect(fr.text).not.toContain('4 KB');

    const many = await form(me, id).field('content', 'many').attach('files', png, 'one.png').attach('files', png, 'two.png').attach('files', png, 'three.png');
    expect(many.status).toBe(413);
    expect(many.text).toContain('A message takes at most 2 files; three.png was left out.');
    expect(keptIds(many.text)).toHaveLength(2);
    // Kept files count against the limit too.
    const again = await form(me, id).field('content', 'many').field('keep', keptIds(many.text).map(String)).attach('files', png, 'four.png');
    expect(again.status).toBe(413);
    expect(again.text).toContain('four.png was left out');
  });

  it('over FILES_MAX_BYTES_PER_USER, the file that does not fit is refused', async () => {
    const u = await signIn(t);
    const id = await newThread(u);
    const res = await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(u)).field('content', 'fill')
      .attach('files', Buffer.alloc(4000, 'x'), 'a.txt').attach('files', Buffer.alloc(4000, 'y'), 'b.txt');
    expect(res.status).toBe(202);
    const more = await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(u)).field('content', 'more').attach('files', Buffer.alloc(100, 'z'), 'c.txt');
    await t.gens.idle();
    expect(more.status).toBe(413);
    expect(more.body.error.message).toMatch(/c\.txt does not fit: your files may take 7.8 KB in all/);
  });

  it('an image for a model without vision names the models that can see; the history leaves its images out', async () => {
    const id = await newThread(me, { model: 'codestral-latest' });
    const res = await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(me)).field('content', 'look').attach('files', png, 'p.png');
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('codestral-latest cannot see images. Models that can: mistral-small-latest.');

    // An image sent earlier to a seeing model is named, not sent, when a blind model answers later.
    const seeing = await newThread(me);
    t.fake.enqueue({ tokens: ['ok'] });
    expect((await request(t.app).post(`/api/thread/${seeing}/messages`).set(bearer(me)).field('content', 'see').attach('files', png, 'p.png')).status).toBe(202);
    await t.gens.idle();
    await request(t.app).patch(`/api/thread/${seeing}`).set(bearer(me)).send({ model: 'codestral-latest' });
    t.fake.enqueue({ tokens: ['ok'] });
    expect((await request(t.app).post(`/api/thread/${seeing}/messages`).set(bearer(me)).send({ content: 'and?' })).status).toBe(202);
    await t.gens.idle();
    const first = (t.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: Chunk[] | string }> }).messages.find((m) => m.role === 'user')!.content as Chunk[];
    expect(first.map((c) => c.type)).toEqual(['text', 'text']);
    expect(first[1].text).toBe('[Image p.png is not sent again: this model cannot see images.]');
  });

  it('htmx gets the composer back with the error, the text and the kept files; the JSON API says 422 with the reason', async () => {
    const id = await newThread();
    const res = await form(me, id).set('HX-Request', 'true').field('content', '').attach('files', png, 'p.png');
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/^\s*<form id="composer"/);
    expect(res.text).toContain('Write a message first.');
    expect(keptIds(res.text)).toHaveLength(1);

    const api = await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(me)).field('content', 'x').attach('files', evil, 'x.png');
    expect(api.status).toBe(422);
    expect(api.body.error.message).toMatch(/x\.png is not a PNG/);
  });

  it('without the CSRF token nothing is stored; a new chat by the API takes content and files', async () => {
    const id = await newThread();
    const before = await fileCount(me.user.id);
    const res = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', me.cookie).field('content', 'no token').attach('files', png, 'p.png');
    expect(res.status).toBe(403);
    expect(await fileCount(me.user.id)).toBe(before);

    t.fake.enqueue({ tokens: ['ok'] });
    const created = await request(t.app).post('/api/thread').set(bearer(me)).field('content', 'first with a file').attach('files', png, 'p.png');
    expect(created.status).toBe(201);
    expect(created.body.thread.id).toMatch(/\w+/);
    expect(created.body.message.attachments).toHaveLength(1);
    await t.gens.idle();
  });

  it('a new chat without JavaScript carries its files; another user\'s kept file id is ignored', async () => {
    const stranger = await signIn(t);
    const theirs = await request(t.app).post(`/api/thread/${await newThread(stranger)}/messages`).set(bearer(stranger)).field('content', '').attach('files', png, 'theirs.png');
    const theirId = keptIds(theirs.text).concat((await t.db('files').where({ user_id: stranger.user.id }).select('id')).map((r) => Number(r.id)))[0];
    t.fake.enqueue({ tokens: ['ok'] });
    const res = await request(t.app).post('/threads').set('Cookie', me.cookie).field('_csrf', me.csrf).field('content', 'new chat with a picture')
      .field('keep', String(theirId)).attach('files', png, 'mine.png');
    expect(res.status).toBe(303);
    await t.gens.idle();
    const threadId = /\/threads\/([^?#/]+)/.exec(res.headers.location)![1];
    const question = await t.db('messages').where({ thread_id: threadId, role: 'user' }).first();
    expect(JSON.parse(question.attachments).map((a: { name: string }) => a.name)).toEqual(['mine.png']);
    expect((await t.db('files').where({ id: theirId }).first()).sent_at).toBeNull();
  });

  it('files of a refused send are purged after a day if never sent; sent files stay', async () => {
    const u = await signIn(t);
    const id = await newThread(u);
    const res = await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(u)).field('content', '').attach('files', png, 'p.png');
    expect(res.status).toBe(422);
    t.fake.enqueue({ tokens: ['ok'] });
    await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(u)).field('content', 'sent').attach('files', png, 'q.png');
    await t.gens.idle();
    expect(await fileCount(u.user.id)).toBe(2);
    await purgeAuthData(t.db);
    expect(await fileCount(u.user.id)).toBe(2);
    await t.db('files').where({ user_id: u.user.id }).update({ created_at: new Date(Date.now() - 25 * 3600 * 1000) });
    const purged = await purgeAuthData(t.db);
    expect(purged.files).toBeGreaterThanOrEqual(1);
    expect((await t.db('files').where({ user_id: u.user.id }).select('name')).map((r) => r.name)).toEqual(['q.png']);
  });
});
