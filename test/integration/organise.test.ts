// Organise (issue 15): pin, archive, bulk delete and temporary chats, on the web (plain forms and htmx) and the API.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { purgeAuthData } from '../../src/maintenance.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

const MIN = 60_000;

describe.each(DIALECTS)('organising threads on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });

  /** Threads with the given titles, the first the newest. */
  async function threads(s: Session, titles: string[], extra: Record<string, unknown> = {}) {
    const now = Date.now();
    const rows = titles.map((title, i) => ({ id: newId(), user_id: s.user.id, title, title_set_by_user: true, created_at: new Date(now - i * MIN), updated_at: new Date(now - i * MIN), ...extra }));
    await t.db('threads').insert(rows);
    return rows.map((r) => r.id);
  }
  const get = (s: Session, path: string) => request(t.app).get(path).set('Cookie', s.cookie);
  const form = (s: Session, path: string, body: Record<string, unknown>) => request(t.app).post(path).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, ...body });
  const api = (s: Session) => ({
    get: (p: string) => request(t.app).get(p).set('Authorization', `Bearer ${s.token}`),
    patch: (p: string, b: object) => request(t.app).patch(p).set('Authorization', `Bearer ${s.token}`).send(b),
    post: (p: string, b: object) => request(t.app).post(p).set('Authorization', `Bearer ${s.token}`).send(b),
  });
  const sidebarOf = (html: string) => html.slice(html.indexOf('id="thread-list"'), html.indexOf('sidebar-foot'));

  it('pins a thread to the top of the list (page, htmx, API) and unpins it', async () => {
    const s = await signIn(t);
    const [, , old] = await threads(s, ['Newest', 'Middle', 'Oldest']);
    const plain = await form(s, `/threads/${old}/pin`, { on: '1' });
    expect(plain.status).toBe(303);
    const side = sidebarOf((await get(s, '/').expect(200)).text);
    expect(side.indexOf('Pinned')).toBeGreaterThan(-1);
    expect(side.indexOf('Oldest')).toBeLessThan(side.indexOf('Newest'));
    // Listed once: the pinned thread is not repeated in its day's group.
    expect(side.split('>Oldest<').length).toBe(2);
    const list = await api(s).get('/api/thread').expect(200);
    expect(list.body.threads.map((x: { title: string }) => x.title)).toEqual(['Oldest', 'Newest', 'Middle']);
    expect(list.body.threads[0]).toMatchObject({ pinned: true, archived: false, temporary: false, temporaryUntil: null });
    // htmx: the header comes back with Unpin, and the sidebar's list out of band.
    const htmx = await request(t.app).post(`/threads/${old}/pin`).set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ on: '0' });
    expect(htmx.status).toBe(200);
    expect(htmx.text).toContain('Pin to the top of the list');
    expect(htmx.text).toContain('id="thread-list" hx-swap-oob="true"');
    expect(htmx.text).not.toContain('Pinned');
    const patched = await api(s).patch(`/api/thread/${old}`, { pinned: true }).expect(200);
    expect(patched.body.thread.pinned).toBe(true);
    await api(s).patch(`/api/thread/${old}`, { pinned: 'yes' }).expect(422);
  });

  it('keeps cursor paging whole with pins: every unpinned thread once, pinned ones only above the first page', async () => {
    const s = await signIn(t);
    const ids = await threads(s, Array.from({ length: 45 }, (_, i) => `T${i}`));
    await api(s).patch(`/api/thread/${ids[40]}`, { pinned: true }).expect(200);
    const first = await api(s).get('/api/thread').expect(200);
    const second = await api(s).get(`/api/thread?cursor=${first.body.nextCursor}`).expect(200);
    const all = [...first.body.threads, ...second.body.threads].map((x: { title: string }) => x.title);
    expect(all[0]).toBe('T40');
    expect(all.length).toBe(45);
    expect(new Set(all).size).toBe(45);
  });

  it('archives a thread out of the list into Archived, and unarchives it from there', async () => {
    const s = await signIn(t);
    const [a, b] = await threads(s, ['Keep me', 'Put away']);
    await form(s, `/threads/${b}/archive`, { on: '1' }).expect(303);
    expect(sidebarOf((await get(s, '/').expect(200)).text)).not.toContain('Put away');
    const page = (await get(s, '/archived').expect(200)).text;
    const main = page.slice(page.indexOf('id="main"'));
    expect(main).toContain('Put away');
    expect(main).not.toContain('Keep me');
    expect((await get(s, `/threads/${b}`).expect(200)).text).toContain('Archived: not in your list.');
    const archived = await api(s).get('/api/thread?archived=true').expect(200);
    expect(archived.body.threads.map((x: { id: string }) => x.id)).toEqual([b]);
    expect(archived.body.threads[0].archived).toBe(true);
    expect((await api(s).get('/api/thread').expect(200)).body.threads.map((x: { id: string }) => x.id)).toEqual([a]);
    // Unarchive from the Archived view: its select form.
    const back = await form(s, '/threads/bulk', { action: 'unarchive', ids: [b], back: '/archived' });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/archived');
    expect(sidebarOf((await get(s, '/').expect(200)).text)).toContain('Put away');
    await api(s).patch(`/api/thread/${a}`, { archived: true }).expect(200);
    expect((await api(s).get('/api/thread').expect(200)).body.threads.map((x: { id: string }) => x.id)).toEqual([b]);
  });

  it('bulk deletes exactly the selected threads after a confirmation page, never another user\'s', async () => {
    const s = await signIn(t);
    const other = await signIn(t);
    const [x, y, z] = await threads(s, ['One', 'Two', 'Three']);
    const [theirs] = await threads(other, ['Not yours']);
    const selectPage = await get(s, '/threads?select=1').expect(200);
    expect(selectPage.text).toContain(`name="ids" value="${x}"`);
    // Without confirm: a page that lists what will go, nothing deleted yet.
    const confirm = await form(s, '/threads/bulk', { action: 'delete', ids: [x, z, theirs] });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Delete 2 conversations?');
    expect(confirm.text).not.toContain('Not yours');
    expect(await t.db('threads').whereIn('id', [x, z]).count({ n: '*' }).first()).toMatchObject({ n: 2 });
    const done = await form(s, '/threads/bulk', { action: 'delete', confirm: '1', ids: [x, z, theirs] });
    expect(done.status).toBe(303);
    const left = (await t.db('threads').whereIn('id', [x, y, z, theirs]).select('id')).map((r) => r.id).sort();
    expect(left).toEqual([y, theirs].sort());
    // Only someone else's ids: nothing to confirm (404), nothing of theirs touched.
    await form(s, '/threads/bulk', { action: 'delete', ids: [theirs] }).expect(404);
    // htmx (the button's hx-confirm asked already): deleted at once, and the page reloads.
    const h = await request(t.app).post('/threads/bulk').set('Cookie', s.cookie).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf).type('form').send({ action: 'delete', confirm: '1', ids: y });
    expect(h.status).toBe(204);
    expect(h.headers['hx-redirect']).toBe('/threads?select=1');
    expect(await t.db('threads').where({ id: y }).first()).toBeUndefined();
    // The API: {ids}, another user's ignored.
    const [p, q] = await threads(s, ['P', 'Q']);
    const res = await api(s).post('/api/thread/delete', { ids: [p, theirs] }).expect(200);
    expect(res.body.deleted).toBe(1);
    expect((await t.db('threads').whereIn('id', [p, q, theirs]).select('id')).length).toBe(2);
    await api(s).post('/api/thread/delete', { ids: 'nope' }).expect(422);
  });

  it('refuses these forms without a CSRF token, and another user\'s thread is 404', async () => {
    const s = await signIn(t);
    const other = await signIn(t);
    const [id] = await threads(s, ['Mine']);
    expect((await request(t.app).post(`/threads/${id}/pin`).set('Cookie', s.cookie).type('form').send({ on: '1' })).status).toBe(403);
    expect((await request(t.app).post(`/threads/${id}/archive`).set('Cookie', s.cookie).type('form').send({ on: '1' })).status).toBe(403);
    expect((await request(t.app).post('/threads/bulk').set('Cookie', s.cookie).type('form').send({ action: 'delete', confirm: '1', ids: id })).status).toBe(403);
    expect(await t.db('threads').where({ id }).first()).toMatchObject({ pinned_at: null, archived_at: null });
    await form(other, `/threads/${id}/pin`, { on: '1' }).expect(404);
    await api(other).patch(`/api/thread/${id}`, { archived: true }).expect(404);
    expect(await t.db('threads').where({ id }).first()).toMatchObject({ pinned_at: null, archived_at: null });
  });

  it('starts a temporary chat from the new-chat form: banner, never listed, not shared nor exported, purged after its hour', async () => {
    const s = await signIn(t);
    expect((await get(s, '/').expect(200)).text).toContain('name="temporary"');
    const created = await form(s, '/threads', { content: 'a secret', temporary: 'on' });
    expect(created.status).toBe(303);
    const id = /\/threads\/([^/?#]+)/.exec(created.headers.location)![1];
    const row = await t.db('threads').where({ id }).first();
    const until = new Date(row.temporary_until).getTime();
    expect(Math.abs(until - Date.now() - 3600_000)).toBeLessThan(5 * MIN);
    const page = await get(s, `/threads/${id}`).expect(200);
    expect(page.text).toContain('Temporary chat:');
    expect(page.text).toContain('deleted an hour after it started');
    expect(page.text).not.toContain('Pin to the top');
    expect(sidebarOf(page.text)).not.toContain(`/threads/${id}`);
    expect((await api(s).get('/api/thread').expect(200)).body.threads.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await api(s).get(`/api/thread/${id}`).expect(200)).body.thread).toMatchObject({ temporary: true });
    await api(s).get(`/api/thread/${id}/export?format=md`).expect(409);
    await api(s).patch(`/api/thread/${id}`, { pinned: true }).expect(409);
    // Not yet expired: the purge leaves it; expired: gone with its messages.
    await purgeAuthData(t.db);
    expect(await t.db('threads').where({ id }).first()).toBeDefined();
    await t.db('threads').where({ id }).update({ temporary_until: new Date(Date.now() - MIN) });
    const purged = await purgeAuthData(t.db);
    expect(purged.temporary).toBeGreaterThanOrEqual(1);
    expect(await t.db('threads').where({ id }).first()).toBeUndefined();
    expect(await t.db('messages').where({ thread_id: id }).first()).toBeUndefined();
  });

  it('POST /api/thread accepts temporary: true, and the account export leaves temporary chats out', async () => {
    const s = await signIn(t);
    const res = await api(s).post('/api/thread', { title: 'Short-lived', temporary: true }).expect(201);
    expect(res.body.thread).toMatchObject({ temporary: true, pinned: false, archived: false });
    expect(new Date(res.body.thread.temporaryUntil).getTime()).toBeGreaterThan(Date.now());
    await api(s).post('/api/thread', { temporary: 5 }).expect(422);
    await api(s).patch(`/api/thread/${res.body.thread.id}`, { temporary: false }).expect(422);
    const kept = await api(s).post('/api/thread', { title: 'Kept' }).expect(201);
    expect(kept.body.thread.temporary).toBe(false);
    expect((await api(s).get('/api/thread').expect(200)).body.threads.map((x: { title: string }) => x.title)).toEqual(['Kept']);
  });

  it('shows the shortcuts as a page, and as a fragment for the dialog', async () => {
    const s = await signIn(t);
    const page = await get(s, '/shortcuts').expect(200);
    expect(page.text).toContain('<!doctype html>');
    expect(page.text).toContain('Keyboard shortcuts');
    const frag = await get(s, '/shortcuts').set('HX-Request', 'true').expect(200);
    expect(frag.text).not.toContain('<!doctype html>');
    expect(frag.text).toContain('<kbd>Ctrl</kbd> + <kbd>Alt</kbd> + <kbd>N</kbd>');
    expect((await get(s, '/').expect(200)).text).toMatch(/id="shortcuts-link" data-js-keys="[^"]*keys[^"]*\.js"/);
  });
});

