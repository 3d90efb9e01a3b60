// Share links: anonymous read, what the page holds and hides, frozen snapshots, revoke, expiry, other users' ids.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeAuthData } from '../../src/maintenance.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { answeredThread, bearer, shareOf, stableHeaders, type Json } from '../support/shares.ts';

describe.each(DIALECTS)('share links on %s', (dialect) => {
  let t: ChatTestApp;
  let owner: Session;
  let other: Session;
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0', PUBLIC_URL: 'https://chat.example.com' });
    owner = await signIn(t, `owner-${dialect}-${Date.now()}@example.com`);
    other = await signIn(t);
  });
  afterAll(async () => { await t?.close(); });

  it('anyone with the link reads the shown branch, without an account; only the code\'s SHA-256 is stored', async () => {
    const id = await answeredThread(t, owner, 2, 'Shared plans');
    const { share, code, path } = await shareOf(t, owner, id);
    expect(share).toMatchObject({ id: expect.any(Number), url: `https://chat.example.com/s/${code}`, createdAt: expect.any(String), expiresAt: null });
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    const row = await t.db('shares').where({ id: share.id }).first();
    expect(row.code_hash).toBe(createHash('sha256').update(code).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(code);

    const page = await request(t.app).get(path);
    expect(page.status).toBe(200);
    expect(page.headers['x-robots-tag']).toBe('noindex');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['set-cookie']).toBeUndefined(); // no session for a reader
    expect(page.text).toContain('<meta name="robots" content="noindex">');
    expect(page.text).toMatch(/<h1>Shared plans<\/h1>/);
    for (const text of ['q1', 'a1', 'q2', 'a2']) expect(page.text).toContain(text);
    expect(page.text).toContain('Sign in</a> to continue');
    expect(page.text).not.toMatch(/<form/);

    const json = await request(t.app).get(`/api/shares/${code}`);
    expect(json.status).toBe(200);
    expect(json.headers['x-robots-tag']).toBe('noindex');
    expect(json.body.title).toBe('Shared plans');
    expect(json.body.messages.map((m: Json) => `${m.role}:${m.content}`)).toEqual(['user:q1', 'assistant:a1', 'user:q2', 'assistant:a2']);
  });

  it('the page carries no owner data and nothing that writes or needs the owner', async () => {
    await answeredThread(t, owner, 1, 'A private other chat');
    const id = await answeredThread(t, owner, 1, 'The shared one');
    const { path } = await shareOf(t, owner, id);
    for (const viewer of [undefined, other]) {
      const page = await request(t.app).get(path).set(viewer ? { Cookie: viewer.cookie } : {});
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(owner.user.email);
      expect(page.text).not.toContain('Tester'); // the owner's name
      expect(page.text).not.toContain('A private other chat');
      expect(page.text).not.toContain('class="sidebar"');
      // No Edit, Regenerate, Retry, versions, Copy's source, New chat from here: every one is a /threads/ route.
      expect(page.text).not.toContain('/threads/');
      expect(page.text).not.toContain('data-source');
      expect(page.text).not.toContain(id);
      if (viewer) {
        // A signed-in reader's one form: Continue in my account.
        expect([...page.text.matchAll(/<form /g)]).toHaveLength(1);
        expect(page.text).toMatch(/<form method="post" action="\/s\/[^"]+\/fork">/);
        expect(page.text).not.toContain(viewer.user.email);
      }
    }
  });

  it('the snapshot is frozen: later messages, a rename, an edit and a retry in place change nothing', async () => {
    const id = await answeredThread(t, owner, 1, 'Before');
    // A failed answer is final: shared as it is; retried in place later, the share keeps the failure.
    t.fake.enqueue({ status: 500 });
    await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(owner)).send({ content: 'q2' });
    await t.gens.idle();
    const failed = (await request(t.app).get(`/api/thread/${id}`).set(bearer(owner))).body.messages.at(-1);
    expect(failed.status).toBe('error');
    const { code, path } = await shareOf(t, owner, id);
    const before = (await request(t.app).get(`/api/shares/${code}`)).body;
    const pageBefore = (await request(t.app).get(path)).text;
    expect(before.messages.map((m: Json) => m.status)).toEqual(['complete', 'complete', 'complete', 'error']);

    t.fake.enqueue({ tokens: ['retried'] });
    expect((await request(t.app).post(`/threads/${id}/messages/${failed.id}/retry`).set('Cookie', owner.cookie).set('X-CSRF-Token', owner.csrf)).status).toBeLessThan(400);
    await t.gens.idle();
    t.fake.enqueue({ tokens: ['a3'] });
    await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(owner)).send({ content: 'q3 later' });
    await t.gens.idle();
    await request(t.app).patch(`/api/thread/${id}`).set(bearer(owner)).send({ title: 'After' });
    const q1 = (await request(t.app).get(`/api/thread/${id}`).set(bearer(owner))).body.messages[0];
    t.fake.enqueue({ tokens: ['b1'] });
    expect((await request(t.app).post(`/api/thread/${id}/messages/${q1.id}/edit`).set(bearer(owner)).send({ content: 'q1 edited' })).status).toBe(202);
    await t.gens.idle();

    expect((await request(t.app).get(`/api/shares/${code}`)).body).toEqual(before);
    const pageAfter = (await request(t.app).get(path)).text;
    expect(pageAfter).toContain('<h1>Before</h1>');
    for (const gone of ['After', 'q3 later', 'q1 edited', 'retried']) expect(pageAfter).not.toContain(gone);
    // The page is the same but for the relative times, which move with the clock.
    const noTimes = (html: string) => html.replaceAll(/<span class="rel">[^<]*<\/span>/g, '');
    expect(noTimes(pageAfter)).toBe(noTimes(pageBefore));
    // A failed answer shows that it failed, not the reason (it may be about the owner's key).
    expect(pageAfter).toContain('Failed.');
    expect(pageAfter).not.toContain('<p class="msg-error"');
  });

  it('revoked, expired and unknown links are one and the same 404, on the page and in the API', async () => {
    const id = await answeredThread(t, owner, 1);
    const revoked = await shareOf(t, owner, id);
    const expired = await shareOf(t, owner, id, { expiresInDays: 1 });
    expect(new Date(expired.share.expiresAt).getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await request(t.app).get(expired.path)).status).toBe(200);
    expect((await request(t.app).delete(`/api/shares/${revoked.share.id}`).set(bearer(owner))).status).toBe(204);
    await t.db('shares').where({ id: expired.share.id }).update({ expires_at: new Date(Date.now() - 1000) });
    const unknown = 'A'.repeat(43);
    const answers = [];
    for (const code of [revoked.code, expired.code, unknown, 'short']) {
      const page = await request(t.app).get(`/s/${code}`);
      const json = await request(t.app).get(`/api/shares/${code}`);
      expect(page.status).toBe(404);
      expect(json.status).toBe(404);
      answers.push({ page: page.text, pageHeaders: stableHeaders(page.headers), json: json.text, jsonHeaders: stableHeaders(json.headers) });
    }
    for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    expect(answers[0].pageHeaders['x-robots-tag']).toBe('noindex');
    // A signed-in forker gets the same 404.
    expect((await request(t.app).post(`/api/shares/${revoked.code}/fork`).set(bearer(other))).status).toBe(404);
    // The periodic purge deletes closed shares, their copies with them; an open one stays.
    const open = await shareOf(t, owner, id);
    const purged = await purgeAuthData(t.db);
    expect(purged.shares).toBeGreaterThanOrEqual(2);
    expect(await t.db('shares').whereIn('id', [revoked.share.id, expired.share.id])).toEqual([]);
    expect((await request(t.app).get(open.path)).status).toBe(200);
  });

  it('Account lists the open links, also when it comes back with a refused form', async () => {
    const id = await answeredThread(t, owner, 1, 'Listed on Account');
    await shareOf(t, owner, id);
    const page = await request(t.app).get('/account').set('Cookie', owner.cookie);
    expect(page.text).toContain('<h2 id="acc-shares">Shared links</h2>');
    expect(page.text).toContain('Listed on Account');
    const refused = await request(t.app).post('/account/password').set('Cookie', owner.cookie).type('form').send({ _csrf: owner.csrf, password: 'short' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<h2 id="acc-shares">Shared links</h2>');
    expect(refused.text).toContain('Listed on Account');
  });

  it('another user\'s ids are 404; bad expiries are refused; the list has every open share of the user only', async () => {
    const id = await answeredThread(t, owner, 1, 'Listed');
    const { share } = await shareOf(t, owner, id, { expiresInDays: 30 });
    expect((await request(t.app).post(`/api/thread/${id}/shares`).set(bearer(other)).send({})).status).toBe(404);
    expect((await request(t.app).delete(`/api/shares/${share.id}`).set(bearer(other))).status).toBe(404);
    expect((await request(t.app).post(`/api/thread/${id}/fork`).set(bearer(other)).send({ messageId: 1 })).status).toBe(404);
    expect((await request(t.app).post(`/threads/${id}/shares/${share.id}/revoke`).set('Cookie', other.cookie).set('X-CSRF-Token', other.csrf)).status).toBe(404);
    for (const bad of [0, 366, 'soon', 1.5]) {
      const res = await request(t.app).post(`/api/thread/${id}/shares`).set(bearer(owner)).send({ expiresInDays: bad });
      expect(res.status).toBe(422);
      expect(res.body.error.fields.expiresInDays).toMatch(/1 to 365/);
    }
    const mine = (await request(t.app).get('/api/shares').set(bearer(owner))).body.shares as Json[];
    expect(mine.find((s) => s.id === share.id)).toMatchObject({ threadId: id, title: 'Listed', threadTitle: 'Listed', expiresAt: share.expiresAt });
    expect(mine.every((s) => !('url' in s))).toBe(true);
    expect((await request(t.app).get('/api/shares').set(bearer(other))).body.shares).toEqual([]);
    expect((await request(t.app).get('/api/shares')).status).toBe(401);
    // An empty thread has nothing to share.
    const empty = (await request(t.app).post('/api/thread').set(bearer(owner)).send({})).body.thread.id;
    expect((await request(t.app).post(`/api/thread/${empty}/shares`).set(bearer(owner)).send({})).status).toBe(409);
  });
});
