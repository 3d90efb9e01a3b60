// A thread whose shown path is deeper than 1,000 messages: MariaDB stops a recursive query at max_recursive_iterations
// (1000 by default, silently), which src/db.ts lifts per connection. From the outside: the latest page, paging back to
// the root (JSON, htmx loader, JavaScript-off pages), "Newer messages", and what Mistral is sent all follow the shown
// path, whole, and never show or send a message of another branch.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';

type Json = Record<string, any>;
const DEPTH = 2_400;
const PAGE = 50;
/** The contents of the shown path, root first: "Path 1" … "Path 2400". */
const pathTexts = (from = 1, to = DEPTH) => Array.from({ length: to - from + 1 }, (_, i) => `Path ${from + i}`);
/** The ids of the messages a page or fragment shows, in order. */
const articleIds = (html: string) => [...html.matchAll(/<article class="msg [^"]*" id="m-(\d+)"/g)].map((m) => Number(m[1]));
const hrefOf = (html: string, text: string) => new RegExp(`<a [^>]*href="([^"]+)"[^>]*>${text}</a>`).exec(html)?.[1];

type Deep = { id: string; path: number[]; text: Map<number, string>; edit3: number; regen6: number; edit2391: number; regen2400: number; other: number[] };

describe.each(DIALECTS)('a shown path deeper than 1,000 messages on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let auth: Record<string, string>;
  beforeAll(async () => { t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' }); s = await signIn(t); auth = { Authorization: `Bearer ${s.token}` }; });
  afterAll(async () => { await t?.close(); });

  /**
   * A path of DEPTH messages (questions and answers) inserted directly, then other branches: question 3 edited, answer
   * 6 regenerated, question 11 edited and gone on for 60 messages (the newest of the thread), and near the end
   * question 2391 edited and answer 2400 regenerated. The thread remembers the leaf "Path 2400".
   */
  async function deepThread(): Promise<Deep> {
    const thread = await createThread(t.db, s.user.id, { title: 'Deep' });
    const max = await t.db('messages').max({ m: 'id' }).first();
    let next = Number(max?.m ?? 0) + 1;
    const now = new Date();
    const rows: Json[] = [];
    const text = new Map<number, string>();
    const add = (parent: number | null, role: string, content: string) => {
      rows.push({ id: next, thread_id: thread.id, parent_id: parent, role, content, status: 'complete', created_at: now, updated_at: now });
      text.set(next, content);
      return next++;
    };
    const path: number[] = [];
    for (let i = 1; i <= DEPTH; i++) path.push(add(path.at(-1) ?? null, i % 2 ? 'user' : 'assistant', `Path ${i}`));
    // path[i - 1] is "Path i": the parent of "Path i" is path[i - 2].
    const edit3 = add(path[1], 'user', 'Edit 3');
    add(edit3, 'assistant', 'Edit 3 answer');
    const regen6 = add(path[4], 'assistant', 'Regen 6');
    const other: number[] = [];
    for (let k = 0; k < 60; k++) other.push(add(other.at(-1) ?? path[9], k % 2 ? 'assistant' : 'user', `Other ${k}`));
    const edit2391 = add(path[2389], 'user', 'Edit 2391');
    const regen2400 = add(path[2398], 'assistant', 'Regen 2400');
    for (let i = 0; i < rows.length; i += 400) await t.db('messages').insert(rows.slice(i, i + 400));
    await t.db('threads').where({ id: thread.id }).update({ current_leaf_id: path.at(-1) });
    return { id: thread.id, path, text, edit3, regen6, edit2391, regen2400, other };
  }
  const get = (url: string) => request(t.app).get(url).set('Cookie', s.cookie);

  it('the JSON API shows the latest 50 of the path with hasOlder and each one\'s versions, and pages back to the root', async () => {
    const d = await deepThread();
    const latest = (await request(t.app).get(`/api/thread/${d.id}`).set(auth)).body as Json;
    expect(latest.hasOlder).toBe(true);
    expect(latest.messages.map((m: Json) => m.content)).toEqual(pathTexts(DEPTH - PAGE + 1));
    expect(latest.messages[0].parentId).toBe(d.path[DEPTH - PAGE - 1]);
    const byContent = (c: string) => latest.messages.find((m: Json) => m.content === c);
    expect(byContent('Path 2391').siblings).toEqual({ index: 1, count: 2, ids: [d.path[2390], d.edit2391] });
    expect(byContent('Path 2400').siblings).toEqual({ index: 1, count: 2, ids: [d.path[2399], d.regen2400] });
    expect(byContent('Path 2392').siblings).toEqual({ index: 1, count: 1, ids: [d.path[2391]] });
    // Page by page (?before=), the whole path back to its root, never a message of another branch.
    const all = [...latest.messages];
    for (let page = latest; page.hasOlder;) {
      page = (await request(t.app).get(`/api/thread/${d.id}?before=${page.messages[0].id}`).set(auth)).body;
      all.unshift(...page.messages);
    }
    expect(all.map((m: Json) => m.content)).toEqual(pathTexts());
    expect(all[0].parentId).toBeNull();
    expect(all[2].siblings).toEqual({ index: 1, count: 2, ids: [d.path[2], d.edit3] });
    expect(all[5].siblings).toEqual({ index: 1, count: 2, ids: [d.path[5], d.regen6] });
    expect(all[10].siblings).toEqual({ index: 1, count: 2, ids: [d.path[10], d.other[0]] });
  });

  it('a new question sends Mistral the whole path root → new, and nothing of another branch', async () => {
    const d = await deepThread();
    t.fake.enqueue({ tokens: ['Deep answer'] });
    const sent = await request(t.app).post(`/api/thread/${d.id}/messages`).set(auth).send({ content: 'New question' });
    expect(sent.status).toBe(202);
    expect(sent.body.message.parentId).toBe(d.path.at(-1));
    await t.gens.idle();
    const messages = (t.fake.chatRequests.at(-1)!.body as Json).messages as Json[];
    const turns = messages.filter((m) => m.role !== 'system');
    expect(turns).toHaveLength(DEPTH + 1);
    expect(turns[0]).toMatchObject({ role: 'user', content: 'Path 1' });
    expect(turns.at(-1)).toMatchObject({ role: 'user', content: 'New question' });
    expect(turns.map((m) => m.content)).toEqual([...pathTexts(), 'New question']);
    // The answer is saved on that path, and the thread now shows it.
    const after = (await request(t.app).get(`/api/thread/${d.id}`).set(auth)).body as Json;
    expect(after.messages.slice(-3).map((m: Json) => m.content)).toEqual(['Path 2400', 'New question', 'Deep answer']);
    expect(after.messages).toHaveLength(PAGE);
  });

  it('"Show older messages" (htmx loader and JavaScript-off page) follows the shown path back to its root', async () => {
    const d = await deepThread();
    const page = await get(`/threads/${d.id}`);
    expect(page.status).toBe(200);
    expect(articleIds(page.text)).toEqual(d.path.slice(-PAGE));
    expect(page.text).toMatch(/<span class="versions-count" title="Version 1 of 2">1\/2<\/span>/);
    // The loader's fragments, one after another up to the root.
    const ids = articleIds(page.text);
    let loader = new RegExp(`hx-get="(/threads/${d.id}/messages\\?before=${ids[0]})"`).exec(page.text)?.[1];
    expect(loader).toBeDefined();
    while (loader) {
      const fragment = await get(loader).set('HX-Request', 'true');
      expect(fragment.status).toBe(200);
      ids.unshift(...articleIds(fragment.text));
      loader = /hx-get="([^"]*\/messages\?before=\d+)"/.exec(fragment.text)?.[1];
    }
    expect(ids.map((id) => d.text.get(id))).toEqual(pathTexts());
    // Without JavaScript: the link opens the page before, at its end, with its own link further back.
    const olderHref = hrefOf(page.text, 'Show older messages')!;
    expect(olderHref).toBe(`/threads/${d.id}?before=${d.path[DEPTH - PAGE]}#newer`);
    const older = await get(olderHref.replace(/#.*/, ''));
    expect(articleIds(older.text).map((id) => d.text.get(id))).toEqual(pathTexts(DEPTH - 2 * PAGE + 1, DEPTH - PAGE));
    expect(hrefOf(older.text, 'Show older messages')).toBe(`/threads/${d.id}?before=${d.path[DEPTH - 2 * PAGE]}#newer`);
    // The top of the path: its branches' versions shown, nothing older.
    const top = await get(`/threads/${d.id}?before=${d.path[PAGE]}`);
    expect(articleIds(top.text).map((id) => d.text.get(id))).toEqual(pathTexts(1, PAGE));
    expect(top.text.match(/title="Version 1 of 2"/g)).toHaveLength(3); // questions 3 and 11, answer 6
    expect(top.text).not.toContain('Show older messages');
  });

  it('an older page\'s "Newer messages" leads along the shown path, also 1,400 messages above the leaf', async () => {
    const d = await deepThread();
    // The page ending at "Path 1000": the walk from the leaf up to it is 1,400 steps.
    const deep = await get(`/threads/${d.id}?before=${d.path[1000]}`);
    expect(articleIds(deep.text).map((id) => d.text.get(id))).toEqual(pathTexts(951, 1000));
    const newer = hrefOf(deep.text, 'Newer messages')!;
    expect(newer).toBe(`/threads/${d.id}?before=${d.path[1050]}#m-${d.path[1000]}`);
    expect(articleIds((await get(newer.replace(/#.*/, ''))).text).map((id) => d.text.get(id))).toEqual(pathTexts(1001, 1050));
    // Near the root, past the branch points: "Newer" goes on along the shown path, not into "Other".
    const top = await get(`/threads/${d.id}?before=${d.path[PAGE]}`);
    expect(hrefOf(top.text, 'Newer messages')).toBe(`/threads/${d.id}?before=${d.path[2 * PAGE]}#m-${d.path[PAGE]}`);
    // The page just before the latest one leads to the latest page, at its first message.
    const last = await get(`/threads/${d.id}?before=${d.path[DEPTH - PAGE]}`);
    expect(hrefOf(last.text, 'Newer messages')).toBe(`/threads/${d.id}#m-${d.path[DEPTH - PAGE]}`);
    expect(hrefOf(last.text, 'Latest messages')).toBe(`/threads/${d.id}#latest`);
  });

  it('an answer regenerated 300 times shows all its versions (page, loader, JSON): one list per message, never cut', async () => {
    // The page reads each message's siblings as one GROUP_CONCAT of ids: MySQL's default 1,024 bytes would cut it.
    const thread = await createThread(t.db, s.user.id, { title: 'Many versions' });
    const now = new Date();
    const [question] = await t.db('messages').insert({ thread_id: thread.id, parent_id: null, role: 'user', content: 'Q', status: 'complete', created_at: now, updated_at: now });
    const q = Number(question);
    await t.db('messages').insert(Array.from({ length: 300 }, (_, i) => ({ thread_id: thread.id, parent_id: q, role: 'assistant', content: `Version ${i + 1}`, status: 'complete', created_at: now, updated_at: now })));
    const answers = (await t.db('messages').where({ thread_id: thread.id, parent_id: q }).orderBy('id').select('id')).map((r) => Number(r.id));
    expect(answers.join(',').length).toBeGreaterThan(1024);
    await t.db('threads').where({ id: thread.id }).update({ current_leaf_id: answers[199] });
    const json = (await request(t.app).get(`/api/thread/${thread.id}`).set(auth)).body as Json;
    expect(json.messages.map((m: Json) => m.content)).toEqual(['Q', 'Version 200']);
    expect(json.messages[0].siblings).toEqual({ index: 1, count: 1, ids: [q] });
    expect(json.messages[1].siblings).toEqual({ index: 200, count: 300, ids: answers });
    const page = await get(`/threads/${thread.id}`);
    expect(page.text).toMatch(/<span class="versions-count" title="Version 200 of 300">200\/300<\/span>/);
    expect(page.text).toContain(`?messageId=${answers[198]}`);
    expect(page.text).toContain(`?messageId=${answers[200]}`);
    const fragment = await get(`/threads/${thread.id}/messages?before=${answers[199]}`).set('HX-Request', 'true');
    expect(articleIds(fragment.text)).toEqual([q]);
  });
});
