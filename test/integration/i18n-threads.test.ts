// Languages (issue 17), threads/home/help in French: the list's group headings (months too), the bulk flashes with
// their plurals, a refused title, the confirmation page; and the list's paging keeps its English `group=` label, so a
// link made in one language goes on in another without repeating the heading.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import type { TestApp } from '../support/app.ts';
import { member, type Member } from '../support/admin.ts';
import { testApp } from '../support/app.ts';
import { csrfOf } from '../support/forms.ts';
import { createThread, markThreads } from '../../src/features/threads/threads.repo.ts';
import { groupHeading, groupLabel, THREADS_PER_PAGE } from '../../src/features/threads/threads.service.ts';
import { say } from '../../src/i18n/text.ts';
import { tFor } from '../../src/i18n/catalogue.ts';

const FR = { 'Accept-Language': 'fr' };

describe('group headings', () => {
  const now = new Date('2026-12-02T10:00:00Z');
  it('are English labels for paging and translated headings for the page', () => {
    const march = new Date('2026-03-10T12:00:00Z');
    expect(groupLabel(march, now)).toBe('March 2026');
    expect(say(tFor('fr'), groupHeading(march, now))).toBe('Mars 2026');
    expect(say(tFor('fr'), groupHeading(new Date('2026-12-01T23:00:00Z'), now))).toBe('Hier');
    expect(groupLabel(new Date('2026-11-28T00:00:00Z'), now)).toBe('Last 7 days');
  });
});

describe.each(DIALECTS)('threads in French on %s', (dialect) => {
  let t: TestApp;
  let who: Member;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await testApp(dialect);
    who = await member(t, 'fr@example.com');
    for (const title of ['Un', 'Deux', 'Trois']) ids.push((await createThread(t.db, who.user.id, { title })).id);
    await t.db('threads').where({ id: ids[2] }).update({ updated_at: new Date(Date.now() - 400 * 24 * 3600_000) });
  });
  afterAll(async () => { await t?.close(); });

  const agent = () => { const a = request.agent(t.app); a.set('Cookie', who.cookie); return a; };

  it('shows the list with French headings and links', async () => {
    const res = await agent().get('/').set(FR);
    expect(res.text).toContain('<h2 class="group">Aujourd’hui</h2>');
    expect(res.text).toMatch(/<h2 class="group">(Janvier|Février|Mars|Avril|Mai|Juin|Juillet|Août|Septembre|Octobre|Novembre|Décembre) \d{4}<\/h2>/);
    expect(res.text).toContain('>Sélectionner…</a>');
    expect(res.text).toContain('<h2>Conversations récentes</h2>');
  });

  it('says what a bulk action did, with French plurals', async () => {
    const a = agent();
    const page = await a.get('/threads?select=1').set(FR);
    await a.post('/threads/bulk').set(FR).type('form').send({ _csrf: csrfOf(page.text), action: 'pin', ids: ids.slice(0, 2) });
    expect((await a.get('/threads?select=1').set(FR)).text).toContain('2 conversations épinglées.');
    await a.post('/threads/bulk').set(FR).type('form').send({ _csrf: csrfOf(page.text), action: 'unpin', ids: ids[0] });
    expect((await a.get('/threads?select=1').set(FR)).text).toContain('1 conversation désépinglée.');
    await markThreads(t.db, who.user.id, ids, 'pinned_at', false);
  });

  it('asks before deleting, in French, and refuses an empty title in French', async () => {
    const a = agent();
    const page = await a.get(`/threads/${ids[0]}`).set(FR);
    const confirm = await a.post('/threads/bulk').set(FR).type('form').send({ _csrf: csrfOf(page.text), action: 'delete', ids: ids.slice(0, 2) });
    expect(confirm.text).toContain(`<h1>Supprimer 2 conversations${'\u202f'}?</h1>`);
    expect(confirm.text).toContain('<title>Supprimer des conversations · MistralChat</title>');
    const refused = await a.post(`/threads/${ids[0]}/rename`).set(FR).set('HX-Request', 'true').type('form').send({ _csrf: csrfOf(page.text), title: ' ' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Donnez un titre à la conversation.');
  });

  it('pages the list with the English group label, whatever the language', async () => {
    const older = [];
    for (let i = 0; i < THREADS_PER_PAGE; i++) older.push({ title: `Vieux ${i}` });
    for (const input of older) await createThread(t.db, who.user.id, input);
    const first = await agent().get('/threads').set(FR);
    const next = /href="(\/threads\?cursor=[^"]+)"/.exec(first.text)![1].replace(/&amp;/g, '&');
    expect(next).toContain('group=Today');
    const more = await agent().get(next).set(FR).set('HX-Request', 'true');
    expect(more.text).not.toContain('Aujourd’hui'); // the heading is not repeated on the next page
    expect(more.text).toMatch(/<h2 class="group">\S+ \d{4}<\/h2>/);
  });
});
