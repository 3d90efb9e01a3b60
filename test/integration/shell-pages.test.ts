// The app shell on every page: the conversations in the sidebar wherever a signed-in user is, Sign out in it.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

/** The sidebar's own markup, from <nav id="sidebar"> to its end. */
const sidebarOf = (html: string) => /<nav class="sidebar" id="sidebar"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';

describe.each(DIALECTS)('the app shell on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let threadId: string;
  beforeAll(async () => {
    t = await chatApp(dialect);
    s = await signIn(t);
    const made = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({ title: 'Sidebar probe' });
    threadId = made.body.thread.id;
  });
  afterAll(async () => { await t?.close(); });

  it('shows the conversations in the sidebar of every signed-in page, error pages included', async () => {
    const pages: Array<[string, request.Test, number]> = [
      ['settings', request(t.app).get('/settings'), 200],
      ['account', request(t.app).get('/account'), 200],
      ['conversations', request(t.app).get('/threads'), 200],
      ['a missing page', request(t.app).get('/no/such/page'), 404],
      ['a missing thread', request(t.app).get('/threads/AAAAAAAAAAAAAAAAAAAAAA'), 404],
      ['a refused model (no JavaScript)', request(t.app).post(`/threads/${threadId}/model`).type('form')
        .send({ _csrf: s.csrf, model: 'bad model id!', context: '' }), 422],
      ['a refused title (no JavaScript)', request(t.app).post(`/threads/${threadId}/rename`).type('form').send({ _csrf: s.csrf, title: ' ' }), 422],
    ];
    for (const [what, req, status] of pages) {
      const res = await req.set('Cookie', s.cookie);
      expect(res.status, what).toBe(status);
      expect(sidebarOf(res.text), what).toContain(`href="/threads/${threadId}#latest"`);
      expect(sidebarOf(res.text), what).toContain('Sidebar probe');
    }
  });

  it('an htmx fragment carries no sidebar (it is not a page)', async () => {
    const res = await request(t.app).get('/threads').set('Cookie', s.cookie).set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('id="sidebar"');
  });

  it('offers Sign out in the sidebar of every page, and it signs out', async () => {
    const mine = await signIn(t);
    for (const path of ['/', '/settings', `/no/such/page`]) {
      const page = await request(t.app).get(path).set('Cookie', mine.cookie);
      expect(sidebarOf(page.text), path).toMatch(/<form method="post" action="\/logout" class="sign-out">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<button type="submit" class="btn-link">(?:<svg [^>]*><use href="#i-logout"><\/use><\/svg>)?Sign out<\/button>/);
    }
    const out = await request(t.app).post('/logout').set('Cookie', mine.cookie).type('form').send({ _csrf: mine.csrf });
    expect(out.status).toBe(303);
    expect((await request(t.app).get('/').set('Cookie', mine.cookie)).status).toBe(302);
  });

  it('shows Sign out once for this device on Account, no share links and no Google line when Google is not configured', async () => {
    const res = await request(t.app).get('/account').set('Cookie', s.cookie);
    expect(res.status).toBe(200);
    const main = /<main[\s\S]*<\/main>/.exec(res.text)![0];
    expect(main.match(/>Sign out</g)).toHaveLength(1);
    expect(main).toContain('Sign out everywhere');
    expect(main).not.toMatch(/share link/i);
    expect(main).not.toContain('Google');
  });
});
