// Edit, regenerate and ‹ n/m › as pages (JavaScript off: plain forms, redirects, small pages) and as htmx fragments.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

describe.each(DIALECTS)('branch pages on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' }); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });
  const get = (path: string, htmx = false) => { const r = request(t.app).get(path).set('Cookie', s.cookie); return htmx ? r.set('HX-Request', 'true') : r; };
  const post = (path: string, body: Record<string, string>, htmx = false) => {
    const r = request(t.app).post(path).set('Cookie', s.cookie);
    return (htmx ? r.set('HX-Request', 'true').set('X-CSRF-Token', s.csrf) : r).type('form').send({ _csrf: s.csrf, ...body });
  };
  /** A thread with one answered question; its id, the question's and the answer's. */
  async function exchange(question = 'Original question', answer = 'First answer') {
    t.fake.enqueue({ tokens: [answer] });
    const sent = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({});
    const id = sent.body.thread.id as string;
    const res = await request(t.app).post(`/api/thread/${id}/messages`).set('Authorization', `Bearer ${s.token}`).send({ content: question });
    await t.gens.idle();
    return { id, q: res.body.message.id as number, a: res.body.reply.id as number };
  }
  const versions = (html: string) => [...html.matchAll(/title="Version (\d+) of (\d+)"/g)].map((m) => `${m[1]}/${m[2]}`);

  it('JavaScript off: Edit opens a page with the text, saving follows the new answer, ‹ › switches back and forth', async () => {
    const { id, q } = await exchange();
    const thread = await get(`/threads/${id}`);
    expect(thread.text).toContain(`href="/threads/${id}/messages/${q}/edit"`);
    const page = await get(`/threads/${id}/messages/${q}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<!doctype html>');
    expect(page.text).toContain('<h1>Edit message</h1>');
    expect(page.text).toMatch(/<textarea id="edit-\d+" name="content"[^>]*>Original question<\/textarea>/);
    expect(page.text).toContain(`href="/threads/${id}#m-${q}"`); // Cancel
    t.fake.enqueue({ tokens: ['Second answer'] });
    const saved = await post(`/threads/${id}/messages/${q}/edit`, { content: 'Better question' });
    expect(saved.status).toBe(303);
    const follow = /^\/threads\/[\w-]+\?follow=(\d+)#m-\d+$/.exec(saved.headers.location)!;
    expect(follow).not.toBeNull();
    const followed = await get(saved.headers.location.split('#')[0]);
    expect(followed.text).toContain('<p>Second answer</p>');
    expect(followed.text).not.toContain('First answer');
    const after = await get(`/threads/${id}`);
    expect(versions(after.text)).toEqual(['2/2']);
    expect(after.text).toContain('Better question');
    // ‹ goes to the original: a plain form, answered with the thread at that message.
    const prev = /<button type="submit" class="btn-small" id="vp-root" formaction="\/threads\/[\w-]+\/branch\?messageId=(\d+)" hx-post="[^"]+" aria-label="Previous version">/.exec(after.text)!;
    expect(Number(prev[1])).toBe(q);
    const back = await post(`/threads/${id}/branch?messageId=${prev[1]}`, {});
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`/threads/${id}#m-${q}`);
    const original = await get(`/threads/${id}`);
    expect(original.text).toContain('<p>First answer</p>');
    expect(original.text).not.toContain('Second answer');
    expect(versions(original.text)).toEqual(['1/2']);
    expect(original.text).toContain('<button type="button" class="btn-small" id="vp-root" aria-label="Previous version" aria-disabled="true">');
  });

  it('JavaScript off: a refused edit comes back with its text and the reason (422 empty or too long, 409 while an answer is written)', async () => {
    const { id, q } = await exchange();
    const empty = await post(`/threads/${id}/messages/${q}/edit`, { content: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Write a message first.');
    expect(empty.text).toMatch(/aria-invalid="true" aria-describedby="edit-\d+-error"/);
    t.fake.enqueue({ tokens: ['slow'], firstTokenDelayMs: 400 });
    await request(t.app).post(`/api/thread/${id}/messages`).set('Authorization', `Bearer ${s.token}`).send({ content: 'next' });
    const busy = await post(`/threads/${id}/messages/${q}/edit`, { content: 'Keep this text' });
    expect(busy.status).toBe(409);
    expect(busy.text).toContain('The previous answer is still being written.');
    expect(busy.text).toContain('>Keep this text</textarea>');
    await t.gens.idle();
  });

  it('htmx: Edit swaps the form in, Cancel the message back, saving swaps the thread\'s messages for the new branch', async () => {
    const { id, q } = await exchange();
    const form = await get(`/threads/${id}/messages/${q}/edit`, true);
    expect(form.text).not.toContain('<!doctype html>');
    expect(form.text.trimStart()).toMatch(new RegExp(`^<article class="msg msg-user msg-editing" id="m-${q}"`));
    expect(form.text).toContain('autofocus');
    const cancel = await get(`/threads/${id}/messages/${q}`, true);
    expect(cancel.text.trimStart()).toMatch(new RegExp(`^<article class="msg msg-user" id="m-${q}"`));
    expect(cancel.text).toContain('Original question');
    // Without htmx the message's own URL is its place in the thread.
    expect((await get(`/threads/${id}/messages/${q}`)).headers.location).toBe(`/threads/${id}#m-${q}`);
    const bad = await post(`/threads/${id}/messages/${q}/edit`, { content: '' }, true);
    expect(bad.status).toBe(422);
    expect(bad.headers['hx-retarget']).toBe(`#m-${q}`);
    expect(bad.headers['hx-reswap']).toBe('outerHTML');
    t.fake.enqueue({ tokens: ['New', ' answer'], firstTokenDelayMs: 300 });
    const saved = await post(`/threads/${id}/messages/${q}/edit`, { content: 'Edited' }, true);
    expect(saved.status).toBe(200);
    expect(saved.headers['hx-retarget']).toBe('#messages');
    expect(saved.headers['hx-reswap']).toBe('innerHTML show:window:bottom');
    expect(saved.text).toContain('Edited');
    expect(saved.text).not.toContain('Original question');
    expect(saved.text).toMatch(/hx-ext="sse" sse-connect="\/threads\/[\w-]+\/messages\/\d+\/events\?after=0\.0"/);
    expect(versions(saved.text)).toEqual(['2/2']);
    await t.gens.idle();
    // While an answer is written, a new edit is refused into #flash (the form and its text stay on the page).
    t.fake.enqueue({ tokens: ['slow'], firstTokenDelayMs: 400 });
    await request(t.app).post(`/api/thread/${id}/messages`).set('Authorization', `Bearer ${s.token}`).send({ content: 'next' });
    const busy = await post(`/threads/${id}/messages/${q}/edit`, { content: 'Again' }, true);
    expect(busy.status).toBe(409);
    expect(busy.headers['hx-retarget']).toBe('#flash');
    await t.gens.idle();
  });

  it('Regenerate (the chat\'s model) and Other model (a page without JavaScript, a form in the footer with htmx)', async () => {
    const { id, a } = await exchange();
    await request(t.app).put('/api/settings').set('Authorization', `Bearer ${s.token}`).send({ fastModels: ['mistral-small-latest', 'mistral-large-latest'] });
    const thread = await get(`/threads/${id}`);
    expect(thread.text).toContain(`action="/threads/${id}/messages/${a}/regenerate"`);
    t.fake.enqueue({ tokens: ['Again, same model'] });
    const same = await post(`/threads/${id}/messages/${a}/regenerate`, {}, true);
    expect(same.status).toBe(200);
    expect(same.headers['hx-retarget']).toBe('#messages');
    expect(versions(same.text)).toEqual(['2/2']);
    await t.gens.idle();
    const other = await get(`/threads/${id}/messages/${a}/regenerate`);
    expect(other.text).toContain('<h1>Regenerate answer</h1>');
    expect(other.text).toContain('<option value="">This chat\'s model (mistral-small-latest)</option>');
    expect(other.text).toContain('<option value="mistral-large-latest">mistral-large-latest</option>');
    const inline = await get(`/threads/${id}/messages/${a}/regenerate`, true);
    expect(inline.text.trimStart()).toMatch(/^<form class="regen-form"/);
    t.fake.enqueue({ tokens: ['Large answer'] });
    const done = await post(`/threads/${id}/messages/${a}/regenerate`, { model: 'mistral-large-latest' });
    expect(done.status).toBe(303);
    await get(done.headers.location.split('#')[0]);
    const page = await get(`/threads/${id}`);
    expect(page.text).toContain('<p>Large answer</p>');
    expect(page.text).toContain('title="The model that wrote this answer">mistral-large-latest</span>');
    expect(versions(page.text)).toEqual(['3/3']);
    const refused = await post(`/threads/${id}/messages/${a}/regenerate`, { model: 'not-offered-model' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('not in your fast list');
  });

  it('a page left on one branch sends into that branch, even after another device switched the thread', async () => {
    const { id, q, a } = await exchange();
    const tabA = await get(`/threads/${id}`);
    expect(tabA.text).toContain(`<input type="hidden" name="after" id="send-after" value="${a}">`);
    // Another device edits the question: the thread now remembers the edit's branch.
    t.fake.enqueue({ tokens: ['Other branch'] });
    await request(t.app).post(`/api/thread/${id}/messages/${q}/edit`).set('Authorization', `Bearer ${s.token}`).send({ content: 'Elsewhere' });
    await t.gens.idle();
    // Tab A still shows the first branch and sends from it (JavaScript off: the plain form).
    t.fake.enqueue({ tokens: ['Follow-up answer'] });
    const sent = await post(`/threads/${id}/messages`, { content: 'Follow-up', after: String(a), sendKey: 'tab-a-key-0001' });
    expect(sent.status).toBe(303);
    await t.gens.idle();
    const upstream = (t.fake.chatRequests.at(-1)!.body as { messages: Array<{ content: string }> }).messages.map((m) => m.content);
    expect(upstream).toEqual(['Original question', 'First answer', 'Follow-up']);
    const page = await get(`/threads/${id}`);
    expect(page.text).toContain('Follow-up answer');
    expect(page.text).not.toContain('Elsewhere');
    // With htmx, the answer's arrival moves the composer's `after` to it (out of band); a switch does the same.
    t.fake.enqueue({ tokens: ['Third'] });
    const htmxSend = await post(`/threads/${id}/messages`, { content: 'Third question', sendKey: 'tab-a-key-0002' }, true);
    const reply = /id="m-(\d+)" data-status="pending"/.exec(htmxSend.text)![1];
    expect(htmxSend.text).toContain(`<input type="hidden" name="after" id="send-after" value="${reply}" hx-swap-oob="true">`);
    await t.gens.idle();
    const switched = await post(`/threads/${id}/branch?messageId=${q}`, {}, true);
    expect(switched.text).toContain(`<input type="hidden" name="after" id="send-after" value="${reply}" hx-swap-oob="true">`);
    // Without `after` (a script, an old page), a send follows the thread's remembered branch, as before.
    t.fake.enqueue({ tokens: ['Leaf'] });
    await request(t.app).post(`/api/thread/${id}/messages`).set('Authorization', `Bearer ${s.token}`).send({ content: 'No after' });
    await t.gens.idle();
    expect((t.fake.chatRequests.at(-1)!.body as { messages: Array<{ content: string }> }).messages.at(-2)!.content).toBe('Third');
  });

  it('htmx: ‹ › swaps the messages for the chosen branch, with the navigator under the same ids', async () => {
    const { id, q } = await exchange();
    t.fake.enqueue({ tokens: ['Edited answer'] });
    await request(t.app).post(`/api/thread/${id}/messages/${q}/edit`).set('Authorization', `Bearer ${s.token}`).send({ content: 'Edited' });
    await t.gens.idle();
    const res = await post(`/threads/${id}/branch`, { messageId: String(q) }, true);
    expect(res.status).toBe(200);
    expect(res.headers['hx-retarget']).toBe('#messages');
    expect(res.headers['hx-reswap']).toBe('innerHTML');
    expect(res.text).toContain('First answer');
    expect(res.text).toContain('id="vp-root"');
    expect(res.text).toContain('id="vn-root"');
    expect((await post(`/threads/${id}/branch`, { messageId: '99999999' }, true)).status).toBe(404);
  });
});
