import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, waitFor, type ChatTestApp, type SseEvent, type Session } from '../support/fake-mistral-app.ts';
import { expectInert, XSS } from '../support/xss.ts';


/** The markup of one assistant message, wherever it appears. */
const assistantMarkup = (html: string) => [...html.matchAll(/<article class="msg msg-assistant"[\s\S]*?<\/article>/g)].map((m) => m[0]).join('');


/** The inside of an element of the page, found by its opening tag (any attributes) and the markup that always follows it. */
function between(html: string, open: RegExp, close: string): string {
  const m = open.exec(html);
  if (!m) throw new Error(`no ${open} on the page`);
  const from = m.index + m[0].length;
  return html.slice(from, html.indexOf(close, from));
}
const pageMd = (html: string, mid: string) => between(html, new RegExp(`<div class="md" id="md-${mid}"[^>]*>`), `</div>\n    <div class="tail"`);
const pageTail = (html: string, mid: string) => between(html, new RegExp(`<div class="tail" id="tail-${mid}"[^>]*>`), `</div>\n    <footer`);

/**
 * What htmx does with the answer's events, on the body, tail and thinking of one message: `t` and `k` append,
 * `b` appends blocks and resets the tail out of band, `done` appends or replaces the body (out of band) and clears
 * the tail. Out-of-band parts are always at the end of an event, the tail last.
 */
function applyEvents(events: SseEvent[], mid: string, start = { md: '', tail: '', thinking: '' }) {
  const view = { ...start };
  const oob = (data: string, id: string) => {
    const m = new RegExp(`<div id="${id}-${mid}" hx-swap-oob="(\\w+)">`).exec(data);
    return m ? { at: m.index, swap: m[1], open: m[0] } : null;
  };
  for (const raw of events) {
    // The first piece also swaps the status to "Writing…" (out of band, its own element): not part of the answer.
    const e = { ...raw, data: raw.data.replace(new RegExp(`<span class="msg-status" role="status" id="st-${mid}" hx-swap-oob="true">Writing…</span>\n?`), '') };
    if (e.event === 't') view.tail += e.data;
    else if (e.event === 'k') {
      const box = /^<details class="thinking" id="thd-\d+" hx-swap-oob="outerHTML">[\s\S]*?<div class="thinking-text" id="th-\d+" sse-swap="k" hx-swap="beforeend">([\s\S]*)<\/div>\s*<\/details>$/.exec(e.data);
      view.thinking = box ? box[1] : view.thinking + e.data;
    } else if (e.event === 'b' || e.event === 'done') {
      const tail = oob(e.data, 'tail')!;
      const md = oob(e.data, 'md');
      view.tail = e.data.slice(tail.at + tail.open.length, -'</div>'.length);
      if (e.event === 'b') view.md += e.data.slice(0, tail.at);
      else if (md) {
        const html = e.data.slice(md.at + md.open.length, tail.at - '</div>'.length);
        view.md = md.swap === 'innerHTML' ? html : view.md + html;
      }
    }
  }
  return view;
}

