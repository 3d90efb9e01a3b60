// Languages (issue 17): every converted page and fragment, rendered in the pseudo-locale `xx`, shows no text that did
// not go through the catalogue. To cover a page: add it to PAGES (who asks, how to reach it, the status expected);
// `pending` names the parts still owned by a later namespace (remove them as they are converted).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import type { TestApp } from '../support/app.ts';
import { ADMIN, admin, adminTestApp, member, type Member } from '../support/admin.ts';
import { csrfOf } from '../support/forms.ts';
import { untranslated } from '../support/pseudo-locale.ts';
import { createResetLink } from '../../src/features/auth/password-resets.ts';

type Ctx = { t: TestApp; member: Member; admin: Member };
type Page = {
  name: string; status: number;
  go: (c: Ctx) => Promise<request.Response>;
  /** User content the test itself put on the page. */
  allow?: (c: Ctx) => string[];
  pending?: string[];
};

const XX = { 'Accept-Language': 'xx' };
/** Parts of signed-in pages that later namespaces own (see docs/architecture.md "i18n"). */
const SHELL_PENDING = ['#thread-list' /* threads: groups, titles, More, Archived/Select…/Shortcuts */];
const ACCOUNT_PENDING = [...SHELL_PENDING, '#account-shares' /* sharing */, '#usage' /* usage */];
const people = (c: Ctx) => [c.member.user.email, 'Ada Member', c.admin.user.email, 'The Boss'];
/** Model names are names (MISTRAL_MODELS below): never translated. */
const MODELS = ['mistral-small-latest', 'codestral-latest'];
const peopleAndModels = (c: Ctx) => [...people(c), ...MODELS];

const signedOut = (c: Ctx, path: string) => request(c.t.app).get(path).set(XX);
const as = (who: Member, c: Ctx, path: string) => request(c.t.app).get(path).set(XX).set('Cookie', who.cookie);
/** A signed-out form POST: the page first (session + token), then the post, all in the pseudo-locale. */
async function postSignedOut(c: Ctx, page: string, path: string, form: Record<string, string>) {
  const agent = request.agent(c.t.app);
  const p = await agent.get(page).set(XX);
  return agent.post(path).set(XX).type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(p.text)![1], ...form });
}
async function postAs(who: Member, c: Ctx, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const agent = request.agent(c.t.app);
  agent.set('Cookie', who.cookie);
  const page = await agent.get('/account').set(XX);
  return agent.post(path).set(XX).set(headers).type('form').send({ _csrf: csrfOf(page.text), ...form });
}

