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
import { addUsage, monthOf } from '../../src/features/usage/usage.repo.ts';
import { monthLabel } from '../../src/features/usage/usage.routes.ts';
import { createThread, markThreads } from '../../src/features/threads/threads.repo.ts';
import { linkAsPath } from '../support/message-paths.ts';
import { insertFile } from '../../src/features/files/files.repo.ts';

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
const SHELL_PENDING: string[] = [];
const ACCOUNT_PENDING = [...SHELL_PENDING];
/** The people the test made, and this month's name (Account's usage section): Intl writes it in the reader's
 * language, and knows no pseudo-locale (English there). */
/** And the member's shared thread (searchSharingPages), listed in their sidebar once made. */
const people = (c: Ctx) => [c.member.user.email, 'Ada Member', c.admin.user.email, 'The Boss', monthLabel(monthOf(), 'xx'), 'Kettle notes'];
/** Model names are names (MISTRAL_MODELS below): never translated. */
const MODELS = ['mistral-small-latest', 'codestral-latest'];
const peopleAndModels = (c: Ctx) => [...people(c), ...MODELS];

/** Admin and usage: some tokens this month for the member, so the usage tables have rows. */
const someUsage = (c: Ctx) => addUsage(c.t.db, { userId: c.member.user.id, model: MODELS[0], serverKey: false, answer: true,
  counts: { promptTokens: 1200, completionTokens: 340, connectorTokens: 5 } });

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

