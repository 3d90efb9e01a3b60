// The Share menu in the thread header, Account's list with Revoke and Revoke all: plain forms and htmx.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { answeredThread, shareOf } from '../support/shares.ts';

describe.each(DIALECTS)('share pages on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' }); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });
  const as = (r: request.Test) => r.set('Cookie', s.cookie);
  const htmx = (r: request.Test) => as(r).set('HX-Request', 'true').set('X-CSRF-Token', s.csrf);

  it('the header has a Share menu; a plain form shows the new link once on a page, and the menu then says Shared', async () => {
    const id = await answeredThread(t, s, 1, 'Menu test');
    const before = (await as(request(t.app).get(`/threads/${id}`))).text;
    expect(before).toContain('<details class="menu share-menu" id="share-menu">');
    expect(before).toMatch(/<span class="lbl">Share<\/span>/);
    const res = await as(request(t.app).post(`/threads/${id}/shares`)).type('form').send({ _csrf: s.csrf, expiresInDays: '7' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Link created</h1>');
    const link = /id="share-link" readonly value="([^"]+)"/.exec(res.text)![1];
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/s\/[A-Za-z0-9_-]{43}$/);
    expect(res.text).toMatch(/It expires \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect((await request(t.app).get(new URL(link).pathname)).text).toContain('<h1>Menu test</h1>');
    const after = (await as(request(t.app).get(`/threads/${id}`))).text;
    expect(after).toMatch(/<span class="lbl">Shared<\/span>/);
    expect(after).toContain('1 open link');
    expect(after).not.toContain(new URL(link).pathname); // never shown again
  });

  it('with htmx the menu swaps itself: the new link in place, then Revoke empties it', async () => {
    const id = await answeredThread(t, s, 1);
    const made = await htmx(request(t.app).post(`/threads/${id}/shares`)).type('form').send({ expiresInDays: 'never' });
    expect(made.status).toBe(200);
    expect(made.text.trimStart().startsWith('<details class="menu share-menu" id="share-menu" open>')).toBe(true);
    expect(made.text).toMatch(/id="share-link" readonly value="[^"]+\/s\/[A-Za-z0-9_-]{43}"/);
    expect(made.text).toContain('never expires');
    const revokeUrl = /<form method="post" action="([^"]+\/revoke)"/.exec(made.text)![1];
    const revoked = await htmx(request(t.app).post(revokeUrl));
    expect(revoked.status).toBe(200);
    expect(revoked.text).toMatch(/<span class="lbl">Share<\/span>/);
    expect(revoked.text).not.toContain('open link');
    // A refused expiry says why, in #flash.
    const bad = await htmx(request(t.app).post(`/threads/${id}/shares`)).type('form').send({ expiresInDays: '999' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/1 to 365/);
  });

  it('Account lists every open share with Revoke and Revoke all (plain forms and htmx); revoked links are 404', async () => {
    const other = await signIn(t);
    const a = await answeredThread(t, other, 1, 'First shared');
    const b = await answeredThread(t, other, 1, 'Second shared');
    const sa = await shareOf(t, other, a, { expiresInDays: 1 });
    const sb = await shareOf(t, other, b);
    const sb2 = await shareOf(t, other, b);
    const page = (await request(t.app).get('/account').set('Cookie', other.cookie)).text;
    expect(page).toContain('<h2 id="acc-shares">Shared links</h2>');
    expect([...page.matchAll(/<button type="submit">Revoke<span class="sr-only">/g)]).toHaveLength(3);
    expect(page).toContain('First shared');
    expect(page).toContain('never expires');
    expect(page.indexOf('Second shared')).toBeLessThan(page.indexOf('First shared')); // newest first

    const one = await request(t.app).post(`/account/shares/${sa.share.id}/revoke`).set('Cookie', other.cookie).type('form').send({ _csrf: other.csrf });
    expect(one.status).toBe(303);
    expect(one.headers.location).toBe('/account#account-shares');
    expect((await request(t.app).get(sa.path)).status).toBe(404);
    expect((await request(t.app).get(sb.path)).status).toBe(200);
    const flash = (await request(t.app).get('/account').set('Cookie', other.cookie)).text;
    expect(flash).toContain('The link is revoked.');

    const all = await request(t.app).post('/account/shares/revoke-all').set('Cookie', other.cookie).set('HX-Request', 'true').set('X-CSRF-Token', other.csrf);
    expect(all.status).toBe(200);
    expect(all.text.trimStart().startsWith('<section class="card account-section" id="account-shares"')).toBe(true);
    expect(all.text).toContain('No open links.');
    expect(all.text).toContain('Revoked 2 links.');
    for (const sh of [sb, sb2]) expect((await request(t.app).get(sh.path)).status).toBe(404);
    // Someone else's share id is not found from Account either.
    const mine = await shareOf(t, s, await answeredThread(t, s, 1));
    expect((await request(t.app).post(`/account/shares/${mine.share.id}/revoke`).set('Cookie', other.cookie).type('form').send({ _csrf: other.csrf })).status).toBe(404);
    expect((await request(t.app).get(mine.path)).status).toBe(200);
  });
});
