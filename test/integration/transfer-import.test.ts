// Import: ChatGPT and Open WebUI samples (test/fixtures/transfer) keep their branches and current message; bad files
// are refused with a sentence naming what was wrong and import nothing; the form upload (multipart) passes CSRF only
// with its token; imports are rate limited.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

type Json = Record<string, any>;
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures/transfer', name), 'utf8');

describe.each(DIALECTS)('import on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let auth: Record<string, string>;
  beforeAll(async () => {
    t = await chatApp(dialect, { IMPORT_MAX_BYTES: '40000', IMPORT_MAX_CONVERSATIONS: '3', IMPORT_MAX_MESSAGES: '12', IMPORT_LIMIT_PER_HOUR: '0' });
    s = await signIn(t); auth = { Authorization: `Bearer ${s.token}` };
  });
  afterAll(async () => { await t?.close(); });

  const threadCount = async (userId: number) => Number((await t.db('threads').where({ user_id: userId }).count({ n: '*' }).first())!.n);
  const importJson = (body: string, headers = auth) => request(t.app).post('/api/import').set(headers).set('Content-Type', 'application/json').send(body);
  const shown = async (id: string) => (await request(t.app).get(`/api/thread/${id}`).set(auth)).body as Json;
  const all = async (id: string) => JSON.parse((await request(t.app).get(`/api/thread/${id}/export`).set(auth)).text).thread as Json;

  it('a ChatGPT conversations.json: branches, current node, models, times; system, tool and hidden nodes skipped', async () => {
    const res = await request(t.app).post('/api/import').set(auth).attach('file', Buffer.from(fixture('chatgpt-conversations.json')), 'conversations.json');
    expect(res.status).toBe(201);
    expect(res.body.threads.map((x: Json) => x.title)).toEqual(['Quadratic formula', 'What is in this picture']);
    const [quad, pic] = res.body.threads.map((x: Json) => x.id);
    const view = await shown(quad);
    expect(view.messages.map((m: Json) => [m.role, m.content.split('\n')[0]])).toEqual([
      ['user', 'What is the quadratic formula?'], ['assistant', 'For $ax^2+bx+c=0$:'],
      ['user', 'Show it in JavaScript, and run a check'], ['assistant', '```js'],
    ]);
    expect(view.messages[2].siblings).toMatchObject({ index: 2, count: 2 });
    expect(view.messages[3]).toMatchObject({ model: 'gpt-4o', status: 'complete', createdAt: new Date((1700000000 + 23) * 1000).toISOString() });
    const whole = await all(quad);
    expect(whole.messages).toHaveLength(6); // root, system, tool call and tool output are not messages here
    expect(whole.messages.map((m: Json) => m.content)).toContain('Show it in Python');
    expect(whole.createdAt).toBe(new Date(1700000000500).toISOString());
    expect((await shown(pic)).messages.map((m: Json) => m.content)).toEqual(['What is in this picture?', 'A red square on a white background.']);
  });

  it('an Open WebUI chat export: the regenerated answer is a version, currentId is shown, usage kept', async () => {
    const res = await importJson(fixture('openwebui-chat-export.json'));
    expect(res.status).toBe(201);
    expect(res.body.threads.map((x: Json) => x.title)).toEqual(['Primes', 'Hello in French']);
    const view = await shown(res.body.threads[0].id);
    expect(view.messages.map((m: Json) => m.content)).toEqual(['Name three prime numbers.', 'Two, three and seven.', 'And their sum?', '$2+3+7 = 12$']);
    expect(view.messages[1]).toMatchObject({ model: 'mistral:7b', usage: { promptTokens: 12, completionTokens: 7, totalTokens: 19 }, siblings: { index: 2, count: 2 } });
    const whole = await all(res.body.threads[0].id);
    expect(whole.messages.find((m: Json) => m.content === '2, 3 and 5.')).toMatchObject({ model: 'llama3.1:8b', parentId: whole.messages[0].id });
    expect(whole.updatedAt).toBe(new Date((1700002000 + 60) * 1000).toISOString());
  });

  it('bad files are refused with a sentence saying what was wrong, and nothing is imported', async () => {
    const u = await signIn(t);
    const h = { Authorization: `Bearer ${u.token}` };
    const chatgpt = JSON.parse(fixture('chatgpt-conversations.json'));
    const broken = structuredClone(chatgpt);
    broken[1].mapping['p-2'].message.content.parts = 'not a list';
    const cases: Array<[string, string, number, RegExp]> = [
      ['not JSON', '{"threads": [', 422, /not valid JSON/],
      ['unknown shape', JSON.stringify({ hello: 'world' }), 422, /not one we can import/],
      ['empty list', '[]', 422, /holds no conversations/],
      ['too many conversations', JSON.stringify([chatgpt[0], chatgpt[1], chatgpt[1], chatgpt[1]]), 413, /4 conversations; one import may hold at most 3/],
      ['too many messages', JSON.stringify([chatgpt[0], chatgpt[0], chatgpt[0]]), 413, /more than 12 messages/],
      ['one broken among good ones', JSON.stringify(broken), 422, /Conversation 2 \(“What is in this picture”\), node “p-2”: its “content\.parts” is not a list/],
      ['our export with a bad field', JSON.stringify({ format: 'mistralchat', version: 1, threads: [{ title: 'Fine', messages: [] }, { title: 'Bad', messages: [{ id: 1, parentId: null, role: 'robot', content: 'x', createdAt: '2026-01-01T00:00:00Z' }] }] }), 422, /Conversation 2 \(“Bad”\): message 1’s “role” is not user, assistant or system/],
      ['a parent that is not there', JSON.stringify({ format: 'mistralchat', version: 1, thread: { title: 'Orphan', messages: [{ id: 5, parentId: 4, role: 'user', content: 'x', createdAt: '2026-01-01T00:00:00Z' }] } }), 422, /“5” follows “4”, which is not in the conversation/],
      ['a newer version', JSON.stringify({ format: 'mistralchat', version: 9, threads: [] }), 422, /version 9/],
    ];
    for (const [what, body, status, message] of cases) {
      const res = await importJson(body, h);
      expect(res.status, what).toBe(status);
      expect(res.body.error.message, what).toMatch(message);
    }
    // Too big: refused by size before it is read (the limit here is 40,000 bytes).
    const big = JSON.stringify([{ ...chatgpt[1], title: 'x'.repeat(50_000) }]);
    const tooBig = await request(t.app).post('/api/import').set(h).attach('file', Buffer.from(big), 'big.json');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/larger than the import limit/);
    expect((await importJson(big, h)).status).toBe(413);
    expect(await threadCount(u.user.id)).toBe(0);
    // No file at all.
    const none = await request(t.app).post('/api/import').set(h).field('x', '1');
    expect(none.status).toBe(422);
    expect(none.body.error.message).toBe('Choose a file to import.');
  });

  it('the form upload (multipart) needs its CSRF token from the form, never from the query', async () => {
    const u = await signIn(t);
    const file = Buffer.from(fixture('openwebui-chat-export.json'));
    const post = (url = '/account/import') => request(t.app).post(url).set('Cookie', u.cookie).attach('file', file, 'chat-export.json');
    expect((await post()).status).toBe(403);
    expect((await post(`/account/import?_csrf=${encodeURIComponent(u.csrf)}`)).status).toBe(403);
    expect(await threadCount(u.user.id)).toBe(0);
    const ok = await post().field('_csrf', u.csrf);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/account#transfer');
    expect(await threadCount(u.user.id)).toBe(2);
    const account = await request(t.app).get('/account').set('Cookie', u.cookie);
    expect(account.text).toContain('Imported 2 conversations.');
    // One conversation opens it.
    const one = JSON.stringify([JSON.parse(fixture('openwebui-chat-export.json'))[1]]);
    const single = await request(t.app).post('/account/import').set('Cookie', u.cookie).field('_csrf', u.csrf).attach('file', Buffer.from(one), 'one.json');
    expect(single.status).toBe(303);
    expect(single.headers.location).toMatch(/^\/threads\/[A-Za-z0-9_-]+#latest$/);
    // A bad file comes back to Account with the reason.
    const bad = await request(t.app).post('/account/import').set('Cookie', u.cookie).field('_csrf', u.csrf).attach('file', Buffer.from('nope'), 'x.json');
    expect(bad.status).toBe(303);
    expect((await request(t.app).get('/account').set('Cookie', u.cookie)).text).toContain('Nothing was imported. The file is not valid JSON');
    expect(await threadCount(u.user.id)).toBe(3);
    // A cookie JSON request needs the header token too.
    expect((await request(t.app).post('/api/import').set('Cookie', u.cookie).set('Content-Type', 'application/json').send(one)).status).toBe(403);
    expect((await request(t.app).post('/api/import').set('Cookie', u.cookie).set('X-CSRF-Token', u.csrf).set('Content-Type', 'application/json').send(one)).status).toBe(201);
  });
});

describe.each(DIALECTS)('import rate limit on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect, { IMPORT_LIMIT_PER_HOUR: '2' }); });
  afterAll(async () => { await t?.close(); });

  it('the third import in an hour is 429 with Retry-After and imports nothing; another user is not held back', async () => {
    const s = await signIn(t);
    const body = fixture('openwebui-chat-export.json');
    const send = (token: string) => request(t.app).post('/api/import').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send(body);
    expect((await send(s.token)).status).toBe(201);
    expect((await send(s.token)).status).toBe(201);
    const third = await send(s.token);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(third.body.error.message).toMatch(/Too many imports/);
    expect(Number((await t.db('threads').where({ user_id: s.user.id }).count({ n: '*' }).first())!.n)).toBe(4);
    const other = await signIn(t);
    expect((await send(other.token)).status).toBe(201);
  });
});
