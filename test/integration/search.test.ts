// Search (issue 15) on both dialects: what is found, whose, how it is shown, when it is indexed and when it leaves.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, deleteUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { searchOwner } from '../../src/features/search/owner.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { attachDocument, indexedRows, NASTY_QUERIES, seedThread } from '../support/search.ts';

type Hit = { threadId: string; title: string | null; messageId: number | null; snippet: string };

describe.each(DIALECTS)('search on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  const api = async (who: Session, q: string, extra = '') => {
    const res = await request(t.app).get(`/api/search?q=${encodeURIComponent(q)}${extra}`).set('Authorization', `Bearer ${who.token}`);
    expect(res.status).toBe(200);
    return res.body as { results: Hit[]; nextCursor: string | null };
  };
  /** The message ids of every page of a search, following nextCursor (five pages at most). */
  const allPages = async (who: Session, q: string, extra = '') => {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 5; n++) {
      const page = await api(who, q, `${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.results.map((h) => h.messageId!));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return seen;
  };

  it('finds words in questions, answers, titles and attached documents, with the hit marked', async () => {
    const u = await signIn(t);
    const a = await seedThread(t.db, u.user.id, { title: 'Holiday planning', messages: ['Where should I go in Lisbon?', 'Try the Alfama quarter and eat pastéis.'] });
    await attachDocument(t.db, u.user.id, a.messageIds[0], 'Invoice number 4471 for the zeppelin rental');
    const q = await api(u, 'lisbon');
    expect(q.results).toHaveLength(1);
    expect(q.results[0]).toMatchObject({ threadId: a.id, title: 'Holiday planning', messageId: a.messageIds[0] });
    expect(q.results[0].snippet).toBe('Where should I go in <mark>Lisbon</mark>?');
    expect((await api(u, 'alfama')).results[0].messageId).toBe(a.messageIds[1]);
    // A two-letter word and a stopword of InnoDB's are found too (MySQL indexes them with their owner's prefix).
    expect((await api(u, 'go')).results.map((h) => h.messageId)).toEqual([a.messageIds[0]]);
    expect((await api(u, '"eat pastéis"')).results.map((h) => h.messageId)).toEqual([a.messageIds[1]]);
    // Accents folded both ways, as the engines do.
    expect((await api(u, 'pasteis')).results[0].snippet).toContain('<mark>pastéis</mark>');
    const title = (await api(u, 'holiday')).results;
    expect(title).toEqual([{ threadId: a.id, title: 'Holiday planning', messageId: null, snippet: '<mark>Holiday</mark> planning' }]);
    const ocr = (await api(u, 'zeppelin')).results;
    expect(ocr).toHaveLength(1);
    expect(ocr[0].messageId).toBe(a.messageIds[0]);
    expect(ocr[0].snippet).toContain('<mark>zeppelin</mark>');
    // Phrases and prefixes.
    expect((await api(u, '"alfama quarter"')).results).toHaveLength(1);
    expect((await api(u, '"quarter alfama"')).results).toHaveLength(0);
    expect((await api(u, 'alfa*')).results[0].snippet).toContain('<mark>Alfama</mark>');
    expect((await api(u, 'alfa')).results).toHaveLength(0);
  });

  it('shows the words of Markdown, not its syntax, in snippets on the page and in the API', async () => {
    const u = await signIn(t);
    const answer = '## Day one\n\n- Walk **Belém** and try the `pastel de nata`\n- See [the tower](https://example.com/torre) ~~twice~~\n\n```\nbelem_route = 1\n```';
    const a = await seedThread(t.db, u.user.id, { title: 'Trip', messages: ['plan my trip', answer] });
    await attachDocument(t.db, u.user.id, a.messageIds[0], '| Item | Cost |\n|---|---:|\n| *Gondola* ride | 12 |');
    expect((await api(u, 'belem')).results.map((h) => h.snippet)).toEqual([
      'Day one Walk <mark>Belém</mark> and try the pastel de nata See the tower twice <mark>belem</mark>_route = 1',
    ]);
    expect((await api(u, 'gondola')).results.map((h) => h.snippet)).toEqual(['Item Cost <mark>Gondola</mark> ride 12']);
    const page = await request(t.app).get('/search?q=belem').set('Cookie', u.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Walk <mark>Belém</mark> and try the pastel de nata See the tower twice');
    expect(page.text).not.toMatch(/\*\*<mark>|example\.com\/torre|```/);
  });

  it("never finds another user's content, on the page or in the API", async () => {
    const owner = await signIn(t);
    const other = await signIn(t);
    await seedThread(t.db, owner.user.id, { title: 'Secret quokka title', messages: ['the quokka password is here', 'quokka reply'] });
    expect((await api(owner, 'quokka')).results).toHaveLength(3);
    expect((await api(other, 'quokka')).results).toEqual([]);
    const page = await request(t.app).get('/search?q=quokka').set('Cookie', other.cookie);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('quokka password');
    expect(page.text).toContain('Nothing found.');
  });

  it('escapes everything in snippets but its own <mark>', async () => {
    const u = await signIn(t);
    await seedThread(t.db, u.user.id, { title: '<img src=x onerror=alert(1)> xsstitle', messages: ['xssword <script>alert(1)</script> "quoted" & <b>bold</b>', 'ok'] });
    for (const q of ['xssword', 'xsstitle', 'script', 'onerror']) {
      for (const h of (await api(u, q)).results) {
        expect(h.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
      }
    }
    const hit = (await api(u, 'xssword')).results[0];
    expect(hit.snippet).toBe('<mark>xssword</mark> &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    const page = await request(t.app).get('/search?q=xssword').set('Cookie', u.cookie);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('&lt;script&gt;alert(1)');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt; xsstitle');
  });

  it('indexes a streamed answer when it is final, not while it is written', async () => {
    const u = await signIn(t);
    t.fake.enqueue({ tokens: ['Capybaras ', 'are ', 'the ', 'largest ', 'rodents', '.', ' Indeed', '.'], firstTokenDelayMs: 50, tokenDelayMs: 250 });
    const sent = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${u.token}`).send({});
    const id = sent.body.thread.id;
    expect((await request(t.app).post(`/api/thread/${id}/messages`).set('Authorization', `Bearer ${u.token}`).send({ content: 'tell me about rodents' })).status).toBe(202);
    // Saved while streaming (progress saves), yet not found.
    await waitFor(async () => (await t.db('messages').where({ thread_id: id, role: 'assistant' }).first())?.content.includes('Capybaras'));
    expect((await t.db('messages').where({ thread_id: id, role: 'assistant' }).first()).status).toMatch(/pending|streaming/);
    expect((await api(u, 'capybaras')).results).toEqual([]);
    await t.gens.idle();
    const found = (await api(u, 'capybaras')).results;
    expect(found).toHaveLength(1);
    expect(found[0].snippet).toContain('<mark>Capybaras</mark>');
    expect((await api(u, 'rodents')).results.length).toBeGreaterThanOrEqual(2);
  });

  it('leaves the index when a thread, a message or a user is deleted', async () => {
    const u = await signIn(t);
    const a = await seedThread(t.db, u.user.id, { title: 'Wombat notes', messages: ['wombat question', 'wombat answer'] });
    expect(await indexedRows(t.db, 'wombat')).toBe(3);
    const del = await request(t.app).delete(`/api/thread/${a.id}`).set('Authorization', `Bearer ${u.token}`);
    expect(del.status).toBeLessThan(300);
    expect(await indexedRows(t.db, 'wombat')).toBe(0);
    expect((await api(u, 'wombat')).results).toEqual([]);

    const b = await seedThread(t.db, u.user.id, { title: 'Narwhal notes', messages: ['narwhal question', 'narwhal answer'] });
    await attachDocument(t.db, u.user.id, b.messageIds[0], 'axolotl document');
    await t.db('messages').where({ id: b.messageIds[1] }).delete();
    expect(await indexedRows(t.db, 'narwhal')).toBe(2);
    expect((await api(u, 'axolotl')).results).toHaveLength(1);
    await deleteUser(t.db, u.user.id);
    expect(await indexedRows(t.db, 'narwhal')).toBe(0);
    if (dialect === 'sqlite') expect(Number((await t.db.raw(`SELECT COUNT(*) AS n FROM search_index WHERE search_index MATCH 'uid : "u${u.user.id}"'`))[0].n)).toBe(0);
  });

  it('leaves archived threads out unless asked, and never shows temporary ones', async () => {
    const u = await signIn(t);
    const live = await seedThread(t.db, u.user.id, { title: 'Ocelot live', messages: ['ocelot one'] });
    const archived = await seedThread(t.db, u.user.id, { title: 'Ocelot old', messages: ['ocelot two'], archived: true });
    await seedThread(t.db, u.user.id, { title: 'Ocelot temporary', messages: ['ocelot three'], temporary: true });
    const ids = async (extra: string) => [...new Set((await api(u, 'ocelot', extra)).results.map((h) => h.threadId))].sort();
    expect(await ids('')).toEqual([live.id]);
    expect(await ids('&archived=include')).toEqual([live.id, archived.id].sort());
    expect(await ids('&archived=only')).toEqual([archived.id]);
    const page = await request(t.app).get('/search?q=ocelot&archived=include').set('Cookie', u.cookie);
    const results = page.text.slice(page.text.indexOf('id="search-results"'));
    expect(results).toContain('Ocelot old');
    expect(results).not.toContain('ocelot three');
  });

  it('never fails on punctuation or operators, on the page or in the API', async () => {
    await seedThread(t.db, s.user.id, { title: 'Punctuation', messages: ['a OR b, NEAR the end: x^2 + y ~ z @home <tag> "quoted" 東京都'] });
    for (const q of NASTY_QUERIES) {
      for (const sort of ['', '&sort=relevance']) {
        const res = await request(t.app).get(`/api/search?q=${encodeURIComponent(q)}${sort}`).set('Authorization', `Bearer ${s.token}`);
        expect(res.status, `query ${JSON.stringify(q)}`).toBe(200);
        const page = await request(t.app).get(`/search?q=${encodeURIComponent(q)}${sort}&cursor=${encodeURIComponent(q)}`).set('Cookie', s.cookie);
        expect(page.status, `page ${JSON.stringify(q)}`).toBe(200);
      }
    }
    expect((await api(s, '東京都')).results).toHaveLength(1);
    expect((await api(s, 'home')).results).toHaveLength(1);
  });

  it('pages with a cursor, newest first or by relevance, without repeats', async () => {
    const u = await signIn(t);
    const base = Date.now() - 1_000_000;
    for (let i = 0; i < 45; i++) await seedThread(t.db, u.user.id, { title: `T${i}`, messages: [`pangolin ${i}${i % 3 === 0 ? ' pangolin pangolin' : ''}`], at: new Date(base + i * 1000) });
    for (const sort of ['', '&sort=relevance']) {
      const seen = await allPages(u, 'pangolin', sort);
      expect(seen).toHaveLength(45);
      expect(new Set(seen).size).toBe(45);
      if (!sort) expect(seen).toEqual([...seen].sort((a, b) => b - a));
    }
  });

  it('pages through hits written in the same millisecond without repeating or skipping one', async () => {
    // SQLite's sort key (time x 2^21 + id) passes 2^53: read as a JS number, neighbours of one millisecond collapse.
    const u = await signIn(t);
    const a = await seedThread(t.db, u.user.id, { title: 'Marsupials', messages: ['quokka first'] });
    const at = new Date(Date.now() - 5_000);
    for (let i = 0; i < 44; i++) {
      await t.db('messages').insert({ thread_id: a.id, search_owner: searchOwner(u.user.id), role: 'user', content: `quokka ${i}`, status: 'complete', created_at: at, updated_at: at });
    }
    const seen = await allPages(u, 'quokka');
    expect(new Set(seen).size).toBe(45);
    expect(seen).toHaveLength(45);
  });

  it('finds and pages newest first across a long history (MySQL asks its buckets of 2,048 messages newest first)', async () => {
    const u = await signIn(t);
    const a = await seedThread(t.db, u.user.id, { title: 'Long history', messages: [] });
    const base = Date.now() - 3_600_000;
    const rows = Array.from({ length: 700 }, (_, i) => ({
      thread_id: a.id, search_owner: searchOwner(u.user.id, i * 8), role: 'user', status: 'complete',
      content: `entry ${i}${i % 25 === 7 ? ' caracal' : ''}${i === 3 ? ' yeti' : ''}`, created_at: new Date(base + i * 1000), updated_at: new Date(base + i * 1000),
    }));
    for (let i = 0; i < rows.length; i += 100) await t.db('messages').insert(rows.slice(i, i + 100));
    // As if every 8th message of a 5,600-message history: three of MySQL's buckets, asked in two windows.
    await t.db('users').where({ id: u.user.id }).update({ search_seq: 5600 });
    const seen = await allPages(u, 'caracal');
    expect(seen).toHaveLength(28);
    expect(seen).toEqual([...new Set(seen)].sort((x, y) => y - x));
    // The oldest bucket's only hit, and a prefix, are found too.
    expect((await api(u, 'yeti')).results.map((h) => h.snippet)).toEqual(['entry 3 <mark>yeti</mark>']);
    expect((await api(u, 'carac*')).results).toHaveLength(20);
    expect((await api(u, 'caracal', '&sort=relevance')).results).toHaveLength(20);
  });

  it('works as a plain GET page (JavaScript off) and as htmx fragments, under the base path through url()', async () => {
    const u = await signIn(t);
    const a = await seedThread(t.db, u.user.id, { title: 'Meerkat', messages: ['meerkat watch', 'meerkats stand guard'] });
    const page = await request(t.app).get('/search?q=meerkat').set('Cookie', u.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<!doctype html>');
    expect(page.text).toContain('id="search-q"');
    expect(page.text).toContain(`href="/threads/${a.id}?at=${a.messageIds[0]}#m-${a.messageIds[0]}"`);
    expect(page.text).toContain('<mark>meerkat</mark> watch');
    const frag = await request(t.app).get('/search?q=meerkat').set('Cookie', u.cookie).set('HX-Request', 'true');
    expect(frag.text).not.toContain('<!doctype html>');
    expect(frag.text).toContain('id="search-hits"');
    const home = await request(t.app).get('/').set('Cookie', u.cookie);
    expect(home.text).toContain('id="sidebar-search"');
    // The hit opens the thread on the message's own branch.
    const opened = await request(t.app).get(`/threads/${a.id}?at=${a.messageIds[0]}`).set('Cookie', u.cookie);
    expect(opened.text).toContain(`id="m-${a.messageIds[0]}"`);
  });
});

describe.each(DIALECTS)('opening a hit on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('shows a hit on another branch than the shown one, without remembering that branch', async () => {
    const u = await signIn(t);
    const a = await seedThread(t.db, u.user.id, { title: 'Branches', messages: ['first question', 'old answer about gerbils'] });
    // An edit of the first question, answered: the thread now shows the new branch.
    const now = new Date();
    const [q2] = await t.db('messages').insert({ thread_id: a.id, parent_id: null, role: 'user', content: 'edited question', status: 'complete', created_at: now, updated_at: now });
    const [a2] = await t.db('messages').insert({ thread_id: a.id, parent_id: Number(q2), role: 'assistant', content: 'new answer', status: 'complete', created_at: now, updated_at: now });
    await t.db('threads').where({ id: a.id }).update({ current_leaf_id: Number(a2) });
    const hit = (await request(t.app).get('/api/search?q=gerbils').set('Authorization', `Bearer ${u.token}`)).body.results[0];
    expect(hit.messageId).toBe(a.messageIds[1]);
    const shown = await request(t.app).get(`/threads/${a.id}`).set('Cookie', u.cookie);
    expect(shown.text).not.toContain(`id="m-${a.messageIds[1]}"`);
    const opened = await request(t.app).get(`/threads/${a.id}?at=${hit.messageId}`).set('Cookie', u.cookie);
    expect(opened.text).toContain(`id="m-${a.messageIds[1]}"`);
    expect(opened.text).not.toContain(`id="m-${Number(a2)}"`);
    // The composer sends into the branch shown; the thread still remembers the other one.
    expect(opened.text).toContain(`name="after" id="send-after" value="${a.messageIds[1]}"`);
    expect(Number((await t.db('threads').where({ id: a.id }).first()).current_leaf_id)).toBe(Number(a2));
    // Another thread's message, or another user's thread: the thread as usual / not found.
    expect((await request(t.app).get(`/threads/${a.id}?at=999999`).set('Cookie', u.cookie)).status).toBe(200);
    const other = await signIn(t);
    expect((await request(t.app).get(`/threads/${a.id}?at=${hit.messageId}`).set('Cookie', other.cookie)).status).toBe(404);
  });
});

describe.each(DIALECTS)('search under /chat on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect, { BASE_PATH: '/chat' }); });
  afterAll(async () => { await t?.close(); });

  it('links every action and hit through the base path', async () => {
    const user = await createUser(t.db, { email: `base-${Date.now()}@example.com`, name: 'Base' });
    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const a = await seedThread(t.db, user.id, { title: 'Base path', messages: ['tapir facts'] });
    const page = await request(t.app).get('/chat/search?q=tapir').set('Cookie', `access_token=${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('action="/chat/search"');
    expect(page.text).toContain(`href="/chat/threads/${a.id}?at=${a.messageIds[0]}#m-${a.messageIds[0]}"`);
    expect(page.text).not.toMatch(/(href|action|hx-get)="\/(search|threads)/);
  });
});
