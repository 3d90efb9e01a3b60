// How tool answers (issue 14) are shown and replayed: the Steps box, numbered sources (a model's URL is a link only
// when http(s)), generated images under the answer; live over SSE (HTML `s`, JSON `step`) on this instance and on a
// second one that follows the database, resumed with Last-Event-ID, after a reload, after a cut stream, and on the
// page that follows an answer without JavaScript.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Generations } from '../../src/features/chat/generation.ts';
import { createLogger } from '../../src/http/logger.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { conv, type ConvStep } from '../support/fake-mistral-conversations.ts';
import { bearer, shareOf } from '../support/shares.ts';
import { screenshotLike } from '../support/images.ts';

const answerOf = (html: string, id: number) => html.slice(html.indexOf(`id="m-${id}"`), html.indexOf('</article>', html.indexOf(`id="m-${id}"`)));

describe.each(DIALECTS)('tool answers shown on %s', (dialect) => {
  let t: ChatTestApp;
  let me: Session;
  let threadId: string;
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0' });
    me = await signIn(t);
    threadId = (await request(t.app).post('/api/thread').set(bearer(me)).send({ tools: ['web_search', 'code_interpreter', 'image_generation'] })).body.thread.id;
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); });

  const script = (pause = 0): ConvStep[] => [
    conv.started('s1', 'web_search', '{"query": "<b>paris</b> weather"}'), { pauseMs: pause }, conv.toolDone('s1', 'web_search'),
    conv.started('s2', 'code_interpreter', '{"code": "print(\\"<script>alert(1)</script>\\")"}'), { pauseMs: pause },
    conv.toolDone('s2', 'code_interpreter', { code_output: '<script>alert(1)</script>\n' }),
    conv.text('Sunny '), { pauseMs: pause }, conv.text('in Paris.'),
    conv.chunk(conv.reference('Météo <i>Paris</i>', 'https://weather.example/paris?a=1&b=2', { description: 'Forecast & more' }), 0, 1),
    conv.chunk(conv.reference('Click me', 'javascript:alert(document.cookie)'), 0, 2),
  ];
  async function send(events: ConvStep[], extra: object = {}) {
    await t.gens.idle();
    t.fake.conversations.enqueue({ events, ...extra });
    const res = await request(t.app).post(`/api/thread/${threadId}/messages`).set(bearer(me)).send({ content: 'Weather?' });
    expect(res.status).toBe(202);
    return res.body.reply.id as number;
  }

  it('the page shows the steps, numbered sources (javascript: as text) and the generated image, all escaped', async () => {
    t.fake.conversations.files.set('img-1', await screenshotLike(200, 120));
    const id = await send([...script(), conv.chunk(conv.file('img-1', 'chart.png'), 3)]);
    await t.gens.idle();
    const page = await request(t.app).get(`/threads/${threadId}`).set('Cookie', me.cookie);
    const html = answerOf(page.text, id);
    expect(html).toContain('<details class="steps">');
    expect(html).toContain('Searched the web for “&lt;b&gt;paris&lt;/b&gt; weather”');
    expect(html).toContain('Ran code');
    expect(html).toContain('<pre class="step-code"><code>print(&#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;)</code></pre>');
    expect(html).toContain('<pre class="step-output">&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/<ol class="sources" aria-label="Sources">\s*<li value="1"><a href="https:\/\/weather.example\/paris\?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">Météo &lt;i&gt;Paris&lt;\/i&gt;<\/a> <span class="source-desc">Forecast &amp; more<\/span><\/li>/);
    expect(html).toContain('<li value="2"><span class="source-title">Click me</span> <span class="source-url">javascript:alert(document.cookie)</span></li>');
    expect(html).not.toMatch(/href="javascript:/i);
    const files = (await t.db('message_files').where({ message_id: id })).map((r) => Number(r.file_id));
    expect(files).toHaveLength(1);
    expect(html).toContain(`src="/files/${files[0]}/thumbnail"`);
    // A share link shows the same steps, sources and image (served from the share's own path).
    const { path, code } = await shareOf(t, me, threadId);
    const shared = await request(t.app).get(path);
    expect(shared.status).toBe(200);
    expect(shared.text).toContain('Searched the web for “&lt;b&gt;paris&lt;/b&gt; weather”');
    expect(shared.text).toContain('<span class="source-url">javascript:alert(document.cookie)</span>');
    expect(shared.text).not.toMatch(/href="javascript:/i);
    expect(shared.text).toContain(`src="/s/${code}/files/${files[0]}/thumbnail"`);
  });

  it('streams steps live (HTML s, JSON step), to a second instance from the database, and replays them on resume', async () => {
    const other = createApp({ config: t.config, db: t.db, logger: createLogger('silent') });
    const server = other.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const port = (server.address() as { port: number }).port;
      const id = await send(script(250));
      const htmlUrl = `${t.baseUrl}/threads/${threadId}/messages/${id}/events`;
      const jsonUrl = `http://127.0.0.1:${port}/api/thread/${threadId}/messages/${id}/events`;
      const [html, json] = await Promise.all([readSse(htmlUrl, { Cookie: me.cookie }), readSse(jsonUrl, bearer(me))]);
      const s = html.events.filter((e) => e.event === 's');
      expect(s.length).toBeGreaterThanOrEqual(2);
      expect(s[0].data).toContain('Searching the web for');
      expect(s.at(-1)!.data).toContain('Ran code');
      expect(s.at(-1)!.data).not.toContain('<script>');
      const done = html.events.at(-1)!;
      expect(done.event).toBe('done');
      expect(done.data).toContain('<ol class="sources"');
      // The second instance has no job: it followed the database (saved with progress) and saw the same steps.
      const steps = json.events.filter((e) => e.event === 'step').map((e) => JSON.parse(e.data));
      expect(steps.at(-1)).toMatchObject({ index: 1, type: 'tool', name: 'code_interpreter', status: 'done', output: '<script>alert(1)</script>\n' });
      expect(steps.some((x) => x.index === 0 && x.status === 'done')).toBe(true);
      expect(steps.every((x) => typeof x.index === 'number')).toBe(true);
      const jdone = JSON.parse(json.events.at(-1)!.data);
      expect(jdone.sources).toEqual([{ title: 'Météo <i>Paris</i>', url: 'https://weather.example/paris?a=1&b=2', description: 'Forecast & more' }, { title: 'Click me', url: 'javascript:alert(document.cookie)' }]);
      // A stream resumed after the text replays every step first (their whole state), then the end.
      const resumed = await readSse(jsonUrl, { ...bearer(me), 'Last-Event-ID': `0.${'Sunny in Paris.'.length}` });
      expect(resumed.events.map((e) => e.event)).toEqual(['step', 'step', 'done']);
      await (other.locals.generations as Generations).shutdown();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a cut stream keeps the partial answer and its steps, shown after a reload', async () => {
    const id = await send([conv.started('c1', 'web_search', '{"query": "cut"}'), conv.toolDone('c1', 'web_search'), conv.text('Partial words'), conv.text(' never seen')], { cutAfter: 3 });
    await t.gens.idle();
    const page = await request(t.app).get(`/threads/${threadId}`).set('Cookie', me.cookie);
    const html = answerOf(page.text, id);
    expect(html).toContain('data-status="interrupted"');
    expect(html).toContain('Searched the web for “cut”');
    expect(html).toContain('Partial words');
    expect(html).not.toContain('never seen');
  });

  it('without JavaScript, the followed page ends with the steps box, the sources and the final footer', async () => {
    await t.gens.idle();
    t.fake.conversations.enqueue({ events: script(100) });
    const res = await request(t.app).post(`/threads/${threadId}/messages`).set('Cookie', me.cookie).type('form').send({ _csrf: me.csrf, content: 'No JS' });
    expect(res.status).toBe(303);
    const [, replyId] = /\?follow=(\d+)/.exec(res.headers.location)!;
    const page = await request(t.app).get(res.headers.location.split('#')[0]).set('Cookie', me.cookie);
    expect(page.status).toBe(200);
    const html = answerOf(page.text, Number(replyId));
    expect(html).toMatch(/<details class="steps">[\s\S]*Ran code[\s\S]*<footer class="msg-foot"/);
    expect(html).toContain('<a href="https://weather.example/paris?a=1&amp;b=2"');
    expect(html).toContain('<span class="source-url">javascript:alert(document.cookie)</span>');
    expect(html).not.toMatch(/href="javascript:/i);
  });
});
