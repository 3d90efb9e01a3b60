// Languages (issue 17): which language a page is in (saved setting > `lang` cookie > Accept-Language > English),
// <html lang>, Vary, the JSON API's messages, and the switch without JavaScript (signed out: cookie; signed in: saved).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { member } from '../support/admin.ts';
import { cookieOf, csrfOf } from '../support/forms.ts';

const htmlLang = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];
const h1 = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
const formToken = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

describe.each(DIALECTS)('language negotiation on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('follows Accept-Language (q-values, regions), else English; <html lang> follows; pages vary on it', async () => {
    const none = await request(t.app).get('/login');
    expect(htmlLang(none.text)).toBe('en');
    expect(h1(none.text)).toBe('Sign in');
    expect(none.headers.vary).toMatch(/Accept-Language/);
    const fr = await request(t.app).get('/login').set('Accept-Language', 'fr-CA,fr;q=0.9,en;q=0.5');
    expect(htmlLang(fr.text)).toBe('fr');
    expect(h1(fr.text)).toBe('Connexion');
    expect(fr.text).toContain('<title>Connexion · MistralChat</title>');
    const enFirst = await request(t.app).get('/login').set('Accept-Language', 'de, en;q=0.8, fr;q=0.5');
    expect(h1(enFirst.text)).toBe('Sign in');
    const unknown = await request(t.app).get('/login').set('Accept-Language', 'de, ja');
    expect(h1(unknown.text)).toBe('Sign in');
    // The pseudo-locale exists for the tests only, and is never chosen from a header that merely contains it.
    const notFound = await request(t.app).get('/nothing-here').set('Accept-Language', 'fr');
    expect(notFound.status).toBe(404);
    expect(notFound.text).toContain('Il n’y a rien ici.');
    expect(notFound.headers.vary).toMatch(/Accept-Language/);
  });

  it('the JSON API keeps its error codes and says the message in the asked language', async () => {
    const en = await request(t.app).get('/api/thread');
    expect(en.status).toBe(401);
    expect(en.body.error).toEqual({ code: 'unauthorized', message: 'Sign in first: send a valid access token.' });
    const fr = await request(t.app).get('/api/thread').set('Accept-Language', 'fr');
    expect(fr.body.error).toEqual({ code: 'unauthorized', message: 'Connectez-vous d’abord\u00a0: envoyez un jeton d’accès valide.' });
    const bad = await request(t.app).post('/api/auth/email/login').set('Accept-Language', 'fr').send({ email: '', password: '' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid');
    expect(bad.body.error.message).toBe('Certains champs sont à revoir.');
    expect(bad.body.error.fields.email).toBe('Saisissez votre adresse e-mail.');
  });

  it('signed out, JS off: POST /language sets the cookie (303 back), which beats Accept-Language; "auto" clears it', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login').set('Accept-Language', 'en');
    expect(page.text).toContain('action="/language"');
    expect(page.text).toContain('lang="fr"');
    expect(page.text).toContain('>Français</button>');
    const switched = await agent.post('/language').type('form').send({ _csrf: formToken(page.text), lang: 'fr', next: '/login' });
    expect(switched.status).toBe(303);
    expect(switched.headers.location).toBe('/login');
    expect(cookieOf(switched, 'lang')).toMatch(/^lang=fr; .*Path=\/;.*HttpOnly/);
    const after = await agent.get('/login').set('Accept-Language', 'en');
    expect(htmlLang(after.text)).toBe('fr');
    expect(after.text).toContain('>English</button>');
    // A foreign `next` goes home instead; an unknown language is refused, in the page's language.
    const away = await agent.post('/language').type('form').send({ _csrf: formToken(after.text), lang: 'en', next: 'https://evil.example/' });
    expect(away.headers.location).toBe('/');
    const page2 = await agent.get('/login');
    const refused = await agent.post('/language').type('form').send({ _csrf: formToken(page2.text), lang: 'xx' });
    expect(refused.status).toBe(422);
    const auto = await agent.post('/language').type('form').send({ _csrf: formToken(page2.text), lang: 'auto', next: '/login' });
    expect(cookieOf(auto, 'lang')).toMatch(/^lang=; /);
    // Without a token the switch is refused like any form.
    const forged = await request(t.app).post('/language').type('form').send({ lang: 'fr' });
    expect(forged.status).toBe(403);
  });

  it('signed in, JS off: Account saves the language, which beats the cookie and the header; "auto" gives them back', async () => {
    const m = await member(t, 'lea@example.com', { name: 'Léa' });
    const agent = request.agent(t.app);
    agent.set('Cookie', `${m.cookie}; lang=en`);
    const account = await agent.get('/account').set('Accept-Language', 'en');
    expect(account.text).toContain('<h2 id="acc-language">Language</h2>');
    expect(account.text).toMatch(/id="acc-lang-auto" name="lang" value="auto" checked>/);
    const saved = await agent.post('/account/language').type('form').send({ _csrf: csrfOf(account.text), lang: 'fr', next: '/account#language' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/account#language');
    expect((await t.db('users').where({ id: m.user.id }).first()).language).toBe('fr');
    const french = await agent.get('/account').set('Accept-Language', 'en');
    expect(htmlLang(french.text)).toBe('fr');
    expect(h1(french.text)).toBe('Compte');
    expect(french.text).toMatch(/id="acc-lang-fr" name="lang" value="fr" checked>/);
    expect(french.text).toContain('Nouvelle conversation'); // the sidebar too
    const back = await agent.post('/account/language').type('form').send({ _csrf: csrfOf(french.text), lang: 'auto' });
    expect(back.headers.location).toBe('/account');
    expect((await t.db('users').where({ id: m.user.id }).first()).language).toBeNull();
    const auto = await request(t.app).get('/account').set('Cookie', m.cookie).set('Accept-Language', 'fr');
    expect(h1(auto.text)).toBe('Compte');
    // Another user's choice is theirs alone.
    const other = await member(t, 'max@example.com');
    const theirs = await request(t.app).get('/account').set('Cookie', other.cookie);
    expect(h1(theirs.text)).toBe('Account');
  });

  it('flash messages and form errors are said in the language of the page that shows them', async () => {
    const m = await member(t, 'zoe@example.com');
    const agent = request.agent(t.app);
    agent.set('Cookie', m.cookie);
    const account = await agent.get('/account').set('Accept-Language', 'fr');
    const wrong = await agent.post('/account/password').set('Accept-Language', 'fr').type('form')
      .send({ _csrf: csrfOf(account.text), current: 'not-it', password: 'a long unusual passphrase' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Ce n’est pas votre mot de passe actuel.');
    await agent.post('/account/name').set('Accept-Language', 'en').type('form').send({ _csrf: csrfOf(account.text), name: 'Zoé' });
    const shown = await agent.get('/account').set('Accept-Language', 'fr');
    expect(shown.text).toContain('<p class="flash flash-ok">Votre nom est enregistré.</p>');
    // Dates and numbers through Intl in French.
    expect(shown.text).toMatch(/Dernière utilisation\u00a0: \d{1,2} [a-zéû.]+ \d{4} à \d{2}:\d{2} UTC/);
  });
});

describe.each(DIALECTS)('language switch under BASE_PATH=/chat on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect, { BASE_PATH: '/chat' }); });
  afterAll(async () => { await t?.close(); });

  it('posts to /chat/language, sets the cookie on /chat and goes back inside /chat', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/chat/login');
    expect(page.text).toContain('action="/chat/language"');
    const res = await agent.post('/chat/language').type('form').send({ _csrf: formToken(page.text), lang: 'fr', next: '/chat/login' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/chat/login');
    expect(cookieOf(res, 'lang')).toMatch(/Path=\/chat;/);
    expect(h1((await agent.get('/chat/login')).text)).toBe('Connexion');
  });
});