export const PAGES: Page[] = [
  // Signed out
  { name: 'sign-in page', status: 200, go: (c) => signedOut(c, '/login') },
  { name: 'register page', status: 200, go: (c) => signedOut(c, '/register') },
  { name: 'sign-in refused (wrong password)', status: 401, go: (c) => postSignedOut(c, '/login', '/login', { email: 'nobody@example.com', password: 'wrong-password' }), allow: () => ['nobody@example.com'] },
  { name: 'sign-in with nothing typed', status: 422, go: (c) => postSignedOut(c, '/login', '/login', { email: '', password: '' }) },
  { name: 'register refused (fields)', status: 422, go: (c) => postSignedOut(c, '/register', '/register', { name: 'Zed', email: 'not-an-address', password: 'short' }), allow: () => ['Zed', 'not-an-address'] },
  { name: 'register refused (common password)', status: 422, go: (c) => postSignedOut(c, '/register', '/register', { email: 'new@example.com', password: 'password123' }), allow: () => ['new@example.com'] },
  { name: 'register refused (taken)', status: 409, go: (c) => postSignedOut(c, '/register', '/register', { email: c.member.user.email, password: 'a long unusual passphrase' }), allow: people },
  { name: 'register refused (admin address)', status: 403, go: (c) => postSignedOut(c, '/register', '/register', { email: ADMIN.replace('boss', 'boss'), password: 'a long unusual passphrase' }), allow: () => [ADMIN] },
  { name: 'single sign-on failed (expired flow)', status: 400, go: (c) => signedOut(c, '/auth/oidc/callback?state=stale&code=x') },
  { name: 'reset page', status: 200, go: async (c) => signedOut(c, `/reset/${(await createResetLink(c.t.db, c.member.user.id)).code}`), allow: people },
  { name: 'reset refused', status: 422, go: async (c) => { const { code } = await createResetLink(c.t.db, c.member.user.id); return postSignedOut(c, `/reset/${code}`, `/reset/${code}`, { password: 'short' }); }, allow: people },
  { name: 'reset link gone (404 page)', status: 404, go: (c) => signedOut(c, '/reset/no-such-code') },
  { name: 'not found page', status: 404, go: (c) => signedOut(c, '/no-such-page') },
  { name: 'not found htmx box', status: 404, go: (c) => signedOut(c, '/no-such-page').set('HX-Request', 'true') },
  { name: 'expired form (403 page)', status: 403, go: (c) => request(c.t.app).post('/login').set(XX).type('form').send({ email: 'a@example.com', password: 'x' }) },
  { name: 'signed out meanwhile (403 box)', status: 403, go: (c) => request(c.t.app).post('/account/name').set(XX).set('Cookie', 'connect.sid=gone').set('HX-Request', 'true').type('form').send({ name: 'x' }) },
  // Signed in
  { name: 'account page', status: 200, go: (c) => as(c.member, c, '/account'), allow: people, pending: ACCOUNT_PENDING },
  { name: 'account: name saved (flash)', status: 200, go: async (c) => {
    const agent = request.agent(c.t.app);
    agent.set('Cookie', c.member.cookie);
    const page = await agent.get('/account').set(XX);
    await agent.post('/account/name').set(XX).type('form').send({ _csrf: csrfOf(page.text), name: 'Ada Member' });
    return agent.get('/account').set(XX);
  }, allow: people, pending: ACCOUNT_PENDING },
  { name: 'account: wrong current password', status: 422, go: (c) => postAs(c.member, c, '/account/password', { current: 'not-it', password: 'a long unusual passphrase' }), allow: people, pending: ACCOUNT_PENDING },
  { name: 'account: delete not confirmed', status: 422, go: (c) => postAs(c.member, c, '/account/delete', { confirm: 'nope' }), allow: (c) => [...people(c), 'nope'], pending: ACCOUNT_PENDING },
  { name: 'signed-in 404 page', status: 404, go: (c) => as(c.member, c, '/no-such-page'), allow: people, pending: SHELL_PENDING },
  { name: 'settings page (configured models)', status: 200, go: (c) => as(c.member, c, '/settings'), allow: peopleAndModels, pending: SHELL_PENDING },
  { name: 'settings: saved notice', status: 200, go: (c) => as(c.member, c, '/settings?saved=defaults'), allow: peopleAndModels, pending: SHELL_PENDING },
  { name: 'settings: key refused (shape)', status: 422, go: (c) => postAs(c.member, c, '/settings/api-key', { apiKey: 'no' }), allow: peopleAndModels, pending: SHELL_PENDING },
  { name: 'settings: key refused (htmx fragment)', status: 422, go: (c) => postAs(c.member, c, '/settings/api-key', { apiKey: 'no' }, { 'HX-Request': 'true', 'HX-Target': 'key-section' }), allow: peopleAndModels },
  { name: 'settings: context too long', status: 422, go: (c) => postAs(c.member, c, '/settings/defaults', { defaultModel: 'mistral-small-latest', defaultContext: 'x'.repeat(20_001) }), allow: (c) => [...peopleAndModels(c), 'x'.repeat(20_001)], pending: SHELL_PENDING },
  { name: 'settings: unknown theme', status: 422, go: (c) => postAs(c.member, c, '/settings/appearance', { theme: 'neon' }), allow: peopleAndModels, pending: SHELL_PENDING },
  { name: 'settings: fast list refused (htmx box)', status: 422, go: (c) => postAs(c.member, c, '/settings/fast-models', { model: '<b>', action: 'add' }, { 'HX-Request': 'true' }) },
  { name: 'admin: account page', status: 200, go: (c) => as(c.admin, c, '/account'), allow: people, pending: ACCOUNT_PENDING },
  // Chat (namespace chat): the thread page's messages, footers and composer, their fragments, the edit and regenerate
  // forms, a refused send. The thread's header (#thread-head), the sidebar and the dictation box belong to others.
  ...((): Page[] => {
    const seeds = new WeakMap<Ctx, Promise<{ thread: string; question: number; answer: number; failed: number }>>();
    const words = ['Hello there', 'An answer.', 'Second question', 'Some thinking', 'The Source', 'cats'];
    const allow = (c: Ctx) => [...peopleAndModels(c), ...words];
    const pending = [...SHELL_PENDING, '#thread-head' /* threads */, '.dictation' /* files */];
    /** A thread with a finished answer in two versions (steps, sources, usage, thinking), then a failed one. */
    const seed = (c: Ctx) => {
      let s = seeds.get(c);
      if (!s) {
        s = (async () => {
          const { createThread } = await import('../../src/features/threads/threads.repo.ts');
          const { insertAnswer, insertExchange, saveFinal } = await import('../../src/features/chat/messages.repo.ts');
          const { NO_KEY_MESSAGE } = await import('../../src/features/chat/upstream-errors.ts');
          const db = c.t.db;
          const thread = await createThread(db, c.member.user.id, { title: 'Hello there' });
          const first = (await insertExchange(db, thread.id, 'Hello there', MODELS[0]))!;
          await saveFinal(db, first.reply.id, { content: 'An answer.', thinking: null, status: 'complete' });
          const again = (await insertAnswer(db, thread.id, first.message.id, MODELS[0]))!;
          await saveFinal(db, again.id, {
            content: 'An answer.', thinking: 'Some thinking', status: 'complete', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
            tools: {
              steps: [{ type: 'tool', name: 'web_search', status: 'done', input: '{"query":"cats"}' }, { type: 'tool', name: 'code_interpreter', status: 'error', input: '{"code":"1"}' }],
              sources: [{ title: 'The Source', url: 'https://example.com/' }],
            },
          });
          const second = (await insertExchange(db, thread.id, 'Second question', MODELS[0]))!;
          await saveFinal(db, second.reply.id, { content: '', thinking: null, status: 'error', error: NO_KEY_MESSAGE });
          return { thread: thread.id, question: first.message.id, answer: again.id, failed: second.reply.id };
        })();
        seeds.set(c, s);
      }
      return s;
    };
    const thread = async (c: Ctx, rest = '') => { const s = await seed(c); return `/threads/${s.thread}${rest}`; };
    const htmx = { 'HX-Request': 'true' };
    return [
      { name: 'chat: thread page (versions, steps, sources, a failed answer)', status: 200, go: async (c) => as(c.member, c, await thread(c)), allow, pending },
      { name: 'chat: an answer (htmx fragment)', status: 200, go: async (c) => as(c.member, c, await thread(c, `/messages/${(await seed(c)).answer}`)).set(htmx), allow },
      { name: 'chat: a failed answer (htmx fragment)', status: 200, go: async (c) => as(c.member, c, await thread(c, `/messages/${(await seed(c)).failed}`)).set(htmx), allow },
      { name: 'chat: edit page', status: 200, go: async (c) => as(c.member, c, await thread(c, `/messages/${(await seed(c)).question}/edit`)), allow, pending },
      { name: 'chat: edit form (htmx fragment)', status: 200, go: async (c) => as(c.member, c, await thread(c, `/messages/${(await seed(c)).question}/edit`)).set(htmx), allow },
      { name: 'chat: regenerate page', status: 200, go: async (c) => as(c.member, c, await thread(c, `/messages/${(await seed(c)).answer}/regenerate`)), allow, pending },
      { name: 'chat: messages (htmx fragment)', status: 200, go: async (c) => as(c.member, c, await thread(c, '/messages')).set(htmx), allow },
      { name: 'chat: empty message refused (page)', status: 422, go: async (c) => postAs(c.member, c, await thread(c, '/messages'), { content: ' ' }), allow, pending },
      { name: 'chat: empty message refused (htmx composer)', status: 422, go: async (c) => postAs(c.member, c, await thread(c, '/messages'), { content: ' ' }, htmx), allow, pending: ['.dictation'] },
      { name: 'chat: no such conversation (htmx box)', status: 404, go: (c) => as(c.member, c, '/threads/nope/messages').set(htmx) },
    ];
  })(),
];

