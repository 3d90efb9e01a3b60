// Languages (issue 17): the public share page is read by people without an account (or signed in elsewhere): it
// follows the `lang` cookie and Accept-Language like any page, and a share that is gone says so in that language.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { answeredThread, shareOf } from '../support/shares.ts';

describe.each(DIALECTS)('the share page in the reader’s language on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let path: string;
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' });
    s = await signIn(t);
    path = (await shareOf(t, s, await answeredThread(t, s, 1, 'Kettle notes'))).path;
  });
  afterAll(async () => { await t?.close(); });

  it('signed out, Accept-Language fr: French, <html lang="fr">, Vary: Accept-Language', async () => {
    const res = await request(t.app).get(path).set('Accept-Language', 'fr-CA,fr;q=0.9,en;q=0.5');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="fr"');
    expect(res.text).toContain('· Conversation partagée</p>');
    expect(res.text).toMatch(/Une copie en lecture seule, partagée le \d{1,2} [a-zéû]+\.? \d{4} à \d\d:\d\d UTC\./);
    expect(res.text).toContain('>Connectez-vous</a> pour poursuivre cette conversation dans votre compte.');
    expect(String(res.headers.vary)).toMatch(/Accept-Language/i);
  });

  it('the lang cookie wins over Accept-Language; English without either', async () => {
    const fr = await request(t.app).get(path).set('Cookie', 'lang=fr').set('Accept-Language', 'en');
    expect(fr.text).toContain('Conversation partagée');
    const en = await request(t.app).get(path);
    expect(en.text).toContain('<html lang="en"');
    expect(en.text).toContain('· Shared conversation</p>');
    expect(en.text).toMatch(/A read-only copy, shared \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
  });

  it('a gone share answers 404 in French, page and JSON (code unchanged)', async () => {
    const page = await request(t.app).get(`/s/${'x'.repeat(43)}`).set('Accept-Language', 'fr');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Cette conversation partagée n’existe pas.');
    const json = await request(t.app).get(`/api/shares/${'x'.repeat(43)}`).set('Accept-Language', 'fr');
    expect(json.status).toBe(404);
    expect(json.body.error).toEqual({ code: 'not_found', message: 'Cette conversation partagée n’existe pas.' });
  });
});
