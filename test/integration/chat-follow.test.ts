// The page that follows an answer without JavaScript (src/features/chat/follow.ts), read over real HTTP piece by
// piece: the page head at once, the answer's blocks as they arrive, the final answer, footer and composer at the end,
// and the response closed when the answer ends. A finished, unknown or foreign ?follow= is just the page.
import http from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

type Piece = { at: number; text: string };
type Read = { status: number; headers: http.IncomingHttpHeaders; pieces: Piece[]; text: string; ended: boolean };

/** Every piece of a response with the time it arrived; `ended` is true when the server closed the body itself. */
function readPieces(url: string, cookie: string, timeoutMs = 15_000): Promise<Read> {
  return new Promise((resolve, reject) => {
    const pieces: Piece[] = [];
    const req = http.get(url, { headers: { Cookie: cookie, 'Accept-Encoding': 'identity' } }, (res) => {
      res.setEncoding('utf8');
      const done = (ended: boolean) => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, headers: res.headers, pieces, text: pieces.map((p) => p.text).join(''), ended }); };
      const timer = setTimeout(() => { req.destroy(); done(false); }, timeoutMs);
      res.on('data', (text: string) => pieces.push({ at: Date.now(), text }));
      res.on('end', () => done(true));
    });
    req.on('error', reject);
  });
}

/** How much of the response had arrived by `time`. */
const upTo = (r: Read, time: number) => r.pieces.filter((p) => p.at <= time).map((p) => p.text).join('');

