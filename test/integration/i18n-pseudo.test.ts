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
  }, allow: people, pending: ACCOUNT_PENDING },
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
