// Languages (issue 17), chat: what the server renders outside an ordinary page (the SSE stream's fragments, the page
// that follows an answer without JavaScript, a stored error) is in the language of the person who reads it, not of
// whoever sent the message, and English stays as it was.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)('chat in the reader\'s language on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  async function send(tokens: string[], thinking?: string[]) {
    t.fake.enqueue({ tokens, thinking, tokenDelayMs: 5 });
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'go' });
    const [, id, mid] = /\/threads\/([\w-]+)\?follow=(\d+)#m-\d+/.exec(res.headers.location)!;
    return { id, mid, follow: res.headers.location.split('#')[0] };
  }

  it('streams the Thinking box, the status and the final footer in the language of whoever opened the stream', async () => {
    const { id, mid } = await send(['Bonjour.'], ['Hmm.']);
    const url = `${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.0`;
    const fr = (await readSse(url, { Cookie: s.cookie, 'Accept-Language': 'fr' })).events.map((e) => e.data).join('\n');
    expect(fr).toContain('<summary>Réflexion</summary>');
    expect(fr).toContain('Rédaction…');
    expect(fr).toContain('Terminé.');
    expect(fr).not.toMatch(/Thinking|Writing…|Done\./);
    // The same answer read again by an English browser: English, as before.
    const en = (await readSse(url, { Cookie: s.cookie })).events.map((e) => e.data).join('\n');
    expect(en).toContain('Done.');
    expect(en).not.toContain('Terminé');
  });

  it('follows an answer without JavaScript in French, the saved language winning over the browser\'s', async () => {
    await t.db('users').where({ id: s.user.id }).update({ language: 'fr' });
    try {
      const { follow } = await send(['Un.\n\n', 'Deux.'], ['Je réfléchis.']);
      const page = await request(t.app).get(follow).set('Cookie', s.cookie).set('Accept-Language', 'en');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<summary>Réflexion</summary>');
      expect(page.text).toContain('Terminé.');
      expect(page.text).toContain('Nouvelle conversation à partir d’ici');
      expect(page.text).not.toContain('New chat from here');
    } finally {
      await t.db('users').where({ id: s.user.id }).update({ language: null });
    }
  });

  it('shows a stored error in the reader\'s language (stored in English for the JSON API)', async () => {
    t.fake.enqueue({ status: 429 });
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'go' });
    const [, id] = /\/threads\/([\w-]+)\?follow=/.exec(res.headers.location)!;
    const waitError = async () => {
      for (let i = 0; i < 100; i++) {
        const row = await t.db('messages').where({ thread_id: id, role: 'assistant' }).first('error');
        if (row?.error) return row.error as string;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no error stored');
    };
    expect(await waitError()).toBe('Mistral is rate limiting requests. Wait a moment, then retry.');
    const fr = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie).set('Accept-Language', 'fr');
    expect(fr.text).toContain('Mistral limite le nombre de requêtes. Patientez un instant, puis réessayez.');
    expect(fr.text).toContain('Échec.');
    const en = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(en.text).toContain('Mistral is rate limiting requests. Wait a moment, then retry.');
  });

  it('refuses an empty message in French, on the page and in the htmx composer', async () => {
    const page = await request(t.app).post('/threads').set('Cookie', s.cookie).set('Accept-Language', 'fr').type('form').send({ _csrf: s.csrf, content: ' ' });
    expect(page.status).toBe(422);
    expect(page.text).toContain('Écrivez d’abord un message.');
    const box = await request(t.app).post('/threads').set('Cookie', s.cookie).set('Accept-Language', 'fr').set('HX-Request', 'true').type('form').send({ _csrf: s.csrf, content: ' ' });
    expect(box.text).toContain('Écrivez d’abord un message.');
    // The JSON API: the same code, the message in the asker's language.
    const api = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).set('Accept-Language', 'fr').send({ content: ' ' });
    expect(api.status).toBe(422);
    expect(api.body.error.code).toBe('invalid');
    expect(api.body.error.message).toBe('Écrivez d’abord un message.');
  });
});