describe.each(DIALECTS)('following an answer without JavaScript on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  async function send(content: string, path = '/threads') {
    const res = await request(t.app).post(path).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content });
    expect(res.status).toBe(303);
    const [, threadId, replyId] = /\/threads\/([\w-]+)\?follow=(\d+)#m-\d+$/.exec(res.headers.location)!;
    return { threadId, replyId: Number(replyId), location: res.headers.location.split('#')[0] };
  }

  it('sends the page at once, each finished block as it arrives, the final answer last, then closes', async () => {
    t.fake.enqueue({ tokens: ['First **block**.\n\n', 'Second block.\n\n', 'Third', ' and last.'], tokenDelayMs: 400 });
    const { threadId, replyId, location } = await send('Three blocks please');
    const r = await readPieces(`${t.baseUrl}${location}`, s.cookie);
    expect(r.status).toBe(200);
    expect(r.ended).toBe(true);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['x-accel-buffering']).toBe('no');
    expect(r.headers['cache-control']).toMatch(/no-store/);
    const last = t.fake.lastTokenAt.at(-1)!;
    // Before the upstream's last token: the page head, the question, the usable composer and Stop, but no final footer.
    const early = upTo(r, last - 300);
    expect(early).toMatch(/^<!doctype html>/i);
    expect(early).toContain('Three blocks please');
    expect(early).toMatch(/<form id="composer"[^>]*action="\/threads\/[\w-]+\/messages"/);
    expect(early).toContain(`/messages/${replyId}/stop"`);
    expect(early).not.toContain('<footer class="msg-foot"');
    expect(early).not.toContain('<p>Third');
    expect(early).not.toContain('http-equiv="refresh"');
    // The finished blocks came in their own pieces while the upstream was still writing.
    const firstBlock = r.pieces.find((p) => p.text.includes('<p>First <strong>block</strong>.</p>'))!;
    const secondBlock = r.pieces.find((p) => p.text.includes('<p>Second block.</p>'))!;
    expect(firstBlock.at).toBeLessThan(last);
    expect(secondBlock.at).toBeLessThan(last);
    expect(secondBlock.at).toBeGreaterThan(firstBlock.at);
    // The end: the last block, the final footer, the rest of the page; and the answer saved complete.
    expect(r.text).toContain('<p>Third and last.</p>');
    expect(r.text).toMatch(new RegExp(`<footer class="msg-foot" id="ft-${replyId}" data-source="/threads/${threadId}/messages/${replyId}/source">`));
    expect(r.text).toMatch(/<\/html>\s*$/);
    expect(r.text.indexOf('<p>Third and last.</p>')).toBeGreaterThan(r.text.indexOf('<p>Second block.</p>'));
    expect(await t.db('messages').where({ id: replyId }).first()).toMatchObject({ status: 'complete', content: 'First **block**.\n\nSecond block.\n\nThird and last.' });
    // No thinking, no Thinking box (text browsers would show an empty one).
    expect(r.text).not.toContain('class="thinking"');
  });

  it('writes the unfinished paragraph as a CSS-only draft, and the thinking into its box as it arrives', async () => {
    t.fake.enqueue({ tokens: ['A long ', 'paragraph ', 'written ', 'slowly.'], tokenDelayMs: 400 });
    const plain = await send('One slow paragraph');
    const r = await readPieces(`${t.baseUrl}${plain.location}`, s.cookie);
    const early = upTo(r, t.fake.lastTokenAt.at(-1)! - 100);
    expect(early).toMatch(/<span class="ftail" data-text="A long paragraph( written)?"><\/span>/);
    expect(early).not.toContain('<p>A long');
    expect(r.text).toContain('<p>A long paragraph written slowly.</p>');

    t.fake.enqueue({ thinking: ['Let me ', 'think <hard>.'], tokens: ['The ', 'answer.'], tokenDelayMs: 300 });
    const { replyId, location } = await send('Think first');
    const th = await readPieces(`${t.baseUrl}${location}`, s.cookie);
    expect(th.ended).toBe(true);
    const box = `<details class="thinking" id="thd-${replyId}"><summary>Thinking</summary><div class="thinking-text" id="th-${replyId}">`;
    const before = upTo(th, t.fake.lastTokenAt.at(-1)! - 400);
    expect(before).toContain(`${box}Let me think &lt;hard&gt;.`);
    expect(before).not.toContain('answer.');
    const first = th.pieces.findIndex((p) => p.text.includes('Let me '));
    const second = th.pieces.findIndex((p) => p.text.includes('think &lt;hard&gt;.'));
    expect(second).toBeGreaterThan(first);
    expect(th.text).toMatch(new RegExp(`Let me think &lt;hard&gt;.</div></details>\\s*<div class="md" id="md-${replyId}">`));
    expect(th.text).toContain('<p>The answer.</p>');
  });

  it('opened mid-answer, starts from what is written and carries only the rest', async () => {
    t.fake.enqueue({ tokens: ['Already here.\n\n', 'Still', ' to come.'], tokenDelayMs: 1500 });
    const { replyId, location } = await send('Join me halfway');
    await waitFor(async () => (await t.db('messages').where({ id: replyId }).first()).content === 'Already here.\n\nStill');
    const r = await readPieces(`${t.baseUrl}${location}`, s.cookie);
    expect(r.ended).toBe(true);
    expect(r.text.split('<p>Already here.</p>')).toHaveLength(2);
    expect(r.text.split('<p>Still to come.</p>')).toHaveLength(2);
    const early = upTo(r, t.fake.lastTokenAt.at(-1)! - 200);
    expect(early).toContain('<p>Already here.</p>');
    expect(early).not.toContain('to come.');
  });

  it('ends with the stopped footer when the answer is stopped while followed', async () => {
    t.fake.enqueue({ tokens: ['Part one.\n\n', 'part two'], tokenDelayMs: 20, hang: true });
    const { threadId, replyId, location } = await send('Hang on');
    const reading = readPieces(`${t.baseUrl}${location}`, s.cookie);
    await waitFor(async () => (await t.db('messages').where({ id: replyId }).first()).content === 'Part one.\n\npart two');
    const stop = await request(t.app).post(`/threads/${threadId}/messages/${replyId}/stop`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf });
    expect(stop.status).toBe(303);
    const r = await reading;
    expect(r.ended).toBe(true);
    expect(r.text).toContain('<p>part two</p>');
    expect(r.text).toContain('Stopped.');
    expect(r.text).toMatch(/<\/html>\s*$/);
  });

  it('reloaded after the answer ended, ?follow= is the ordinary page', async () => {
    t.fake.enqueue({ tokens: ['Done already.'] });
    const { threadId, replyId, location } = await send('Quick one');
    await t.gens.idle();
    const followed = await request(t.app).get(location).set('Cookie', s.cookie);
    const plain = await request(t.app).get(`/threads/${threadId}`).set('Cookie', s.cookie);
    expect(followed.status).toBe(200);
    const strip = (html: string) => html.replace(/value="[\w-]{20,}"/g, '').replace(/"X-CSRF-Token": "[^"]+"/g, '');
    expect(strip(followed.text)).toBe(strip(plain.text));
    expect(followed.text).toMatch(new RegExp(`<footer class="msg-foot" id="ft-${replyId}" data-source="/threads/${threadId}/messages/${replyId}/source">`));
    expect(followed.text).not.toContain('live-foot');
    // The composer after the messages, as on every thread page.
    expect(followed.text.indexOf('id="composer"')).toBeGreaterThan(followed.text.indexOf('id="messages"'));
  });

  it('?follow= with an unknown id or another user\'s live answer is just the page: nothing leaks, nothing waits', async () => {
    t.fake.enqueue({ tokens: ['Mine only.'] });
    const mine = await send('My own');
    await t.gens.idle();
    const other = await signIn(t);
    t.fake.enqueue({ tokens: ['Secret ', 'answer.\n\n', 'More secret.'], tokenDelayMs: 20, hang: true });
    const res = await request(t.app).post('/threads').set('Cookie', other.cookie).type('form').send({ _csrf: other.csrf, content: 'Other user asks' });
    const [, otherThread, otherReply] = /\/threads\/([\w-]+)\?follow=(\d+)/.exec(res.headers.location)!;
    await waitFor(async () => (await t.db('messages').where({ id: Number(otherReply) }).first()).content.includes('More secret'));
    for (const q of [`?follow=${otherReply}`, '?follow=999999', '?follow=abc']) {
      const r = await readPieces(`${t.baseUrl}/threads/${mine.threadId}${q}`, s.cookie, 3000);
      expect(r.status, q).toBe(200);
      expect(r.ended, q).toBe(true);
      expect(r.text, q).toContain('Mine only.');
      expect(r.text, q).not.toMatch(/Secret|Other user asks|live-foot/);
    }
    // Their thread itself is not found for us, followed or not.
    const foreign = await readPieces(`${t.baseUrl}/threads/${otherThread}?follow=${otherReply}`, s.cookie, 3000);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('Secret');
    await request(t.app).post(`/threads/${otherThread}/messages/${otherReply}/stop`).set('Cookie', other.cookie).type('form').send({ _csrf: other.csrf });
  });

  it('the new-chat composer sends by htmx with JavaScript on: a redirect to the SSE page, or the form again with its error', async () => {
    t.fake.enqueue({ tokens: ['By htmx.'] });
    const ok = await request(t.app).post('/threads').set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ content: 'With JS' });
    expect(ok.status).toBe(204);
    expect(ok.headers['hx-redirect']).toMatch(/^\/threads\/[\w-]+#m-\d+$/);
    const empty = await request(t.app).post('/threads').set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ content: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.headers['hx-retarget']).toBe('#composer');
    expect(empty.text).not.toContain('<!doctype html>');
    expect(empty.text).toContain('Write a message first.');
    expect(empty.text).toMatch(/<form id="composer"[^>]*hx-post="\/threads" hx-swap="none"/);
    await t.gens.idle();
  });
});
