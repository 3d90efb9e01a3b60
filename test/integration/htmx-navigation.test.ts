// What an htmx navigation gets: a page view always comes inside the layout (sidebar, top bar, landmarks), since
// HX-Location, boosted links and history restores swap it into <body>; a fragment only for an htmx request that
// aims at an element (not boosted, not a history restore). Vary names every header the choice reads.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

const isWholePage = (html: string) => html.includes('<!doctype html>') && html.includes('class="topbar"')
  && html.includes('id="sidebar"') && html.includes('id="main"');

describe.each(DIALECTS)('htmx navigation on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let threadId: string;
  beforeAll(async () => {
    t = await chatApp(dialect);
    s = await signIn(t);
    const made = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({ title: 'Nav' });
    threadId = made.body.thread.id;
  });
  afterAll(async () => { await t?.close(); });
  const get = (path: string, headers: Record<string, string>) => request(t.app).get(path).set('Cookie', s.cookie).set(headers);

  const NAVIGATIONS: Array<[string, Record<string, string>]> = [
    ['HX-Location (an htmx GET aimed at <body>)', { 'HX-Request': 'true', 'HX-Current-URL': 'http://x.test/settings' }],
    ['a boosted link', { 'HX-Request': 'true', 'HX-Boosted': 'true' }],
    ['a history restore', { 'HX-Request': 'true', 'HX-History-Restore-Request': 'true' }],
  ];

  for (const [what, headers] of NAVIGATIONS) {
    it(`gives ${what} whole pages, never a page without its layout`, async () => {
      for (const path of ['/settings?saved=defaults', '/', `/threads/${threadId}`, '/account']) {
        const res = await get(path, headers);
        expect(res.status, path).toBe(200);
        expect(isWholePage(res.text), `${path} for ${what}`).toBe(true);
        const vary = String(res.headers.vary);
        for (const h of ['HX-Request', 'HX-Boosted', 'HX-History-Restore-Request']) expect(vary, path).toContain(h);
      }
    });
  }

  it('still answers an htmx request aimed at an element with its fragment, but a boosted or restored one with the page', async () => {
    const frag = await get('/threads', { 'HX-Request': 'true' });
    expect(frag.status).toBe(200);
    expect(frag.text).not.toContain('<!doctype html>');
    expect(frag.text).toContain('Nav');
    for (const extra of [{ 'HX-Boosted': 'true' }, { 'HX-History-Restore-Request': 'true' }] as Array<Record<string, string>>) {
      const page = await get('/threads', { 'HX-Request': 'true', ...extra });
      expect(isWholePage(page.text), JSON.stringify(extra)).toBe(true);
      expect(page.text).toContain('<h1>Conversations</h1>');
      expect(String(page.headers.vary)).toContain('HX-Boosted');
    }
  });

  it('gives a restored or boosted missing page the error page in its layout, a plain htmx request the fragment', async () => {
    for (const extra of [{ 'HX-Boosted': 'true' }, { 'HX-History-Restore-Request': 'true' }] as Array<Record<string, string>>) {
      const page = await get('/no/such/page', { 'HX-Request': 'true', ...extra });
      expect(page.status).toBe(404);
      expect(isWholePage(page.text), JSON.stringify(extra)).toBe(true);
      expect(page.headers['hx-retarget']).toBeUndefined();
      expect(String(page.headers.vary)).toContain('HX-History-Restore-Request');
    }
    const frag = await get('/no/such/page', { 'HX-Request': 'true' });
    expect(frag.text).not.toContain('<!doctype html>');
    expect(String(frag.headers.vary)).toContain('HX-Boosted');
  });

  it('after an htmx save, sends HX-Location to the whole page, swapped into <body> and shown from the top', async () => {
    const res = await request(t.app).post('/settings/defaults').set('Cookie', s.cookie).set('HX-Request', 'true')
      .set('X-CSRF-Token', s.csrf).type('form').send({ defaultModel: 'mistral-small-latest', defaultContext: '' });
    expect(res.status).toBe(204);
    const loc = JSON.parse(res.headers['hx-location']);
    expect(loc).toMatchObject({ path: '/settings?saved=defaults', target: 'body' });
    expect(loc.swap).toMatch(/show:window:top/);
    const followed = await get(loc.path, { 'HX-Request': 'true' });
    expect(isWholePage(followed.text)).toBe(true);
    expect(followed.text).toContain('Your defaults were saved.');
  });
});