// threads, home, help: a member of their own with conversations (pinned, today, last month, archived, temporary),
// made once per app, so the other pages' sidebars stay empty.
const CHAT_PENDING: string[] = [];
const THREAD_PENDING = [...CHAT_PENDING];
const TITLES = { plain: 'Plain talk', archived: 'Old archive', temporary: 'Quick question', month: 'Spring plans', pinned: 'Pinned notes', long: 'Long talk' };
type Seeded = Record<keyof typeof TITLES, string>;
const seeds = new WeakMap<Ctx, Promise<{ who: Member; ids: Seeded }>>();
function seed(c: Ctx) {
  let s = seeds.get(c);
  if (!s) {
    s = (async () => {
      const who = await member(c.t, 'lister@example.com', { name: 'Lee Lister' });
      const ids = {} as Seeded;
      for (const [k, title] of Object.entries(TITLES) as Array<[keyof Seeded, string]>) {
        ids[k] = (await createThread(c.t.db, who.user.id, { title, temporary: k === 'temporary' })).id;
      }
      await c.t.db('threads').where({ id: ids.month }).update({ updated_at: new Date(Date.now() - 40 * 24 * 3600_000) });
      await markThreads(c.t.db, who.user.id, [ids.archived], 'archived_at', true);
      await markThreads(c.t.db, who.user.id, [ids.pinned], 'pinned_at', true);
      // A thread longer than a page, for the older page's links back (?before=).
      const at = Date.now();
      await c.t.db('messages').insert(Array.from({ length: 60 }, (_, i) => ({ thread_id: ids.long, role: i % 2 ? 'assistant' : 'user',
        content: `m${i}`, status: 'complete', created_at: new Date(at + i), updated_at: new Date(at + i) })));
      await linkAsPath(c.t.db, ids.long);
      return { who, ids };
    })();
    seeds.set(c, s);
  }
  return s;
}
const lister = async (c: Ctx) => (await seed(c)).who;
const seeded = async (c: Ctx) => (await seed(c)).ids;
const listerContent = () => ['lister@example.com', 'Lee Lister', ...Object.values(TITLES), ...MODELS];

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
  // Admin and usage (namespaces admin, usage): the administration pages, their refusals and flashes, the quota form,
  // and Account's usage section with tokens in it.
  { name: 'account: usage section with tokens', status: 200, go: async (c) => { await someUsage(c); return as(c.member, c, '/account'); }, allow: peopleAndModels, pending: ACCOUNT_PENDING },
  { name: 'admin: users list', status: 200, go: async (c) => { await someUsage(c); return as(c.admin, c, '/admin/users'); }, allow: people, pending: SHELL_PENDING },
  { name: 'admin: users search, no match', status: 200, go: (c) => as(c.admin, c, '/admin/users?q=zzyzx'), allow: (c) => [...people(c), 'zzyzx'], pending: SHELL_PENDING },
  { name: 'admin: user row (htmx fragment, enabled)', status: 200, go: (c) => postAs(c.admin, c, `/admin/users/${c.member.user.id}/enable`, {}, { 'HX-Request': 'true' }), allow: people },
  { name: 'admin: disabling yourself refused (htmx box)', status: 409, go: (c) => postAs(c.admin, c, `/admin/users/${c.admin.user.id}/disable`, {}, { 'HX-Request': 'true' }) },
  { name: 'admin: disabling yourself refused (flash, JS off)', status: 200, go: async (c) => {
    const agent = request.agent(c.t.app);
    agent.set('Cookie', c.admin.cookie);
    const page = await agent.get('/admin/users').set(XX);
    await agent.post(`/admin/users/${c.admin.user.id}/disable`).set(XX).type('form').send({ _csrf: csrfOf(page.text) });
    return agent.get('/admin/users').set(XX);
  }, allow: people, pending: SHELL_PENDING },
  { name: 'admin: delete page', status: 200, go: (c) => as(c.admin, c, `/admin/users/${c.member.user.id}/delete`), allow: people, pending: SHELL_PENDING },
  { name: 'admin: delete page for yourself', status: 200, go: (c) => as(c.admin, c, `/admin/users/${c.admin.user.id}/delete`), allow: people, pending: SHELL_PENDING },
  { name: 'admin: no such user (404 page)', status: 404, go: (c) => as(c.admin, c, '/admin/users/999999/delete'), allow: people, pending: SHELL_PENDING },
  { name: 'admin: reset link page', status: 200, go: (c) => postAs(c.admin, c, `/admin/users/${c.member.user.id}/reset-link`, {}), allow: people, pending: SHELL_PENDING },
  { name: 'admin: invites page', status: 200, go: (c) => as(c.admin, c, '/admin/invites'), allow: people, pending: SHELL_PENDING },
  { name: 'admin: invite created (with the open list)', status: 200, go: (c) => postAs(c.admin, c, '/admin/invites', { uses: '3', expiresInDays: '7' }), allow: people, pending: SHELL_PENDING },
  { name: 'admin: invite refused (fields)', status: 422, go: (c) => postAs(c.admin, c, '/admin/invites', { uses: '0', expiresInDays: '999' }), allow: people, pending: SHELL_PENDING },
  { name: 'admin: usage page with tokens', status: 200, go: async (c) => { await someUsage(c); return as(c.admin, c, '/admin/usage'); }, allow: people, pending: SHELL_PENDING },
  { name: 'admin: usage page, an empty month', status: 200, go: (c) => as(c.admin, c, '/admin/usage?month=2020-01'), allow: people, pending: SHELL_PENDING },
  { name: 'admin: quota page', status: 200, go: (c) => as(c.admin, c, `/admin/users/${c.member.user.id}/quota`), allow: people, pending: SHELL_PENDING },
  { name: 'admin: quota refused', status: 422, go: (c) => postAs(c.admin, c, `/admin/users/${c.member.user.id}/quota`, { mode: 'limit', tokens: 'lots' }), allow: (c) => [...people(c), 'lots'], pending: SHELL_PENDING },
  { name: 'admin: quota saved (flash)', status: 200, go: async (c) => {
    const agent = request.agent(c.t.app);
    agent.set('Cookie', c.admin.cookie);
    const page = await agent.get(`/admin/users/${c.member.user.id}/quota`).set(XX);
    await agent.post(`/admin/users/${c.member.user.id}/quota`).set(XX).type('form').send({ _csrf: csrfOf(page.text), mode: 'limit', tokens: '1000' });
    return agent.get(`/admin/users/${c.member.user.id}/quota`).set(XX);
  }, allow: people, pending: SHELL_PENDING },
  // search and sharing (views/search, views/sharing, Account's #account-shares): see searchSharingPages() at the end
  ...searchSharingPages(),
  // threads, home, help: the list (pinned, today, a month), a thread's header and menus, organise, the shortcuts.
  { name: 'threads: home page (groups, key needed)', status: 200, go: async (c) => as(await lister(c), c, '/'), allow: listerContent, pending: CHAT_PENDING },
  { name: 'threads: home page, no conversations yet', status: 200, go: (c) => as(c.admin, c, '/'), allow: people, pending: CHAT_PENDING },
  { name: 'threads: thread page (header, menus)', status: 200, go: async (c) => as(await lister(c), c, `/threads/${(await seeded(c)).plain}`), allow: listerContent, pending: THREAD_PENDING },
  { name: 'threads: archived thread page', status: 200, go: async (c) => as(await lister(c), c, `/threads/${(await seeded(c)).archived}`), allow: listerContent, pending: THREAD_PENDING },
  { name: 'threads: temporary chat page', status: 200, go: async (c) => as(await lister(c), c, `/threads/${(await seeded(c)).temporary}`), allow: listerContent, pending: THREAD_PENDING },
  { name: 'threads: an older page of a thread (links back)', status: 200, go: async (c) => {
    const { long } = await seeded(c);
    const middle = (await c.t.db('messages').where({ thread_id: long }).orderBy('id').select('id'))[30].id;
    return as(await lister(c), c, `/threads/${long}?before=${middle}`);
  }, allow: () => [...listerContent(), ...Array.from({ length: 60 }, (_, i) => `m${i}`)] /* the seeded messages */, pending: THREAD_PENDING },
  { name: 'threads: rename refused (page)', status: 422, go: async (c) => postAs(await lister(c), c, `/threads/${(await seeded(c)).plain}/rename`, { title: 'x'.repeat(201) }), allow: () => [...listerContent(), 'x'.repeat(201)], pending: THREAD_PENDING },
  { name: 'threads: rename refused (htmx header)', status: 422, go: async (c) => postAs(await lister(c), c, `/threads/${(await seeded(c)).plain}/rename`, { title: ' ' }, { 'HX-Request': 'true' }), allow: listerContent },
  { name: 'threads: pinned (htmx header and list)', status: 200, go: async (c) => postAs(await lister(c), c, `/threads/${(await seeded(c)).plain}/pin`, { on: '0' }, { 'HX-Request': 'true' }), allow: listerContent, pending: ['#share-menu'] },
  { name: 'threads: temporary chat cannot be pinned (htmx box)', status: 409, go: async (c) => postAs(await lister(c), c, `/threads/${(await seeded(c)).temporary}/pin`, { on: '1' }, { 'HX-Request': 'true' }) },
  { name: 'threads: conversations page', status: 200, go: async (c) => as(await lister(c), c, '/threads'), allow: listerContent },
  { name: 'threads: list fragment (htmx)', status: 200, go: async (c) => as(await lister(c), c, '/threads').set('HX-Request', 'true'), allow: listerContent },
  { name: 'threads: select mode', status: 200, go: async (c) => as(await lister(c), c, '/threads?select=1'), allow: listerContent },
  { name: 'threads: archived view', status: 200, go: async (c) => as(await lister(c), c, '/archived'), allow: listerContent },
  { name: 'threads: archived view, empty', status: 200, go: (c) => as(c.admin, c, '/archived'), allow: people },
  { name: 'threads: bulk pin (flash)', status: 200, go: async (c) => {
    const who = await lister(c);
    const agent = request.agent(c.t.app);
    agent.set('Cookie', who.cookie);
    const page = await agent.get('/threads?select=1').set(XX);
    await agent.post('/threads/bulk').set(XX).type('form').send({ _csrf: csrfOf(page.text), action: 'pin', ids: (await seeded(c)).month });
    return agent.get('/threads?select=1').set(XX);
  }, allow: listerContent },
  { name: 'threads: delete confirmation page', status: 200, go: async (c) => postAs(await lister(c), c, '/threads/bulk', { action: 'delete', ids: (await seeded(c)).plain }), allow: listerContent },
  { name: 'threads: unknown bulk action (htmx box)', status: 400, go: async (c) => postAs(await lister(c), c, '/threads/bulk', { action: 'melt', ids: (await seeded(c)).plain }, { 'HX-Request': 'true' }) },
  { name: 'help: shortcuts page', status: 200, go: (c) => as(c.member, c, '/shortcuts'), allow: people },
  { name: 'help: shortcuts dialog (htmx fragment)', status: 200, go: (c) => as(c.member, c, '/shortcuts').set('HX-Request', 'true') },
  // files, transfer (issue 17, files helper): a document's OCR text page, the dictation refusal (htmx box), an import refused.
  { name: 'files: a document’s text page', status: 200, go: async (c) => {
    const id = await insertFile(c.t.db, { userId: c.member.user.id, name: 'report.pdf', mime: 'application/pdf', kind: 'document', size: 10, pages: 3,
      width: null, height: null, thumbWidth: null, thumbHeight: null, text: 'Quarterly figures' });
    return as(c.member, c, `/files/${id}/text`);
  }, allow: (c) => [...people(c), 'report.pdf', 'Quarterly figures'], pending: SHELL_PENDING },
  { name: 'files: dictation without audio (htmx box)', status: 400, go: (c) => postAs(c.member, c, '/transcribe', { content: '' }, { 'HX-Request': 'true' }) },
  { name: 'transfer: import without a file (flash)', status: 200, go: async (c) => {
    const agent = request.agent(c.t.app);
    agent.set('Cookie', c.member.cookie);
    const page = await agent.get('/account').set(XX);
    await agent.post('/account/import').set(XX).type('form').send({ _csrf: csrfOf(page.text) });
    return agent.get('/account').set(XX);
  }, allow: peopleAndModels /* Account's usage lists the models the member used */, pending: ACCOUNT_PENDING },
  // Chat (namespace chat): the thread page's messages, footers and composer, their fragments, the edit and regenerate
  // forms, a refused send. The thread's header (#thread-head), the sidebar and the dictation box belong to others.
  ...((): Page[] => {
    const seeds = new WeakMap<Ctx, Promise<{ thread: string; question: number; answer: number; failed: number }>>();
    const words = ['Hello there', 'An answer.', 'Second question', 'Some thinking', 'The Source', 'cats'];
    const allow = (c: Ctx) => [...peopleAndModels(c), ...words];
    const pending = [...SHELL_PENDING];
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
      { name: 'chat: empty message refused (htmx composer)', status: 422, go: async (c) => postAs(c.member, c, await thread(c, '/messages'), { content: ' ' }, htmx), allow },
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

// --- search and sharing (issue 17 sweep): the search page, its results and fragments; the public share page (signed
// out and in), the Share menu, the new link's page, "New chat from here", Account's links, their refusals. The shared
// messages (#messages) are views/chat's, pending until `chat` is converted. Declared as a function: hoisted into PAGES.
function searchSharingPages(): Page[] {
  const KETTLE = ['Kettle notes', 'Kettle', 'kettle', 'notes'];
  const allowK = (c: Ctx) => [...people(c), ...KETTLE, ...MODELS];
  /** A thread of the member's titled "Kettle notes" (two final messages; untitled if asked), shared once. */
  async function shared(c: Ctx, messages = ['kettle', 'kettle'], title: string | null = 'Kettle notes') {
    const { seedThread } = await import('../support/search.ts');
    const { insertShare } = await import('../../src/features/sharing/shares.repo.ts');
    const { randomToken } = await import('../../src/lib/crypto.ts');
    const { id, messageIds } = await seedThread(c.t.db, c.member.user.id, { title, messages });
    const code = randomToken();
    const share = await insertShare(c.t.db, {
      threadId: id, userId: c.member.user.id, code, title: title ?? '', lastMessageId: messageIds.at(-1) ?? null, expiresAt: new Date(Date.now() + 86_400_000),
      messages: messages.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content, thinking: null, status: 'complete', error: null, model: i % 2 ? MODELS[0] : null, usage: null, createdAt: new Date().toISOString() })),
    });
    return { id, messageIds, code, shareId: share.id };
  }
  const HX = { 'HX-Request': 'true' };
  const SHARED_PENDING = ['#messages' /* chat: the messages' own partials */];
  return [
    { name: 'search page (empty)', status: 200, go: (c) => as(c.member, c, '/search'), allow: people, pending: SHELL_PENDING },
    { name: 'search results', status: 200, go: async (c) => { await shared(c); return as(c.member, c, '/search?q=kettle'); }, allow: allowK, pending: SHELL_PENDING },
    { name: 'search: nothing found', status: 200, go: (c) => as(c.member, c, '/search?q=zqxjv&archived=only&sort=relevance'), allow: (c) => [...people(c), 'zqxjv'], pending: SHELL_PENDING },
    { name: 'search: nothing found (htmx fragment)', status: 200, go: (c) => as(c.member, c, '/search?q=zqxjv').set(HX) },
    { name: 'search: the hint (htmx fragment, nothing typed)', status: 200, go: (c) => as(c.member, c, '/search?q=').set(HX) },
    { name: 'share page (signed out)', status: 200, go: async (c) => signedOut(c, `/s/${(await shared(c)).code}`), allow: () => KETTLE, pending: SHARED_PENDING },
    { name: 'share page (signed in: continue)', status: 200, go: async (c) => as(c.member, c, `/s/${(await shared(c)).code}`), allow: allowK, pending: SHARED_PENDING },
    { name: 'share page (untitled conversation)', status: 200, go: async (c) => signedOut(c, `/s/${(await shared(c, ['kettle'], null)).code}`), allow: () => KETTLE, pending: SHARED_PENDING },
    { name: 'share gone (404 page)', status: 404, go: (c) => signedOut(c, `/s/${'x'.repeat(43)}`) },
    { name: 'share menu (htmx fragment)', status: 200, go: async (c) => postAs(c.member, c, `/threads/${(await shared(c)).id}/shares`, { expiresInDays: '7' }, HX), allow: allowK },
    { name: 'share link created (page)', status: 200, go: async (c) => postAs(c.member, c, `/threads/${(await shared(c)).id}/shares`, { expiresInDays: 'never' }), allow: allowK, pending: SHELL_PENDING },
    { name: 'share refused: nothing yet (htmx box)', status: 409, go: async (c) => postAs(c.member, c, `/threads/${(await shared(c, [])).id}/shares`, {}, HX), allow: allowK },
    { name: 'new chat from here (page)', status: 200, go: async (c) => { const s = await shared(c); return as(c.member, c, `/threads/${s.id}/messages/${s.messageIds[0]}/fork`); }, allow: allowK, pending: SHELL_PENDING },
    { name: 'account with share links (one untitled)', status: 200, go: async (c) => { await shared(c); await shared(c, ['kettle'], null); return as(c.member, c, '/account'); }, allow: allowK, pending: ACCOUNT_PENDING },
    { name: 'account: link revoked (htmx fragment)', status: 200, go: async (c) => postAs(c.member, c, `/account/shares/${(await shared(c)).shareId}/revoke`, {}, HX), allow: allowK },
    { name: 'account: links revoked (flash)', status: 200, go: async (c) => {
      await shared(c);
      const agent = request.agent(c.t.app);
      agent.set('Cookie', c.member.cookie);
      const page = await agent.get('/account').set(XX);
      await agent.post('/account/shares/revoke-all').set(XX).type('form').send({ _csrf: csrfOf(page.text) });
      return agent.get('/account').set(XX);
    }, allow: allowK, pending: ACCOUNT_PENDING },
    { name: 'account: no such link (htmx box)', status: 404, go: (c) => postAs(c.member, c, '/account/shares/999999999/revoke', {}, HX) },
  ];
}
