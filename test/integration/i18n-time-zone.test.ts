// Languages (issue 17), the reader's time zone: the zone the browser's script reports (the `tz` cookie) or the one
// saved on Account (which wins, and is the only way without JavaScript) decides the sidebar's Today/Yesterday, the
// message times and the dates on pages; a name Intl does not know is ignored; UTC otherwise, always named.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { member, type Member } from '../support/admin.ts';
import { csrfOf } from '../support/forms.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { insertExchange, saveFinal } from '../../src/features/chat/messages.repo.ts';
import { splitMoment, WRITTEN_AT } from '../support/time-zones.ts';

const DAY = 86_400_000;
const groups = (html: string) => [...html.matchAll(/<h2 class="group">([^<]*)<\/h2>/g)].map((m) => m[1]);
const exactTimes = (html: string) => [...html.matchAll(/<span class="exact"><span class="sep">, <\/span>([^<]*)<\/span>/g)].map((m) => m[1]);

describe.each(DIALECTS)('the reader’s time zone on %s', (dialect) => {
  let t: TestApp;
  let who: Member;
  let threadId: string;
  const split = splitMoment();
  beforeAll(async () => {
    t = await testApp(dialect);
    who = await member(t, 'zone@example.com');
    threadId = (await createThread(t.db, who.user.id, { title: 'Across midnight' })).id;
    const sent = (await insertExchange(t.db, threadId, 'Hello', 'mistral-small-latest'))!;
    await saveFinal(t.db, sent.reply.id, { content: 'Hi there.', thinking: null, status: 'complete' });
    // Written on 1 Dec 2026 at 20:54 UTC (21:54 in Paris, 05:54 on 2 Dec in Tokyo).
    await t.db('messages').where({ thread_id: threadId }).update({ created_at: WRITTEN_AT });
    await t.db('threads').where({ id: threadId }).update({ updated_at: split.at });
  });
  afterAll(async () => { await t?.close(); });

  const get = (path: string, cookie = '', lang = 'en') =>
    request(t.app).get(path).set('Cookie', `${who.cookie}${cookie ? `; ${cookie}` : ''}`).set('Accept-Language', lang);

  it('groups the sidebar by the reported zone’s days, and writes message times in it, naming it', async () => {
    const utc = await get(`/threads/${threadId}`);
    expect(groups(utc.text)).toContain(split.utc);
    expect(exactTimes(utc.text)).toEqual(['1 Dec 2026, 20:54 UTC', '1 Dec 2026, 20:54 UTC']);
    const there = await get(`/threads/${threadId}`, `tz=${encodeURIComponent(split.zone)}`);
    expect(groups(there.text)).toContain(split.there);
    expect(groups(there.text)).not.toContain(split.utc);
    const paris = await get(`/threads/${threadId}`, 'tz=Europe%2FParis');
    expect(exactTimes(paris.text)).toEqual(['1 Dec 2026, 21:54 GMT+1', '1 Dec 2026, 21:54 GMT+1']);
    expect(paris.text).toContain('datetime="2026-12-01T20:54:30.000Z"');
    const tokyoFr = await get(`/threads/${threadId}`, 'tz=Asia%2FTokyo', 'fr');
    expect(exactTimes(tokyoFr.text)[0]).toBe('2 déc. 2026 à 05:54 UTC+9');
    // Nothing hands a reported zone back to the script: only a saved one goes on <html>.
    expect(paris.text).not.toContain('data-tz=');
  });

  it('ignores a zone Intl does not know, and anything that is not a zone name', async () => {
    for (const bad of ['Mars%2FOlympus_Mons', '..%2F..%2Fetc', `${'A'.repeat(80)}`, '%3Cscript%3E']) {
      const res = await get(`/threads/${threadId}`, `tz=${bad}`);
      expect(res.status).toBe(200);
      expect(exactTimes(res.text)[0]).toBe('1 Dec 2026, 20:54 UTC');
    }
  });

  it('saves a zone on Account (JavaScript off: a plain form), which beats the reported one; "auto" gives it back', async () => {
    const agent = request.agent(t.app);
    agent.set('Cookie', `${who.cookie}; tz=Europe%2FParis`);
    const account = await agent.get('/account');
    expect(account.text).toContain('<option value="auto" selected>Automatic (this browser’s: Europe/Paris)</option>');
    expect(account.text).toContain('<option>Pacific/Auckland</option>');
    const saved = await agent.post('/account/time-zone').type('form').send({ _csrf: csrfOf(account.text), zone: 'Asia/Tokyo', next: '/account#time-zone' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/account#time-zone');
    const after = await agent.get('/account');
    expect(after.text).toContain('Times are now shown in Asia/Tokyo.');
    expect(after.text).toContain('<option selected>Asia/Tokyo</option>');
    expect(after.text).toMatch(/<html lang="en"[^>]* data-tz="Asia\/Tokyo">/);
    const page = await agent.get(`/threads/${threadId}`);
    expect(exactTimes(page.text)[0]).toBe('2 Dec 2026, 05:54 GMT+9');
    // Dates elsewhere too: Account's "last used", in the ISO-like English form, in Tokyo.
    expect(after.text).toMatch(/Last used \d{4}-\d{2}-\d{2} \d{2}:\d{2} GMT\+9/);

    const refused = await agent.post('/account/time-zone').type('form').set('Accept-Language', 'fr').send({ _csrf: csrfOf(after.text), zone: 'Mars/Olympus_Mons' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Choisissez l’un des fuseaux horaires proposés.');
    const noToken = await agent.post('/account/time-zone').type('form').send({ zone: 'UTC' });
    expect(noToken.status).toBe(403);
    expect((await t.db('users').where({ id: who.user.id }).first()).time_zone).toBe('Asia/Tokyo');

    const auto = await agent.post('/account/time-zone').type('form').send({ _csrf: csrfOf(after.text), zone: 'auto' });
    expect(auto.status).toBe(303);
    expect((await t.db('users').where({ id: who.user.id }).first()).time_zone).toBeNull();
    const back = await agent.get(`/threads/${threadId}`);
    expect(exactTimes(back.text)[0]).toBe('1 Dec 2026, 21:54 GMT+1');
    expect(back.text).not.toContain('data-tz=');
  });

  it('without a reported zone, Account says it waits for the browser, in French too', async () => {
    const fr = await get('/account', '', 'fr');
    expect(fr.text).toContain('<option value="auto" selected>Automatique (UTC tant que votre navigateur n’a pas indiqué le sien)</option>');
    expect(fr.text).toContain('<h2 id="acc-zone">Fuseau horaire</h2>');
  });
});

it('a day is the reader’s: the split moment is a day apart in UTC and in the zone picked', () => {
  for (const hour of [0, 5, 8, 9, 15, 23]) {
    const now = new Date(Date.UTC(2026, 11, 2, hour, 30));
    const s = splitMoment(now);
    const day = (d: Date, zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(d);
    expect(day(s.at, 'UTC') === day(now, 'UTC')).toBe(s.utc === 'Today');
    expect(day(s.at, s.zone) === day(now, s.zone)).toBe(s.there === 'Today');
    expect(Math.abs(now.getTime() - s.at.getTime())).toBeLessThan(DAY);
  }
});