describe.each(DIALECTS)('pseudo-locale: no text outside the catalogue on %s', (dialect) => {
  let c: Ctx;
  beforeAll(async () => {
    // Single sign-on configured (never reached: the pages below stop before discovery), so its button shows too.
    const t = await adminTestApp(dialect, { OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_CLIENT_ID: 'mc', OIDC_CLIENT_SECRET: 'secret',
      MISTRAL_MODELS: MODELS.join(',') });
    c = { t, member: await member(t, 'ada@example.com', { name: 'Ada Member' }), admin: await admin(t) };
  });
  afterAll(async () => { await c?.t.close(); });

  it.each(PAGES.map((p) => [p.name, p] as const))('%s', async (_name, page) => {
    const res = await page.go(c);
    expect(res.status, res.text.slice(0, 500)).toBe(page.status);
    expect(res.text).toContain('⟦'); // it did render in the pseudo-locale
    expect(untranslated(res.text, { allow: page.allow?.(c), pending: page.pending })).toEqual([]);
  });

  it('the checker itself finds a stray word, a raw attribute and a half-wrapped attribute', () => {
    expect(untranslated('<p>⟦Hello⟧ world</p><a title="Plain">⟦x⟧</a><img alt="⟦a⟧ b">')).toEqual([
      'text: "world" (in <p>)', 'title="Plain" (on <a>)', 'alt="⟦a⟧ b" (on <img>)',
    ]);
    expect(untranslated('<p>⟦Type <strong>me@x.org</strong> to confirm⟧</p>')).toEqual([]);
    expect(untranslated('<div id="thread-list"><h2>Today</h2></div>', { pending: ['#thread-list'] })).toEqual([]);
  });
});
