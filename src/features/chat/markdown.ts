// Model output is untrusted: markdown-it with raw HTML off, links checked and marked ugc, code highlighted and
// math typeset on the server (KaTeX to MathML, trust off), so the browser downloads neither scripts nor fonts for it.
import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';
import { WeightedLru } from '../../lib/lru.ts';
import { mathPlugin } from './markdown-math.ts';

// Four single-character patterns: linear.
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export { escapeHtml };

/** Per render (one answer, or one block of a live answer): what the budgets below have spent. */
interface RenderEnv { texChars?: number; codeChars?: number }

// highlight.js is regex-driven and some grammars are superlinear (measured, highlight.js 11.12): cost per character
// grows with the line's length (C, C++: 25 ms per KB at 200-character lines, 0.4 s for one 16 KB line; markdown:
// cubic, 30 s for a 16 KB line of `[a](`), or with the block's length (C# and INI, whose patterns span lines:
// 0.35 s for 8 KB; Shell Session, whose prompts continue one bash state: 20 s for 16 KB of `$ ${` lines). So a
// block is highlighted only under these bounds, and otherwise shown escaped, like a block in an unknown language.
// Worst case within them: ~20 ms per KB, so ~0.5 s per answer.
const HIGHLIGHT_MAX_LINE = 160;
const HIGHLIGHT_MAX_BLOCK = 16 * 1024;
const HIGHLIGHT_BUDGET = 24 * 1024; // characters highlighted per render
// Quadratic in the block's length: only short blocks (~20 ms at most for 2 KB).
const SHORT_BLOCKS_ONLY = new Set(['csharp', 'ini'].map((name) => hljs.getLanguage(name)));
const HIGHLIGHT_MAX_SHORT_BLOCK = 2 * 1024;
// Shell Session is highlighted as bash: the same colours for the commands, without the superlinear prompt handling.
const SHELL_SESSION = hljs.getLanguage('shell');

function highlight(code: string, lang: string, env: RenderEnv): string {
  const grammar = lang ? hljs.getLanguage(lang) : undefined;
  const language = grammar ? lang : null;
  const maxBlock = SHORT_BLOCKS_ONLY.has(grammar) ? HIGHLIGHT_MAX_SHORT_BLOCK : HIGHLIGHT_MAX_BLOCK;
  let body: string | null = null;
  if (grammar && code.length <= maxBlock && (env.codeChars ?? 0) + code.length <= HIGHLIGHT_BUDGET && longestLine(code) <= HIGHLIGHT_MAX_LINE) {
    env.codeChars = (env.codeChars ?? 0) + code.length;
    body = hljs.highlight(code, { language: grammar === SHELL_SESSION ? 'bash' : lang, ignoreIllegals: true }).value;
  }
  // Focusable: a long line scrolls inside the block, and keyboard users must be able to scroll it too.
  return `<pre tabindex="0"><code class="hljs${language ? ` language-${escapeHtml(language)}` : ''}">${body ?? escapeHtml(code)}</code></pre>`;
}

function longestLine(code: string): number {
  let longest = 0;
  for (let start = 0, nl: number; start <= code.length; start = nl + 1) {
    nl = code.indexOf('\n', start);
    if (nl < 0) nl = code.length;
    longest = Math.max(longest, nl - start);
  }
  return longest;
}

const md: MarkdownIt = new MarkdownIt({ html: false, linkify: true, typographer: false });
md.enable(['table', 'strikethrough']);

// Only web and mail links: no javascript:, vbscript:, data: or file:, however they are spelled. The patterns are
// linear: anchored at the start (so tried once), the scheme's character class cannot match its ':' terminator, and
// the control/space class matches one character at a time.
md.validateLink = (url: string) => /^(https?:|mailto:|#|\/(?!\/))/i.test(url.trim()) || !/^[a-z][a-z0-9+.-]*:/i.test(url.replace(/[\u0000-\u001f\s]/g, ''));

const defaultLinkOpen = md.renderer.rules.link_open ?? ((t, i, o, _e, self) => self.renderToken(t, i, o));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'noopener nofollow ugc');
  return defaultLinkOpen(tokens, idx, options, env, self);
};
// Images from the model would load third-party URLs (tracking): show them as links instead.
md.renderer.rules.image = (tokens, idx) => {
  const t = tokens[idx];
  const src = t.attrGet('src') ?? '';
  const alt = t.content || 'image';
  return `<a href="${escapeHtml(src)}" rel="noopener nofollow ugc">${escapeHtml(alt)}</a>`;
};
md.renderer.rules.fence = (tokens, idx, _options, env: RenderEnv) => {
  const token = tokens[idx];
  // One pass, no backtracking: the first word of the info string.
  const lang = md.utils.unescapeAll(token.info).trim().split(/\s/, 1)[0];
  // Its Copy button is added by app.js: what cannot work without the script is not in the page.
  return `<div class="code">${highlight(token.content, lang, env)}\n</div>`;
};
// Aligned table cells: markdown-it writes style="text-align:…", which the CSP blocks; app.css styles these classes.
for (const rule of ['th_open', 'td_open'] as const) {
  md.renderer.rules[rule] = (tokens, idx, options, _env, self) => {
    const token = tokens[idx];
    const align = token.attrGet('style')?.replace('text-align:', '');
    if (align) {
      token.attrs = token.attrs!.filter(([name]) => name !== 'style');
      token.attrJoin('class', `align-${align}`);
    }
    return self.renderToken(tokens, idx, options);
  };
}

md.use(mathPlugin);

// Rendering is a pure function of the text and costs ~1 ms per answer with code and math (highlight.js, KaTeX), so
// a thread page would spend most of its time here. Finished answers never change: keep their HTML, bounded by
// characters held (source + HTML, about 2 bytes each in V8's worst case), shared by pages, fragments and streams.
const RENDER_CACHE_CHARS = 8 * 1024 * 1024;
const rendered = new WeightedLru<string, string>(RENDER_CACHE_CHARS, (source, html) => source.length + html.length);

export function renderMarkdown(source: string): string {
  let html = rendered.get(source);
  if (html === undefined) {
    html = md.render(source, {} satisfies RenderEnv);
    rendered.set(source, html);
  }
  return html;
}
