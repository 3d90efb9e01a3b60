// Copy and Dismiss (issue 10, items 14 and 15): an answer's Copy copies its markdown source, fetched on click from
// an owner-only plain-text route named by the answer's footer; the buttons themselves are added by app.js, so pages
// without the script (and text browsers) carry none; an answer with no text offers nothing to copy.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

const SOURCE = 'The area is $A = \\pi r^2$.\n\n```js\nconst x = 1 < 2 && "a";\n```\n\n$$\\sum_{k=1}^{n} k$$\n';

/** The footer of one answer on a page or in an event. */
const footerOf = (html: string, mid: string) => new RegExp(`<footer class="msg-foot" id="ft-${mid}"[^>]*>`).exec(html)?.[0] ?? '(no footer)';

describe.each(DIALECTS)('copying answers on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let other: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); other = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  async function newChat(reply: Parameters<ChatTestApp['fake']['enqueue']>[0]) {
    t.fake.enqueue(reply);
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'go' });
    const [, id, mid] = /\/threads\/([\w-]+)\?follow=(\d+)/.exec(res.headers.location)!;
    await t.gens.idle();
    return { id, mid };
  }

  it("the source route gives the answer's markdown as written, as plain text, to its owner only", async () => {
    const { id, mid } = await newChat({ tokens: SOURCE.match(/[\s\S]{1,5}/g)! });
    const path = `/threads/${id}/messages/${mid}/source`;
    const res = await request(t.app).get(path).set('Cookie', s.cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toBe(SOURCE);
    // The question has its source too.
    const question = (await t.db('messages').where({ thread_id: id, role: 'user' }).first()).id;
    expect((await request(t.app).get(`/threads/${id}/messages/${question}/source`).set('Cookie', s.cookie)).text).toBe('go');
    // Another user, another thread's id, or nobody: not found (or sign in).
    for (const asHtmx of [false, true]) {
      const r = request(t.app).get(path).set('Cookie', other.cookie);
      if (asHtmx) r.set('HX-Request', 'true');
      expect((await r).status).toBe(404);
    }
    const { id: id2 } = await newChat({ tokens: ['Other.'] });
    expect((await request(t.app).get(`/threads/${id2}/messages/${mid}/source`).set('Cookie', s.cookie)).status).toBe(404);
    expect((await request(t.app).get(`/threads/${id}/messages/abc/source`).set('Cookie', s.cookie)).status).toBe(404);
    expect((await request(t.app).get(path)).status).not.toBe(200);
  });

  it('the page names the source of an answer with text, carries no Copy button, and nothing for a failed empty answer', async () => {
    const { id, mid } = await newChat({ tokens: ['Some ', 'text.\n\n```\ncode\n```\n'] });
    const { mid: failed } = await (async () => {
      t.fake.enqueue({ status: 500 });
      const res = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'again' });
      await t.gens.idle();
      return { mid: /follow=(\d+)/.exec(res.headers.location)![1] };
    })();
    expect((await t.db('messages').where({ id: failed }).first()).status).toBe('error');
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(footerOf(page.text, mid)).toContain(`data-source="/threads/${id}/messages/${mid}/source"`);
    expect(footerOf(page.text, failed)).not.toContain('data-source');
    expect(page.text).toContain('Failed.');
    // Buttons that only the script can make work are not in the HTML: no-JS and text browsers never see them.
    expect(page.text).not.toMatch(/<button[^>]*class="[^"]*\b(copy|dismiss)\b/);
    expect(page.text).not.toMatch(/>\s*(Copy|Dismiss)\s*</);
    expect(page.text).toContain('<div class="code"><pre');
  });

  it('the SSE "done" brings a footer naming the source; an htmx error box is marked dismissible but has no button', async () => {
    t.fake.enqueue({ tokens: ['Streamed ', 'answer.'], tokenDelayMs: 1000 });
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'stream' });
    const [, id, mid] = /\/threads\/([\w-]+)\?follow=(\d+)/.exec(res.headers.location)!;
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    // While it is written there is nothing to copy yet.
    expect(footerOf(page.text, mid)).toContain('sse-swap="done"');
    expect(footerOf(page.text, mid)).not.toContain('data-source');
    const sse = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.0`, { Cookie: s.cookie });
    const done = sse.events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data).toContain(`data-source="/threads/${id}/messages/${mid}/source"`);
    expect(done.data).not.toMatch(/<button[^>]*copy/);
    await t.gens.idle();
    // A send the server refuses (403, expired form) as htmx: the box says it can be dismissed, app.js adds the button.
    const forged = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true')
      .set('X-CSRF-Token', 'wrong').type('form').send({ content: 'x' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<div class="error-box" role="alert" data-dismissible>');
    expect(forged.text).not.toMatch(/<button[^>]*dismiss|Dismiss/);
  });
});
