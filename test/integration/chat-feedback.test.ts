// What the chat says while and after it works (issue 10): the status while an answer is written, the new chat's
// title when its first answer ends (over SSE and on the page followed without JavaScript), a chat named from its
// first message when no title came, and error sentences (a signed-out send is not an "expired form").
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)('chat feedback on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); t.fake.completionDelayMs = 150; });
  afterAll(async () => { await t?.close(); });

  /** A new chat by a plain form: its id and its answer's id. */
  async function newChat(content: string) {
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content });
    expect(res.status).toBe(303);
    const [, id, mid] = /\/threads\/([\w-]+)\?follow=(\d+)/.exec(res.headers.location)!;
    return { id, mid };
  }
  const titleOf = async (id: string) => (await t.db('threads').where({ id }).first()).title as string | null;

  it('over SSE: waiting, then "Writing…" with the first text, then "Done." and the new title everywhere', async () => {
    t.fake.enqueue({ tokens: ['One', ' two', ' three.'], firstTokenDelayMs: 100, tokenDelayMs: 100 });
    const { id, mid } = await newChat('Tell me about owls');
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(page.text).toContain(`<span class="msg-status" role="status" id="st-${mid}">Waiting for Mistral…</span>`);
    const sse = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.0`, { Cookie: s.cookie });
    expect(sse.ended).toBe(true);
    const writing = `<span class="msg-status" role="status" id="st-${mid}" hx-swap-oob="true">Writing…</span>`;
    const first = sse.events.find((e) => e.event === 't' || e.event === 'b')!;
    expect(first.data).toContain(writing);
    // Once: later pieces do not repeat it.
    expect(sse.events.filter((e) => e.data.includes(writing))).toHaveLength(1);
    const done = sse.events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data).toContain('<span class="msg-status msg-complete" role="status">Done.</span>');
    // Named while the answer streamed: the end brings the title to the heading and sidebar entry, and to the tab.
    expect(done.data).toContain(`<span hx-swap-oob="innerHTML:[data-title-of='${id}']">A Short Fake Title</span>`);
    expect(done.data).toContain('<title>A Short Fake Title · MistralChat</title>');
    expect(page.text).toContain(`<a href="/threads/${id}#latest" data-title-of="${id}" aria-current="page">New chat</a>`);
    // A stream resumed mid-answer comes from a page that already said "Writing…".
    const resumed = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.3`, { Cookie: s.cookie });
    expect(resumed.raw).not.toContain('hx-swap-oob="true">Writing…');
    // The next answer in the titled chat brings no title.
    t.fake.enqueue({ tokens: ['Four.'] });
    const next = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'more' });
    const mid2 = /follow=(\d+)/.exec(next.headers.location)![1];
    const later = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid2}/events?after=0.0`, { Cookie: s.cookie });
    expect(later.ended).toBe(true);
    expect(later.raw).not.toContain('<title>');
  });

  it('without JavaScript: the followed page says "Writing…" by CSS once text arrives, ends "Done." and with the new title', async () => {
    t.fake.enqueue({ tokens: ['Hoot', ' hoot', ' hoot.'], firstTokenDelayMs: 100, tokenDelayMs: 100 });
    const { id, mid } = await newChat('Owl sounds?');
    const page = await request(t.app).get(`/threads/${id}?follow=${mid}`).set('Cookie', s.cookie);
    expect(page.status).toBe(200);
    // Waiting in the text; "Writing…" only drawn by CSS (data-text), so text browsers never read both.
    expect(page.text).toContain('<span class="st-wait">Waiting for Mistral…</span><span class="st-write" data-text="Writing…"></span>');
    expect(page.text).toContain('<span class="msg-status msg-complete" role="status">Done.</span>');
    expect(page.text).toMatch(/<h1 class="late-title">A Short Fake Title<\/h1>\s*<\/section>/);
    expect(page.text).toMatch(/<\/html>\s*$/);
  });

  it('names a chat from its first message when its first answer failed and the title call did too', async () => {
    t.fake.enqueue({ status: 500 });
    t.fake.completionStatus = 500;
    try {
      const { id } = await newChat('  Why do "owls" hoot at night?\nMore lines');
      await t.gens.idle();
      expect(await titleOf(id)).toBe('Why do owls hoot at');
    } finally {
      t.fake.completionStatus = 200;
    }
  });

  it('a failed first answer still gets the generated title (it no longer waits for a complete answer)', async () => {
    t.fake.enqueue({ status: 500 });
    const { id } = await newChat('Failing question');
    await waitFor(async () => titleOf(id));
    expect(await titleOf(id)).toBe('A Short Fake Title');
  });

  it('errors are sentences without a status code, and a signed-out send says so with a way to sign in', async () => {
    const { id } = await newChat('hello');
    await t.gens.idle();
    // A real CSRF failure while signed in: the expired-form sentence, no bare "403".
    const forged = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true')
      .set('X-CSRF-Token', 'wrong').type('form').send({ content: 'x' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('This form has expired');
    expect(forged.text).not.toMatch(/<strong>\d{3}<\/strong>|\b403\b/);
    // Dismissible: app.js adds the button (none in the HTML, which text browsers would show doing nothing).
    expect(forged.text).toContain('<div class="error-box" role="alert" data-dismissible>');
    // Signed out everywhere from another tab: this browser's session and token are gone, its pages still open.
    const other = await signIn(t, `fb-${Date.now()}@example.com`);
    const out = await request(t.app).post('/account/sessions/revoke-all').set('Cookie', other.cookie).type('form').send({ _csrf: other.csrf });
    expect(out.status).toBe(303);
    const sid = other.cookie.split('; ').find((c) => c.startsWith('mc_sid='))!;
    const send = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', sid).set('HX-Request', 'true')
      .set('X-CSRF-Token', other.csrf).type('form').send({ content: 'x' });
    expect(send.status).toBe(403);
    expect(send.text).toContain('You were signed out, so this was not sent.');
    expect(send.text).toContain('<a href="/login">Sign in</a>');
    expect(send.text).not.toContain('expired');
    // Signed out for real on the sign-in form: that form expired; "you were signed out" would be wrong there.
    const login = await request(t.app).post('/login').set('Cookie', sid).type('form').send({ _csrf: 'wrong', email: 'a@b.c', password: 'x' });
    expect(login.status).toBe(403);
    expect(login.text).toContain('This form has expired');
    expect(login.text).not.toContain('You were signed out');
  });
});