describe.each(DIALECTS)('organising under BASE_PATH=/chat on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect, { BASE_PATH: '/chat' }); });
  afterAll(async () => { await t?.close(); });

  it('links, forms and redirects carry the base path; a "back" elsewhere is not followed', async () => {
    // (signIn reads "/", which is outside /chat: the same steps under the base path.)
    const user = await createUser(t.db, { email: `base-${Date.now()}@example.com`, name: 'Based' });
    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const first = await request(t.app).get('/chat/').set('Cookie', `access_token=${token}`).expect(200);
    const sid = ((first.headers['set-cookie'] as unknown as string[] | undefined) ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid=')) ?? '';
    const s = { user, cookie: [`access_token=${token}`, sid].filter(Boolean).join('; '), csrf: /"X-CSRF-Token": "([^"]+)"/.exec(first.text)![1] };
    const id = newId();
    await t.db('threads').insert({ id, user_id: s.user.id, title: 'Based', title_set_by_user: true, created_at: new Date(), updated_at: new Date() });
    const home = (await request(t.app).get('/chat/').set('Cookie', s.cookie).expect(200)).text;
    expect(home).toContain('href="/chat/archived"');
    expect(home).toContain('href="/chat/shortcuts"');
    const select = (await request(t.app).get('/chat/threads?select=1').set('Cookie', s.cookie).expect(200)).text;
    expect(select).toContain('action="/chat/threads/bulk"');
    const pin = await request(t.app).post(`/chat/threads/${id}/pin`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, on: '1' });
    expect(pin.headers.location).toBe(`/chat/threads/${id}#latest`);
    const away = await request(t.app).post('/chat/threads/bulk').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, action: 'archive', ids: id, back: 'https://evil.example/' });
    expect(away.headers.location).toBe('/chat/threads?select=1');
  });
});
