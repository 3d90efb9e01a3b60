// Finding one's way in a long thread without JavaScript: every link and redirect to a thread opens it at its end
// (#latest), and an older page ("Show older messages") leads back to newer ones and to the latest.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { longConversation } from '../browser/data.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { linkAsPath } from '../support/message-paths.ts';

/** The texts of the messages a page shows ("Message 12", …), in order. */
const shown = (html: string) => [...html.matchAll(/>(Message \d+)</g)].map((m) => m[1]);
const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `Message ${from + i}`);
const hrefOf = (html: string, text: string) => new RegExp(`<a [^>]*href="([^"]+)"[^>]*>${text}</a>`).exec(html)?.[1];

describe.each(DIALECTS)('thread navigation on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });
  const get = (path: string) => request(t.app).get(path).set('Cookie', s.cookie);
  const post = (path: string, body: Record<string, string> = {}) => request(t.app).post(path).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, ...body });

  it('links to a thread (sidebar, home list) open it at #latest, which sits just before the composer', async () => {
    const path = await longConversation(t.db, s.user.id, 60);
    const home = await get('/');
    const sidebar = /<nav class="sidebar"[\s\S]*?<\/nav>/.exec(home.text)![0];
    expect(sidebar).toContain(`href="${path}#latest"`);
    expect(home.text.slice(home.text.indexOf('class="home-list"'))).toContain(`href="${path}#latest"`);
    const page = await get(path);
    expect(page.text).toMatch(/<div id="latest"><\/div>\s*<form id="composer"/);
    expect(page.text).not.toContain('id="newer"');
  });

  it('plain-form redirects back to a thread go to #latest (rename, model, stop); a send follows its answer', async () => {
    const path = await longConversation(t.db, s.user.id, 4);
    expect((await post(`${path}/rename`, { title: 'Renamed' })).headers.location).toBe(`${path}#latest`);
    expect((await post(`${path}/model`, { model: '', context: '' })).headers.location).toBe(`${path}#latest`);
    t.fake.enqueue({ tokens: ['Part one.', ' part two'], tokenDelayMs: 20, hang: true });
    const sent = await post(`${path}/messages`, { content: 'Hang on' });
    expect(sent.headers.location).toMatch(/\?follow=(\d+)#m-\1$/);
    const replyId = Number(/follow=(\d+)/.exec(sent.headers.location)![1]);
    await waitFor(async () => (await t.db('messages').where({ id: replyId }).first()).content === 'Part one. part two');
    const stop = await post(`${path}/messages/${replyId}/stop`);
    expect(stop.status).toBe(303);
    expect(stop.headers.location).toBe(`${path}#latest`);
  });

  it('an older page has the header and sidebar, links back to newer and latest messages, and pages both ways', async () => {
    const path = await longConversation(t.db, s.user.id, 160);
    const latest = await get(path);
    expect(shown(latest.text)).toEqual(numbers(111, 160));
    // "Show older messages" opens the previous page at its end, where reading upwards goes on.
    const olderHref = hrefOf(latest.text, 'Show older messages')!;
    expect(olderHref).toMatch(/\?before=\d+#newer$/);
    const older = await get(olderHref.replace(/#.*/, ''));
    expect(older.status).toBe(200);
    expect(shown(older.text)).toEqual(numbers(61, 110));
    expect(older.text).toContain('id="thread-head"');
    expect(older.text).toContain(`href="${path}#latest"`); // the sidebar
    // No composer answering messages out of sight: links back instead, at the end (the #newer anchor).
    expect(older.text).not.toContain('id="composer"');
    expect(older.text).not.toContain('id="latest"');
    expect(older.text).toMatch(/<div id="newer"><\/div>\s*<nav class="pager" aria-label="Newer messages">/);
    expect(hrefOf(older.text, 'Latest messages')).toBe(`${path}#latest`);
    // Two pages further back, "Newer messages" opens the next 50 at the first one not yet shown.
    const oldest = await get(hrefOf(older.text, 'Show older messages')!.replace(/#.*/, ''));
    expect(shown(oldest.text)).toEqual(numbers(11, 60));
    const firstUnseen = await t.db('messages').where({ thread_id: path.split('/').pop(), content: 'Message 61' }).first('id');
    const newerHref = hrefOf(oldest.text, 'Newer messages')!;
    expect(newerHref).toMatch(new RegExp(`^${path}\\?before=\\d+#m-${firstUnseen.id}$`));
    expect(shown((await get(newerHref.replace(/#.*/, ''))).text)).toEqual(numbers(61, 110));
    // From the last older page, "Newer messages" is the latest page itself, at the first message not yet read.
    const firstOfLatest = await t.db('messages').where({ thread_id: path.split('/').pop(), content: 'Message 111' }).first('id');
    expect(hrefOf(older.text, 'Newer messages')).toBe(`${path}#m-${firstOfLatest.id}`);
    // The very first page: nothing older, still a way back.
    const first = await get(hrefOf(oldest.text, 'Show older messages')!.replace(/#.*/, ''));
    expect(shown(first.text)).toEqual(numbers(1, 10));
    expect(first.text).not.toContain('Show older messages');
    expect(hrefOf(first.text, 'Latest messages')).toBe(`${path}#latest`);
  });

  it('a ?before= past the end is the latest page, with its composer; the htmx loader\'s URL opened plainly goes to the page', async () => {
    const path = await longConversation(t.db, s.user.id, 8);
    const page = await get(`${path}?before=999999999`);
    expect(shown(page.text)).toEqual(numbers(1, 8));
    expect(page.text).toContain('id="composer"');
    expect(page.text).not.toContain('id="newer"');
    const plain = await get(`${path}/messages?before=5`);
    expect(plain.status).toBe(302);
    expect(plain.headers.location).toBe(`${path}?before=5#newer`);
  });

  it('each message says when it was written: relative in sight, the exact UTC date and time in a focusable <time>', async () => {
    const thread = await createThread(t.db, s.user.id, { title: 'Times' });
    const at = (iso: string) => new Date(iso);
    const now = new Date();
    const rows = [
      ['user', 'Old question', at('2025-03-09T07:05:00Z')], ['assistant', 'Old answer', at('2025-03-09T07:06:10Z')],
      ['user', 'New question', now], ['assistant', 'New answer', now],
    ] as const;
    await t.db('messages').insert(rows.map(([role, content, when]) => ({ thread_id: thread.id, role, content, thinking: null, status: 'complete',
      error: null, model: role === 'user' ? null : 'mistral-small-latest', usage: null, created_at: when, updated_at: when })));
    await linkAsPath(t.db, thread.id);
    const page = await get(`/threads/${thread.id}`);
    const time = (iso: string, rel: string, exact: string) =>
      `<time class="msg-time" datetime="${iso}" tabindex="0"><span class="rel">${rel}</span><span class="exact"><span class="sep">, </span>${exact}</span></time>`;
    const articles = [...page.text.matchAll(/<article class="msg msg-(\w+)"[\s\S]*?<\/article>/g)].map((m) => m[0]);
    expect(articles).toHaveLength(4);
    expect(articles[0]).toContain(`<div class="msg-meta">${time('2025-03-09T07:05:00.000Z', '9 Mar 2025', '9 Mar 2025, 07:05 UTC')}`);
    expect(articles[1]).toMatch(new RegExp(`<footer class="msg-foot" id="ft-\\d+"[^>]*>\\s*${time('2025-03-09T07:06:10.000Z', '9 Mar 2025', '9 Mar 2025, 07:06 UTC')}`));
    expect(articles[2]).toContain('<span class="rel">just now</span>');
    expect(articles[3]).toContain('<span class="rel">just now</span>');
    expect(articles[3]).toContain(` UTC</span></time>`);
    // The htmx loader's older messages carry the same times.
    const fragment = await get(`/threads/${thread.id}/messages?before=999999999`).set('HX-Request', 'true');
    expect(fragment.text).toContain(time('2025-03-09T07:05:00.000Z', '9 Mar 2025', '9 Mar 2025, 07:05 UTC'));
  });
});