describe.each(DIALECTS)('rendering answers on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  async function answered(tokens: string[], thinking?: string[], tokenDelayMs = 5) {
    t.fake.enqueue({ tokens, thinking, tokenDelayMs });
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'go' });
    const [, id, mid] = /\/threads\/([\w-]+)\?follow=\d+#m-(\d+)/.exec(res.headers.location)!;
    return { id, mid };
  }

  it('never turns model output into live markup: page, SSE fragments and JSON', async () => {
    const { id, mid } = await answered(XSS.match(/[\s\S]{1,7}/g)!);
    const sse = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.0`, { Cookie: s.cookie });
    expect(sse.events.at(-1)!.event).toBe('done');
    expectInert(sse.events.map((e) => e.data).join('\n'));
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    const markup = assistantMarkup(page.text);
    expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markup).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(markup).toContain('math link');
    expectInert(markup);
    // The JSON API gives the raw text back (as data, for clients to escape).
    const api = await request(t.app).get(`/api/thread/${id}`).set('Authorization', `Bearer ${s.token}`);
    expect(api.body.messages[1].content).toBe(XSS);
  });

  it('renders markdown, highlighted code, math, tables, safe links and thinking on the thread page', async () => {
    const answer = '# Title\n\nSome **bold** and a [link](https://mistral.ai).\n\n```python\ndef f(x):\n    return x * 2\n```\n\nInline $x^2$ and block:\n\n$$\\frac{a}{b}$$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n';
    const { id } = await answered(answer.match(/[\s\S]{1,9}/g)!, ['I should ', 'explain.']);
    await t.gens.idle();
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    const m = assistantMarkup(page.text);
    expect(m).toContain('<h1>Title</h1>');
    expect(m).toContain('<strong>bold</strong>');
    expect(m).toContain('<a href="https://mistral.ai" rel="noopener nofollow ugc">link</a>');
    expect(m).toContain('<code class="hljs language-python"><span class="hljs-keyword">def</span>');
    // MathML for browsers that typeset it, and the TeX for text browsers (hidden by app.css; markdown-math.ts says how).
    expect(m).toMatch(/<span class="math-tex">x\^2<\/span><comment><math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML"><style><mrow><msup><mi>x<\/mi><mn>2<\/mn><\/msup>/);
    expect(m).toContain('display="block"');
    expect(m).toContain('<mfrac>');
    expect(m).toContain('<table>');
    expect(m).toMatch(/<details class="thinking" id="thd-\d+">\s*<summary>Thinking<\/summary>\s*<div class="thinking-text" id="th-\d+">I should explain.<\/div>/);
    // Copy buttons are added by app.js (chat-copy.test.ts): none in the HTML.
    expect(m).toContain('<div class="code"><pre tabindex="0"><code class="hljs language-python">');
    expect(m).not.toContain('<button type="button" class="copy"');
    // Math is MathML: no KaTeX stylesheet or fonts are needed on the page.
    expect(page.text).not.toMatch(/katex\.(min\.)?css/);
    // The page stays light: HTML plus its CSS and our script.
    expect(Buffer.byteLength(page.text)).toBeLessThan(40_000);
  });

  // Each block is rendered on its own while the answer streams; these answers render differently as a whole.
  const NON_LOCAL: Array<[string, string]> = [
    ['reference links defined further down', 'See [the docs][1] and [more][2].\n\nA second paragraph.\n\n[1]: https://example.com/docs\n[2]: https://example.com/more\n'],
    ['a loose list', '- one\n\n- two\n\n- three\n'],
    ['display math with a blank line inside', 'Math:\n\n$$\na = 1\n\nb = 2\n$$\n\nAfter.\n'],
  ];
  it.each(NON_LOCAL)('a streamed answer ends equal to the reloaded page: %s', async (_name, answer) => {
    const { id, mid } = await answered(answer.match(/[\s\S]{1,3}/g)!);
    const sse = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.0`, { Cookie: s.cookie });
    expect(sse.ended).toBe(true);
    const done = sse.events.at(-1)!;
    expect(done.event).toBe('done');
    // The blocks alone were not the whole answer: done carries the whole render in place of the body.
    expect(done.data).toContain(`<div id="md-${mid}" hx-swap-oob="innerHTML">`);
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    const streamed = applyEvents(sse.events, mid);
    expect(streamed.md).toBe(pageMd(page.text, mid));
    expect(streamed.tail).toBe('');
    expect(pageTail(page.text, mid)).toBe('');
  });

  it('an answer whose blocks render as the whole costs no replacement at the end', async () => {
    const { id, mid } = await answered('# Head\n\nOne **two**.\n\n```js\nlet a = 1;\n\nlet b = 2;\n```\n\nThe end.'.match(/[\s\S]{1,4}/g)!);
    const sse = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.0`, { Cookie: s.cookie });
    expect(sse.ended).toBe(true);
    expect(sse.events.at(-1)!.data).toContain(`<div id="md-${mid}" hx-swap-oob="beforeend">`);
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(applyEvents(sse.events, mid).md).toBe(pageMd(page.text, mid));
  });

  it('a page opened mid-answer plus its stream ends equal to the reloaded page', async () => {
    const answer = '- alpha\n\n- beta\n\n- gamma\n\nSee [ref][r].\n\n[r]: https://example.com/\n';
    const { id, mid } = await answered(answer.match(/[\s\S]{1,2}/g)!, undefined, 25);
    // Open the page once some blocks are rendered and some text is still the escaped tail.
    const midway = await waitFor(async () => {
      const p = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
      return /sse-connect=/.test(p.text) && pageMd(p.text, mid).includes('<li>') ? p : null;
    });
    const url = /sse-connect="([^"]+)"/.exec(midway.text)![1].replace(/&amp;/g, '&');
    expect(url).not.toMatch(/after=0\.0$/);
    const sse = await readSse(`${t.baseUrl}${url}`, { Cookie: s.cookie });
    expect(sse.ended).toBe(true);
    const streamed = applyEvents(sse.events, mid, { md: pageMd(midway.text, mid), tail: pageTail(midway.text, mid), thinking: '' });
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(streamed.md).toBe(pageMd(page.text, mid));
    expect(streamed.tail).toBe('');
  });

  it('shows the Thinking box only once there is thinking, also when it arrives over SSE', async () => {
    // An answer without thinking: hidden in the htmx fragment while it streams, and on the page after it ends.
    const thread = await request(t.app).post('/api/thread').set('Authorization', `Bearer ${s.token}`).send({});
    t.fake.enqueue({ tokens: ['plain ', 'answer'], tokenDelayMs: 20 });
    const sent = await request(t.app).post(`/threads/${thread.body.thread.id}/messages`).set('Cookie', s.cookie).set('HX-Request', 'true')
      .set('X-CSRF-Token', s.csrf).type('form').send({ content: 'no thinking please' });
    expect(sent.status).toBe(200);
    const plainId = /id="m-(\d+)" data-status="pending"/.exec(sent.text)![1];
    expect(sent.text).toContain(`<details class="thinking" id="thd-${plainId}" hidden>`);
    const plainSse = await readSse(`${t.baseUrl}/threads/${thread.body.thread.id}/messages/${plainId}/events?after=0.0`, { Cookie: s.cookie });
    expect(plainSse.events.some((e) => e.event === 'k' || e.data.includes('thd-'))).toBe(false);
    const plainPage = await request(t.app).get(`/threads/${thread.body.thread.id}`).set('Cookie', s.cookie);
    // Once final, no box at all (text browsers ignore `hidden` and would show an empty "Thinking").
    expect(plainPage.text).toContain(`id="m-${plainId}"`);
    expect(plainPage.text).not.toContain(`id="thd-${plainId}"`);

    // A reasoning answer: the first thinking swaps the box in, shown, and later thinking appends to it.
    const { id, mid } = await answered(['The answer.'], ['Let me ', 'think <about> ', 'it.'], 200);
    const sse = await readSse(`${t.baseUrl}/threads/${id}/messages/${mid}/events?after=0.0`, { Cookie: s.cookie });
    expect(sse.ended).toBe(true);
    const ks = sse.events.filter((e) => e.event === 'k');
    expect(ks.length).toBeGreaterThan(1);
    expect(ks[0].data).toMatch(new RegExp(`^<details class="thinking" id="thd-${mid}" hx-swap-oob="outerHTML">`));
    expect(ks[0].data).not.toMatch(/hidden/);
    expect(ks[0].data).toContain(`<div class="thinking-text" id="th-${mid}" sse-swap="k" hx-swap="beforeend">`);
    expect(ks.slice(1).every((e) => !e.data.includes('<details'))).toBe(true);
    expect(applyEvents(sse.events, mid).thinking).toBe('Let me think &lt;about&gt; it.');
    const page = await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    expect(page.text).toContain(`<details class="thinking" id="thd-${mid}">`);
    expect(page.text).toContain('>Let me think &lt;about&gt; it.</div>');
  });
});
