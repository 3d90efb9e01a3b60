import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { JSON_SSE_TIMING } from '../../src/features/api/threads.api.ts';
import type { Generations } from '../../src/features/chat/generation.ts';
import { createLogger } from '../../src/http/logger.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import type { Scenario } from '../support/fake-mistral.ts';

describe.each(DIALECTS)('answers over SSE on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let threadId: string;
  beforeAll(async () => {
    // Short enough for the idle-timeout test, long enough that a loaded machine's pauses do not end answers early.
    t = await chatApp(dialect, { MISTRAL_IDLE_TIMEOUT_MS: '1500' });
    s = await signIn(t);
    const res = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({ title: 'SSE', context: 'Be brief.' });
    expect(res.status).toBe(201);
    threadId = res.body.thread.id;
  });
  afterAll(async () => { await t?.close(); });
  const bearer = () => ({ Authorization: `Bearer ${s.token}` });

  async function send(scenario: Scenario, content = 'question') {
    await t.gens.idle();
    t.fake.enqueue(scenario);
    const res = await request(t.app).post(`/api/thread/${threadId}/messages`).set(bearer()).send({ content });
    expect(res.status).toBe(202);
    expect(res.body.reply.status).toBe('pending');
    return res.body as { message: { id: number }; reply: { id: number } };
  }
  const events = (id: number) => `${t.baseUrl}/api/thread/${threadId}/messages/${id}/events`;
  const row = (id: number) => t.db('messages').where({ id }).first();

  it('streams deltas then done over the JSON API; the text equals what the upstream sent, split multi-byte characters intact', async () => {
    const tokens = ['Grüße', ' — ', '日本語', ' 🚀🚀', ' fin.'];
    const { reply } = await send({ tokens, splitUtf8: true, tokenDelayMs: 10, thinking: ['Hmm, ', 'ok.'] });
    const sse = await readSse(events(reply.id), bearer());
    // The final event closes the stream: the server ends the response, the reader does not time out.
    expect(sse.ended).toBe(true);
    expect(sse.timedOut).toBe(false);
    const deltas = sse.events.filter((e) => e.event === 'delta').map((e) => JSON.parse(e.data));
    expect(deltas.map((d) => d.text ?? '').join('')).toBe(tokens.join(''));
    expect(deltas.map((d) => d.thinking ?? '').join('')).toBe('Hmm, ok.');
    const done = sse.events.at(-1)!;
    expect(done.event).toBe('done');
    expect(JSON.parse(done.data)).toMatchObject({ status: 'complete', usage: { completionTokens: 5 } });
    expect(await row(reply.id)).toMatchObject({ content: tokens.join(''), thinking: 'Hmm, ok.', status: 'complete' });
    // The thread's context went up as the system message.
    expect((t.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: string }> }).messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    // A listener after the end gets what is saved as one delta, then done.
    const late = await readSse(events(reply.id), bearer());
    expect(late.events.map((e) => e.event)).toEqual(['delta', 'delta', 'done']);
    expect(late.ended).toBe(true);
  });

  it('resumes with Last-Event-ID with no gap and no duplicate (JSON and HTML streams)', async () => {
    const tokens = Array.from({ length: 30 }, (_, i) => `w${i} `);
    const { reply } = await send({ tokens, tokenDelayMs: 25 });
    const first = await readSse(events(reply.id), bearer(), { until: (e) => e.filter((x) => x.event === 'delta').length >= 3 });
    const lastId = first.events.at(-1)!.id;
    expect(lastId).toMatch(/^0\.\d+$/);
    const rest = await readSse(events(reply.id), { ...bearer(), 'Last-Event-ID': lastId });
    const text = (r: typeof first) => r.events.filter((e) => e.event === 'delta').map((e) => JSON.parse(e.data).text ?? '').join('');
    expect(text(first) + text(rest)).toBe(tokens.join(''));
    expect(text(first).length).toBe(Number(lastId.split('.')[1]));
    // The HTML stream resumes the same way: the text sent after the offset is exactly the rest.
    const html = await readSse(`${t.baseUrl}/threads/${threadId}/messages/${reply.id}/events`, { Cookie: s.cookie, 'Last-Event-ID': '0.20' });
    const body = html.events.filter((e) => e.event !== 'done').map((e) => e.data).join('');
    expect(body.startsWith(tokens.join('').slice(20, 30))).toBe(true);
  });

  it('follows the database from an instance that does not run the job', async () => {
    const other = createApp({ config: t.config, db: t.db, logger: createLogger('silent') });
    const server = other.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const port = (server.address() as { port: number }).port;
      const tokens = Array.from({ length: 12 }, (_, i) => `p${i} `);
      const { reply } = await send({ tokens, tokenDelayMs: 40 });
      const sse = await readSse(`http://127.0.0.1:${port}/api/thread/${threadId}/messages/${reply.id}/events`, bearer());
      expect(sse.events.filter((e) => e.event === 'delta').map((e) => JSON.parse(e.data).text).join('')).toBe(tokens.join(''));
      expect(sse.events.at(-1)!.event).toBe('done');
      // Stop from the other instance reaches the job through the database.
      const { reply: r2 } = await send({ tokens: Array.from({ length: 100 }, () => 'a '), tokenDelayMs: 100 });
      await waitFor(async () => (await row(r2.id)).status === 'streaming');
      const stop = await request(other).post(`/api/thread/${threadId}/messages/${r2.id}/stop`).set(bearer());
      expect(stop.status).toBe(200);
      await waitFor(async () => !t.gens.get(r2.id));
      const stopped = await row(r2.id);
      expect(stopped.status).toBe('stopped');
      expect(stopped.content).toMatch(/^(a )+$/);
      expect(stopped.content.length).toBeLessThan(100);
      await (other.locals.generations as Generations).shutdown();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('stop aborts the upstream request and keeps the partial answer as stopped; closing the tab does not stop it', async () => {
    const abortedBefore = t.fake.aborted;
    const { reply } = await send({ tokens: ['partial ', 'answer'], hang: true });
    // A listener that goes away does not stop the job.
    await readSse(events(reply.id), bearer(), { until: (e) => e.some((x) => x.event === 'delta') });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.gens.get(reply.id)).toBeTruthy();
    const res = await request(t.app).post(`/threads/${threadId}/messages/${reply.id}/stop`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf });
    expect(res.status).toBe(303);
    expect(await row(reply.id)).toMatchObject({ status: 'stopped', content: 'partial answer' });
    await waitFor(async () => t.fake.aborted > abortedBefore);
    const after = await readSse(events(reply.id), bearer());
    expect(JSON.parse(after.events.at(-1)!.data)).toMatchObject({ status: 'stopped' });
    expect(after.ended).toBe(true);
  });

  const faults: Array<[string, Scenario, string, RegExp, string]> = [
    ['401', { status: 401 }, 'error', /refused the API key.*Settings/, ''],
    ['429', { status: 429 }, 'error', /rate limiting.*Wait a moment/, ''],
    ['400, a conversation too long for the model', { status: 400 }, 'error', /too long for the model, which reads at most 131,072 tokens\. Start a new chat/, ''],
    ['422, another refused request', { status: 422 }, 'error', /could not answer this request/, ''],
    ['500', { status: 500 }, 'error', /Mistral is unavailable/, ''],
    ['a cut connection', { tokens: ['kept ', 'part ', 'lost'], cutAfter: 2, tokenDelayMs: 10 }, 'interrupted', /cut off/, 'kept part '],
    ['a stream without [DONE]', { tokens: ['no ', 'end'], noDone: true }, 'interrupted', /cut off/, 'no end'],
    ['an idle upstream (timeout)', { tokens: ['slow ', 'start'], hang: true }, 'error', /stopped sending/, 'slow start'],
  ];
  it.each(faults)('ends %s in the right state with the question and the partial answer kept', async (_name, scenario, status, message, partial) => {
    const { message: question, reply } = await send(scenario, `question for ${_name}`);
    const sse = await readSse(events(reply.id), bearer());
    const last = sse.events.at(-1)!;
    expect(last.event).toBe('error');
    expect(sse.ended).toBe(true);
    expect(sse.timedOut).toBe(false);
    expect(JSON.parse(last.data)).toMatchObject({ status });
    expect(JSON.parse(last.data).message).toMatch(message);
    expect(await row(reply.id)).toMatchObject({ status, content: partial });
    expect(await row(question.id)).toMatchObject({ content: `question for ${_name}`, status: 'complete' });
    const page = await request(t.app).get(`/threads/${threadId}`).set('Cookie', s.cookie);
    expect(page.text).toContain(`question for ${_name}`);
    if (partial) expect(page.text).toContain(partial.trim());
    expect(page.text).toMatch(new RegExp(`action="/threads/${threadId}/messages/${reply.id}/retry"`));
  });

  it('sends heartbeat comments while the upstream is quiet', async () => {
    const saved = JSON_SSE_TIMING.heartbeatMs;
    JSON_SSE_TIMING.heartbeatMs = 20;
    try {
      const { reply } = await send({ tokens: ['quiet'], hang: true });
      const sse = await readSse(events(reply.id), bearer(), { timeoutMs: 300 });
      expect(sse.raw.match(/^: heartbeat$/gm)?.length ?? 0).toBeGreaterThanOrEqual(3);
      await request(t.app).post(`/api/thread/${threadId}/messages/${reply.id}/stop`).set(bearer());
    } finally {
      JSON_SSE_TIMING.heartbeatMs = saved;
    }
  });

  it('retries a failed answer', async () => {
    const { reply } = await send({ status: 500 });
    await t.gens.idle();
    t.fake.enqueue({ tokens: ['second ', 'try'] });
    const res = await request(t.app).post(`/threads/${threadId}/messages/${reply.id}/retry`).set('Cookie', s.cookie)
      .set('HX-Request', 'true').set('X-CSRF-Token', s.csrf);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`id="m-${reply.id}"`);
    expect(res.text).toContain('sse-connect=');
    await t.gens.idle();
    expect(await row(reply.id)).toMatchObject({ status: 'complete', content: 'second try', error: null });
    const again = await request(t.app).post(`/threads/${threadId}/messages/${reply.id}/retry`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf });
    expect(again.status).toBe(409);
  });

  it('retries a stopped answer: the partial text is replaced by the new answer', async () => {
    const { reply } = await send({ tokens: ['half ', 'an answer'], hang: true });
    await waitFor(async () => (await row(reply.id)).content === 'half an answer');
    const stop = await request(t.app).post(`/api/thread/${threadId}/messages/${reply.id}/stop`).set(bearer());
    expect(stop.body.message).toMatchObject({ status: 'stopped', content: 'half an answer' });
    const page = await request(t.app).get(`/threads/${threadId}`).set('Cookie', s.cookie);
    expect(page.text).toContain(`action="/threads/${threadId}/messages/${reply.id}/retry"`);
    t.fake.enqueue({ tokens: ['a whole ', 'answer'] });
    const retry = await request(t.app).post(`/threads/${threadId}/messages/${reply.id}/retry`).set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf });
    expect(retry.status).toBe(303);
    expect(retry.headers.location).toBe(`/threads/${threadId}?follow=${reply.id}#m-${reply.id}`);
    const sse = await readSse(events(reply.id), bearer());
    expect(sse.ended).toBe(true);
    expect(sse.events.filter((e) => e.event === 'delta').map((e) => JSON.parse(e.data).text).join('')).toBe('a whole answer');
    expect(await row(reply.id)).toMatchObject({ status: 'complete', content: 'a whole answer', error: null });
  });

  it('takes the JSON API with the session cookie too, with the CSRF header for a send (403 without, 202 with)', async () => {
    await t.gens.idle();
    const json = (path: string) => request(t.app).post(path).set('Cookie', s.cookie).set('Content-Type', 'application/json');
    const refused = await json(`/api/thread/${threadId}/messages`).send({ content: 'cookie without token' });
    expect(refused.status).toBe(403);
    expect((await t.db('messages').where({ thread_id: threadId, content: 'cookie without token' })).length).toBe(0);
    t.fake.enqueue({ tokens: ['cookie ', 'answer'] });
    const sent = await json(`/api/thread/${threadId}/messages`).set('X-CSRF-Token', s.csrf).send({ content: 'cookie with token' });
    expect(sent.status).toBe(202);
    expect(sent.body.reply).toMatchObject({ role: 'assistant', status: 'pending' });
    const sse = await readSse(events(sent.body.reply.id), { Cookie: s.cookie });
    expect(sse.ended).toBe(true);
    expect(JSON.parse(sse.events.at(-1)!.data)).toMatchObject({ status: 'complete' });
    const read = await request(t.app).get(`/api/thread/${threadId}`).set('Cookie', s.cookie);
    expect(read.status).toBe(200);
    expect(read.body.messages.at(-1)).toMatchObject({ content: 'cookie answer', status: 'complete' });
  });

  it('keeps SSE bytes under 3x the text of a long answer (and under 1x gzipped)', async () => {
    const para = 'This is a sentence of a long answer, with **bold** and `code`. ';
    const text = Array.from({ length: 60 }, (_, i) => para.repeat(4) + (i % 10 === 9 ? '\n\n```js\nconst x = 1;\n```\n\n' : '\n\n')).join('');
    const tokens = text.match(/.{1,6}/gs)!;
    const { reply } = await send({ tokens, tokenDelayMs: 1 });
    const [html, gz] = await Promise.all([
      // A generous timeout: on a loaded machine the 3,500 tokens alone can take several seconds.
      readSse(`${t.baseUrl}/threads/${threadId}/messages/${reply.id}/events?after=0.0`, { Cookie: s.cookie }, { timeoutMs: 30_000 }),
      readSse(`${t.baseUrl}/threads/${threadId}/messages/${reply.id}/events?after=0.0`, { Cookie: s.cookie }, { gzip: true, timeoutMs: 30_000 }),
    ]);
    expect(html.events.at(-1)!.event).toBe('done');
    expect(html.ended).toBe(true);
    expect(text.length).toBeGreaterThan(15_000);
    expect(html.headers.get('content-encoding')).toBeNull();
    expect(html.bytes / Buffer.byteLength(text)).toBeLessThan(3);
    // Compressed and flushed per event: the same events, far fewer bytes on a slow link.
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.events.map((e) => e.event).at(-1)).toBe('done');
    expect(gz.wireBytes / Buffer.byteLength(text)).toBeLessThan(1);
    expect(html.events.some((e) => e.event === 'b')).toBe(true);
    const saved = await row(reply.id);
    expect(saved.content).toBe(text);
  });
});
