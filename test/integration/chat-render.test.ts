import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, readSse, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';

const XSS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '[click2](JaVaScRiPt:alert(1))',
  '![img](javascript:alert(1))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[vb](vbscript:msgbox(1))',
  '$\\href{javascript:alert(1)}{math link}$',
  '$$\\url{javascript:alert(2)}$$',
  '<a href="javascript:alert(1)">raw</a>',
  '<svg onload=alert(1)>',
  '```html\n<script>alert(3)</script>\n```',
].join('\n\n');

/** The markup of one assistant message, wherever it appears. */
const assistantMarkup = (html: string) => [...html.matchAll(/<article class="msg msg-assistant"[\s\S]*?<\/article>/g)].map((m) => m[0]).join('');

function expectInert(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/<svg/i);
  expect(html).not.toMatch(/<a [^>]*href="\s*(javascript|vbscript|data):/i);
  expect(html).not.toMatch(/\s(src|href)="(javascript|vbscript|data):/i);
  expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
}

describe.each(DIALECTS)('rendering answers on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => { t = await chatApp(dialect); s = await signIn(t); });
  afterAll(async () => { await t?.close(); });

  async function answered(tokens: string[], thinking?: string[]) {
    t.fake.enqueue({ tokens, thinking, tokenDelayMs: 5 });
    const res = await request(t.app).post('/threads').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, content: 'go' });
    const [, id, mid] = /\/threads\/([\w-]+)#m-(\d+)/.exec(res.headers.location)!;
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
    expect(m).toMatch(/<math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML"><semantics><mrow><msup><mi>x<\/mi><mn>2<\/mn><\/msup>/);
    expect(m).toContain('display="block"');
    expect(m).toContain('<mfrac>');
    expect(m).toContain('<table>');
    expect(m).toMatch(/<details class="thinking">\s*<summary>Thinking<\/summary>\s*<div class="thinking-text" id="th-\d+">I should explain.<\/div>/);
    expect(m).toContain('<button type="button" class="copy" data-copy="code" hidden>Copy</button>');
    expect(m).toContain('data-copy="message" hidden');
    // Math is MathML: no KaTeX stylesheet or fonts are needed on the page.
    expect(page.text).not.toMatch(/katex\.(min\.)?css/);
    // The page stays light: HTML plus its CSS and our script.
    expect(Buffer.byteLength(page.text)).toBeLessThan(40_000);
  });
});
