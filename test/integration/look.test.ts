// What the pages say and carry, issue 10 items 21 and 22: the register form says each error once and focuses the
// failing field, the empty state is said once, the icon sprite is on every page once and the controls use it, and
// the conversations page (the sidebar's "More" without JavaScript) is a page with its headings.
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { formAgent } from '../support/forms.ts';
import { manyThreads } from '../browser/data.ts';

const ICONS = ['clip', 'file', 'mic', 'share', 'sliders', 'copy', 'check', 'menu', 'plus', 'pencil', 'trash', 'x', 'down', 'sun', 'moon', 'monitor', 'gear', 'user', 'logout', 'stop',
  'retry', 'send', 'chevron', 'pin', 'archive'];
const count = (text: string, part: string) => text.split(part).length - 1;
/** The opening tag of the element with this id. */
const tagOf = (html: string, id: string) => new RegExp(`<[a-z]+ [^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? '';
const w3mMissing = (() => { try { execFileSync('w3m', ['-version'], { stdio: 'ignore' }); return false; } catch { return true; } })();

describe.each(DIALECTS)('how pages read on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => {
    t = await chatApp(dialect);
    s = await signIn(t);
  });
  afterAll(async () => { await t?.close(); });

  const register = async (fields: Record<string, string>) => {
    const { agent, csrf } = await formAgent(t, '/register');
    return agent.post('/register').type('form').send({ _csrf: csrf, name: '', ...fields });
  };

  it('register: a short password is said once, under the field, which is focused; the hint stays a hint', async () => {
    const res = await register({ email: 'short@example.com', password: 'short' });
    expect(res.status).toBe(422);
    expect(count(res.text, 'Use at least 8 characters.')).toBe(1);
    expect(count(res.text, 'At least 8 characters, not a common password.')).toBe(1);
    expect(res.text).not.toContain('Some fields need another look.');
    const password = tagOf(res.text, 'auth-password');
    expect(password).toContain('aria-invalid="true"');
    expect(password).toContain('aria-describedby="auth-password-error auth-password-hint"');
    expect(password).toContain(' autofocus');
    expect(count(res.text, ' autofocus')).toBe(1);
    // The error comes right under its field, before the hint.
    expect(res.text.indexOf('id="auth-password-error"')).toBeLessThan(res.text.indexOf('id="auth-password-hint"'));
  });

  it('register: a bad email focuses the email field, not the password', async () => {
    const res = await register({ email: 'not-an-email', password: 'a long enough passphrase 42' });
    expect(res.status).toBe(422);
    expect(tagOf(res.text, 'auth-email')).toContain(' autofocus');
    expect(tagOf(res.text, 'auth-password')).not.toContain('autofocus');
    expect(tagOf(res.text, 'auth-password')).toContain('aria-describedby="auth-password-hint"');
    expect(count(res.text, 'Enter an email address such as name@example.com.')).toBe(1);
  });

  it('a new user is told "No conversations yet." once (the sidebar), and welcomed on the home page', async () => {
    const fresh = await signIn(t);
    const res = await request(t.app).get('/').set('Cookie', fresh.cookie);
    expect(res.status).toBe(200);
    expect(count(res.text, 'No conversations yet.')).toBe(1);
    expect(res.text).toContain('Welcome!');
    expect(res.text).not.toContain('Recent conversations');
  });

  it('every page carries the icon sprite once, small, and its controls use icons that exist beside words', async () => {
    const made = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({ title: 'Icons' });
    for (const path of ['/', `/threads/${made.body.thread.id}`, '/settings', '/account', '/no/such/page']) {
      const res = await request(t.app).get(path).set('Cookie', s.cookie);
      const sprite = /<svg class="sprite"[\s\S]*?<\/svg>/.exec(res.text)?.[0] ?? '';
      expect(count(res.text, 'class="sprite"'), path).toBe(1);
      // (3000 until issue 15 added the pin and archive icons.)
      expect(sprite.length, path).toBeLessThan(3300);
      for (const id of ICONS) expect(sprite, `${path}: i-${id}`).toContain(`<symbol id="i-${id}" viewBox="0 0 24 24">`);
      // Every icon used is in the sprite, and is hidden from assistive technology.
      const used = [...res.text.matchAll(/<svg class="icon"([^>]*)><use href="#i-([a-z]+)"><\/use><\/svg>/g)];
      expect(used.length, path).toBeGreaterThan(3);
      for (const [, attrs, id] of used) {
        expect(ICONS, path).toContain(id);
        expect(attrs).toBe(' aria-hidden="true" focusable="false"');
      }
      expect(count(res.text, '<svg class="icon"'), `${path}: every icon is a use of the sprite`).toBe(used.length);
    }
    const thread = (await request(t.app).get(`/threads/${made.body.thread.id}`).set('Cookie', s.cookie)).text;
    const uses = (id: string, label: string) => new RegExp(`<use href="#i-${id}"></use></svg>(?:<span[^>]*>)?${label}`);
    expect(thread).toMatch(uses('menu', '(?:<span class="sr-only">)?Show conversations'));
    expect(thread).toMatch(uses('plus', 'New chat'));
    expect(thread).toMatch(uses('gear', 'Settings'));
    expect(thread).toMatch(uses('logout', 'Sign out'));
    expect(thread).toMatch(uses('pencil', 'Rename'));
    expect(thread).toMatch(uses('trash', 'Delete'));
    expect(thread).toMatch(uses('send', 'Send'));
    expect(thread).toMatch(/<span class="model-name">[^<]+<\/span><svg class="icon" aria-hidden="true" focusable="false"><use href="#i-chevron">/);
    expect(thread).toMatch(/<use href="#i-user"><\/use><\/svg><span>/);
    // Thread actions are buttons, not disclosure triangles.
    expect(thread).not.toMatch(/<summary>/);
  });

  it.skipIf(w3mMissing)('w3m prints the words and nothing of the sprite', async () => {
    const res = await request(t.app).get('/').set('Cookie', s.cookie);
    const out = execFileSync('w3m', ['-dump', '-T', 'text/html', '-cols', '80'], { input: res.text }).toString();
    expect(out).toContain('New chat');
    expect(out).toContain('Settings');
    expect(out).toContain('Sign out');
    expect(out).not.toMatch(/i-[a-z]+|viewBox|symbol|☰/);
    // Nothing but words: no stray blank lines where the sprite sits (the dump ends with the page's last words).
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/\w/);
  });

  it('the conversations page (the sidebar\'s More without JavaScript): its own groups, a way back, the sidebar at the newest', async () => {
    const many = await signIn(t);
    await manyThreads(t.db, many.user.id, 35);
    const first = await request(t.app).get('/').set('Cookie', many.cookie);
    const more = /href="(\/threads\?cursor=[^"]+)"/.exec(first.text)![1].replace(/&amp;/g, '&');
    const res = await request(t.app).get(more).set('Cookie', many.cookie);
    expect(res.status).toBe(200);
    const main = res.text.slice(res.text.indexOf('<main'));
    expect(main).toMatch(/<section class="thread-index">\s*<h1>Conversations<\/h1>\s*<h2 class="group">/);
    expect(main).toContain('Thread 35');
    expect(main).toContain('href="/threads">Newest conversations</a>');
    const sidebar = /<nav class="sidebar"[\s\S]*?<\/nav>/.exec(res.text)![0];
    expect(sidebar).toContain('>Thread 1<');
    expect(sidebar).not.toContain('>Thread 35<');
  });
});
