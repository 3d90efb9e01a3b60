import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { linkAsPath } from '../support/message-paths.ts';

const DAY = 24 * 3600 * 1000;

describe.each(DIALECTS)('threads on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });
  const get = (path: string) => request(t.app).get(path).set('Cookie', s.cookie);

  async function insertThreads(userId: number, ages: number[]) {
    const now = Date.now();
    const rows = ages.map((days, i) => ({
      id: newId(), user_id: userId, title: `Thread ${i} (${days}d)`, title_set_by_user: true, model: null, context: null,
      created_at: new Date(now - days * DAY), updated_at: new Date(now - days * DAY - i),
    }));
    await t.db('threads').insert(rows);
    return rows;
  }

  it('keeps sending a signed-out visitor from / to sign in', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2F');
    expect((await request(t.app).get('/threads')).status).toBe(302);
  });

  it('lists threads newest first, grouped by age, paged by cursor with an htmx loader and a plain More link', async () => {
    const u = await signIn(t);
    const ages = [0, 0, 1, 3, 10, 45, 400, ...Array.from({ length: 30 }, () => 500)];
    await insertThreads(u.user.id, ages);
    const home = await request(t.app).get('/').set('Cookie', u.cookie);
    expect(home.status).toBe(200);
    expect(home.text).toContain('name="content"');
    const sidebar = home.text.slice(home.text.indexOf('id="thread-list"'), home.text.indexOf('sidebar-foot'));
    const headings = [...sidebar.matchAll(/<h2 class="group">([^<]+)<\/h2>/g)].map((m) => m[1]);
    expect(headings.slice(0, 5)).toEqual(['Today', 'Yesterday', 'Last 7 days', 'Last 30 days', headings[4]]);
    expect(headings[4]).toMatch(/^[A-Z][a-z]+ \d{4}$/);
    expect(sidebar.indexOf('Thread 0 ')).toBeLessThan(sidebar.indexOf('Thread 1 '));
    const more = /<div class="more" hx-get="([^"]+)" hx-trigger="[^"]+" hx-swap="outerHTML"><a href="([^"]+)">More<\/a><\/div>/.exec(sidebar);
    expect(more).not.toBeNull();
    const next = more![1].replace(/&amp;/g, '&');
    const frag = await request(t.app).get(next).set('Cookie', u.cookie).set('HX-Request', 'true');
    expect(frag.status).toBe(200);
    expect(frag.text).not.toContain('<!doctype html>');
    const titles = (html: string) => [...html.matchAll(/>(Thread \d+ \(\d+d\))</g)].map((m) => m[1]);
    const page1 = titles(sidebar);
    const page2 = titles(frag.text);
    expect(page1.length + page2.length).toBe(ages.length);
    expect(new Set([...page1, ...page2]).size).toBe(ages.length);
    // The group of the previous page is not repeated at the top of the next one.
    expect(frag.text.indexOf('<h2')).toBe(-1);
    const plain = await request(t.app).get(next).set('Cookie', u.cookie);
    expect(plain.text).toContain('<!doctype html>');
    expect(titles(plain.text)).toEqual(expect.arrayContaining(page2));
    const api = await request(t.app).get('/api/thread').set('Authorization', `Bearer ${u.token}`);
    expect(api.body.threads).toHaveLength(30);
    expect(api.body.nextCursor).toBeTruthy();
    const api2 = await request(t.app).get(`/api/thread?cursor=${api.body.nextCursor}`).set('Authorization', `Bearer ${u.token}`);
    expect(api2.body.threads).toHaveLength(ages.length - 30);
    expect(api2.body.nextCursor).toBeNull();
  });

  it('renames (htmx and plain form), refuses an empty title with 422, and a generated title never overwrites it', async () => {
    t.fake.enqueue({ status: 500 });
    const created = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'hi' });
    const id = /\/threads\/([\w-]+)/.exec(created.headers.location)![1];
    await t.gens.idle();
    const htmx = await request(t.app).post(`/threads/${id}/rename`).set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ title: '  My <own> title ' });
    expect(htmx.status).toBe(200);
    expect(htmx.text).toContain(`<h1 data-title-of="${id}">My &lt;own&gt; title</h1>`);
    // The new title also reaches the sidebar entry (out of band, by data-title-of) and the tab's <title>.
    expect(htmx.text).toContain(`<span hx-swap-oob="innerHTML:[data-title-of='${id}']">My &lt;own&gt; title</span>`);
    expect(htmx.text).toContain('<title>My &lt;own&gt; title · MistralChat</title>');
    // A blank title without JavaScript: the whole thread page again (messages, the user's conversations in the
    // sidebar), its Rename menu open with the error and what was typed.
    const bad = await request(t.app).post(`/threads/${id}/rename`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, title: '  ' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/<details class="menu" open>\s*<summary[^>]*>(?:<svg[\s\S]*?<\/svg>)?(?:<span class="lbl">)?Rename(?:<\/span>)?<\/summary>[\s\S]*?value="  " aria-invalid="true" aria-describedby="title-error">\s*<p class="field-error" id="title-error" role="alert">Give the conversation a title.<\/p>/);
    expect(bad.text).toContain('<div class="msg-body user-text">hi</div>');
    const sidebar = bad.text.slice(bad.text.indexOf('<nav class="sidebar"'), bad.text.indexOf('</nav>'));
    expect(sidebar).toContain(`href="/threads/${id}#latest"`);
    expect(bad.text).toContain('<form id="composer"');
    // With htmx: the header alone, Rename open, the error and the typed text in it.
    const badHtmx = await request(t.app).post(`/threads/${id}/rename`).set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ title: ' \t ' });
    expect(badHtmx.status).toBe(422);
    expect(badHtmx.text).not.toContain('<!doctype html>');
    expect(badHtmx.text).toMatch(/^<header class="thread-head" id="thread-head">[\s\S]*<details class="menu" open>\s*<summary[^>]*>(?:<svg[\s\S]*?<\/svg>)?(?:<span class="lbl">)?Rename(?:<\/span>)?<\/summary>[\s\S]*value=" \t " aria-invalid="true"[\s\S]*Give the conversation a title./);
    const plain = await request(t.app).post(`/threads/${id}/rename`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, title: 'Mine' });
    expect(plain.status).toBe(303);
    // A complete answer now would normally name the thread; the user's title stays.
    const reply = await t.db('messages').where({ thread_id: id, role: 'assistant' }).first();
    const retry = await request(t.app).post(`/threads/${id}/messages/${reply.id}/retry`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf });
    expect(retry.status).toBe(303);
    await t.gens.idle();
    expect((await t.db('messages').where({ id: reply.id }).first()).status).toBe('complete');
    expect((await t.db('threads').where({ id }).first()).title).toBe('Mine');
    const renamedByApi = await request(t.app).patch(`/api/thread/${id}`).set('Authorization', `Bearer ${s.token}`).send({ title: 'Via API', model: 'mistral-large-latest' });
    expect(renamedByApi.body.thread).toMatchObject({ title: 'Via API', model: 'mistral-large-latest', titleSetByUser: true });
    const badApi = await request(t.app).patch(`/api/thread/${id}`).set('Authorization', `Bearer ${s.token}`).send({ model: 'no spaces allowed' });
    expect(badApi.status).toBe(422);
    expect(badApi.body.error.fields.model).toBeTruthy();
  });

  it('deletes with a confirming form (plain and htmx) and over the API', async () => {
    const [a, b, c] = await insertThreads(s.user.id, [0, 0, 0]);
    const page = await get(`/threads/${a.id}`);
    expect(page.text).toContain(`action="/threads/${a.id}/delete"`);
    expect(page.text).toContain('Delete this conversation and all its messages?');
    const del = await request(t.app).post(`/threads/${a.id}/delete`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf });
    expect(del.status).toBe(303);
    expect(del.headers.location).toBe('/');
    expect((await get(`/threads/${a.id}`)).status).toBe(404);
    const hx = await request(t.app).post(`/threads/${b.id}/delete`).set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf);
    expect(hx.status).toBe(204);
    expect(hx.headers['hx-redirect']).toBe('/');
    expect((await request(t.app).delete(`/api/thread/${c.id}`).set('Authorization', `Bearer ${s.token}`)).status).toBe(204);
    expect(await t.db('threads').whereIn('id', [a.id, b.id, c.id])).toHaveLength(0);
    // Without the CSRF token a cookie request is refused.
    const [d] = await insertThreads(s.user.id, [0]);
    expect((await request(t.app).post(`/threads/${d.id}/delete`).set('Cookie', s.cookie)).status).toBe(403);
  });

  it('opens a thread of 10,000 messages with the latest 50 and loads older ones (htmx loader, plain link)', async () => {
    const [th] = await insertThreads(s.user.id, [0]);
    const now = Date.now();
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      thread_id: th.id, role: i % 2 ? 'assistant' : 'user', content: `message number ${i}`, thinking: null, status: 'complete',
      error: null, model: null, usage: null, created_at: new Date(now + i), updated_at: new Date(now + i),
    }));
    for (let i = 0; i < rows.length; i += 500) await t.db('messages').insert(rows.slice(i, i + 500));
    await linkAsPath(t.db, th.id);
    const page = await get(`/threads/${th.id}`);
    expect(page.status).toBe(200);
    const shown = [...page.text.matchAll(/message number (\d+)</g)].map((m) => Number(m[1]));
    expect(shown).toHaveLength(50);
    expect(shown[0]).toBe(9950);
    expect(shown[49]).toBe(9999);
    const loader = /<div class="older" hx-get="([^"]+)" hx-trigger="[^"]+" hx-swap="outerHTML">\s*<a href="([^"]+)">/.exec(page.text);
    expect(loader).not.toBeNull();
    const older = await get(loader![1]).set('HX-Request', 'true');
    const olderShown = [...older.text.matchAll(/message number (\d+)</g)].map((m) => Number(m[1]));
    expect(olderShown).toEqual(Array.from({ length: 50 }, (_, i) => 9900 + i));
    const plain = await get(loader![2]);
    expect(plain.text).toContain('<!doctype html>');
    expect([...plain.text.matchAll(/message number (\d+)</g)].map((m) => Number(m[1]))[0]).toBe(9900);
    const api = await request(t.app).get(`/api/thread/${th.id}`).set('Authorization', `Bearer ${s.token}`);
    expect(api.body.messages).toHaveLength(50);
    expect(api.body.messages[0]).toEqual(expect.objectContaining({ id: expect.any(Number), role: 'user', content: 'message number 9950', thinking: null, status: 'complete', error: null, model: null, usage: null, createdAt: expect.any(String) }));
    expect(api.body.hasOlder).toBe(true);
  });

  it('opening a thread of 10,000 messages runs the same queries as one of 10 and reads at most a page of rows', async () => {
    const insertMessages = async (threadId: string, n: number) => {
      const now = Date.now();
      const rows = Array.from({ length: n }, (_, i) => ({
        thread_id: threadId, role: i % 2 ? 'assistant' : 'user', content: `m${i}`, thinking: null, status: 'complete',
        error: null, model: null, usage: null, created_at: new Date(now + i), updated_at: new Date(now + i),
      }));
      for (let i = 0; i < rows.length; i += 500) await t.db('messages').insert(rows.slice(i, i + 500));
      await linkAsPath(t.db, threadId);
    };
    const [small, big] = await insertThreads(s.user.id, [0, 0]);
    await insertMessages(small.id, 10);
    await insertMessages(big.id, 10_000);
    /** Every query the database runs while the page is served, and the rows each returned. */
    async function profile(path: string) {
      const queries: Array<{ uid: string; sql: string; bindings: unknown[]; rows: number }> = [];
      const onQuery = (q: { __knexQueryUid: string; sql: string; bindings: unknown[] }) => { queries.push({ uid: q.__knexQueryUid, sql: q.sql, bindings: q.bindings, rows: 0 }); };
      const onResponse = (res: unknown, q: { __knexQueryUid: string }) => {
        const entry = queries.find((x) => x.uid === q.__knexQueryUid);
        // (A raw query on mysql2 answers [rows, fields].)
        if (entry) entry.rows = Array.isArray(res) ? (Array.isArray(res[0]) ? res[0].length : res.length) : 0;
      };
      t.db.on('query', onQuery).on('query-response', onResponse);
      try {
        expect((await get(path)).status).toBe(200);
      } finally {
        t.db.off('query', onQuery).off('query-response', onResponse);
      }
      return queries;
    }
    await get(`/threads/${small.id}`);
    await get(`/threads/${big.id}`);
    const a = await profile(`/threads/${small.id}`);
    const b = await profile(`/threads/${big.id}`);
    // The same statements whatever the length of the thread (sorted: some of the page's reads run side by side).
    // The versions of the shown messages are read with one list of their parents (as long as the page) and, when the
    // first message is shown, the thread's roots.
    // (Either case: the page's reads are SQL written once, in capitals, see db.ts selectRows.)
    const shape = (sql: string) => sql.replace(/in \((\?(, )?)+\)/gi, 'in (…)').replace(/ union all select .* is null\)?$/i, '');
    const statements = (qs: typeof a) => qs.map((q) => shape(q.sql)).sort();
    expect(statements(b)).toEqual(statements(a));
    expect(Math.max(...b.map((q) => q.rows))).toBeLessThanOrEqual(51);
    // The shown path is walked up from its leaf, one step per message shown (plus one: are there older ones?).
    const page = (qs: typeof a) => qs.filter((q) => /WITH RECURSIVE up/.test(q.sql));
    expect(page(a)).toHaveLength(1);
    expect(page(a)[0].rows).toBe(10);
    expect(page(b)[0].rows).toBe(51);
    // Each step is a primary-key lookup: no scan of the thread's messages.
    const q = page(b)[0];
    if (dialect === 'mysql') {
      const [plan] = await t.db.raw(`EXPLAIN ${q.sql}`, q.bindings as never[]);
      const onMessages = (plan as Array<{ table: string; type: string; key: string | null }>).filter((r) => r.table === 'm');
      expect(onMessages.length).toBeGreaterThan(0);
      for (const r of onMessages) expect(r.type, JSON.stringify(r)).toMatch(/^(eq_ref|const)$/);
    } else {
      const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never[])).map((r: { detail: string }) => r.detail).join('\n');
      expect(plan).toMatch(/SEARCH m USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(plan).not.toMatch(/SCAN (m|messages)\b(?! USING)/);
    }
  });

  it('renaming a thread does not move it in the list', async () => {
    const u = await signIn(t);
    const [older, newer] = await insertThreads(u.user.id, [2, 1]);
    const order = async () => {
      const api = await request(t.app).get('/api/thread').set('Authorization', `Bearer ${u.token}`);
      return api.body.threads.map((x: { id: string }) => x.id);
    };
    expect(await order()).toEqual([newer.id, older.id]);
    const renamed = await request(t.app).post(`/threads/${older.id}/rename`).set('Cookie', u.cookie).type('form').send({ _csrf: u.csrf, title: 'Renamed' });
    expect(renamed.status).toBe(303);
    const patched = await request(t.app).patch(`/api/thread/${older.id}`).set('Authorization', `Bearer ${u.token}`).send({ title: 'Renamed again', model: 'mistral-large-latest' });
    expect(patched.body.thread).toMatchObject({ title: 'Renamed again', model: 'mistral-large-latest' });
    expect(await order()).toEqual([newer.id, older.id]);
    const home = await request(t.app).get('/').set('Cookie', u.cookie);
    expect(home.text.indexOf(newer.title)).toBeLessThan(home.text.indexOf('Renamed again'));
    expect(home.text).toContain('Yesterday');
  });

  it('the htmx fragment and the page share one partial for a message', async () => {
    t.fake.enqueue({ tokens: ['Shared **markup**'] });
    const created = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({});
    const id = created.body.thread.id;
    const sent = await request(t.app).post(`/threads/${id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ content: 'same' });
    await t.gens.idle();
    await waitFor(async () => (await t.db('threads').where({ id }).first()).title);
    // (Each render of a form carries a fresh CSRF token.)
    const userBubble = (html: string) => /<article class="msg msg-user"[\s\S]*?<\/article>/.exec(html)![0].replace(/name="_csrf" value="[^"]+"/g, '');
    const page = await get(`/threads/${id}`);
    expect(userBubble(sent.text)).toBe(userBubble(page.text));
    const older = await get(`/threads/${id}/messages?before=999999999`).set('HX-Request', 'true');
    expect(older.text).toContain(userBubble(page.text));
    const article = (html: string) => /<article class="msg msg-assistant"[\s\S]*?<\/article>/.exec(html)![0].replace(/name="_csrf" value="[^"]+"/g, '');
    expect(article(older.text)).toBe(article(page.text));
  });
});
