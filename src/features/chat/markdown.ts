// Model output is untrusted: markdown-it with raw HTML off, links checked and marked ugc, code highlighted and
// math typeset on the server (KaTeX to MathML, trust off), so the browser downloads neither scripts nor fonts for it.
import hljs from 'highlight.js/lib/common';
import katex from 'katex';
import MarkdownIt from 'markdown-it';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import { WeightedLru } from '../../lib/lru.ts';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export { escapeHtml };

function tex(source: string, displayMode: boolean): string {
  try {
    return katex.renderToString(source, { displayMode, output: 'mathml', throwOnError: true, trust: false, strict: 'ignore', maxExpand: 200, maxSize: 20 });
  } catch {
    return `<code class="math-error">${escapeHtml(source)}</code>`;
  }
}

const md: MarkdownIt = new MarkdownIt({
  html: false,
  linkify: true,
  typographer: false,
  highlight(code, lang) {
    const language = lang && hljs.getLanguage(lang) ? lang : null;
    const body = language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : escapeHtml(code);
    // Focusable: a long line scrolls inside the block, and keyboard users must be able to scroll it too.
    return `<pre tabindex="0"><code class="hljs${language ? ` language-${escapeHtml(language)}` : ''}">${body}</code></pre>`;
  },
});
md.enable(['table', 'strikethrough']);

// Only web and mail links: no javascript:, vbscript:, data: or file:, however they are spelled.
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
const defaultFence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) =>
  `<div class="code"><button type="button" class="copy" data-copy="code" hidden>Copy</button>${defaultFence(tokens, idx, options, env, self)}</div>`;

// $…$ inline math (not $ 5 or 5$, so prices stay text), \(…\), and \[…\] inside a line.
function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  let open = '', close = '';
  if (src[start] === '$' && src[start + 1] !== '$') { open = '$'; close = '$'; }
  else if (src.startsWith('\\(', start)) { open = '\\('; close = '\\)'; }
  else if (src.startsWith('\\[', start)) { open = '\\['; close = '\\]'; }
  else return false;
  const from = start + open.length;
  if (open === '$' && /\s/.test(src[from] ?? ' ')) return false;
  let end = src.indexOf(close, from);
  while (end > 0 && src[end - 1] === '\\' && open === '$') end = src.indexOf(close, end + 1);
  if (end < 0 || end === from) return false;
  if (open === '$' && (/\s/.test(src[end - 1]) || /\d/.test(src[end + 1] ?? ''))) return false;
  if (!silent) {
    const token = state.push(open === '\\[' ? 'math_display' : 'math_inline', 'math', 0);
    token.content = src.slice(from, end);
  }
  state.pos = end + close.length;
  return true;
}

// $$…$$ and \[…\] blocks, possibly over several lines.
function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const lineText = (n: number) => state.src.slice(state.bMarks[n] + state.tShift[n], state.eMarks[n]);
  const first = lineText(startLine);
  const open = first.startsWith('$$') ? '$$' : first.startsWith('\\[') ? '\\[' : null;
  if (!open) return false;
  const close = open === '$$' ? '$$' : '\\]';
  let body = first.slice(2);
  let line = startLine;
  let found = body.trimEnd().endsWith(close);
  if (found) body = body.trimEnd().slice(0, -2);
  while (!found && ++line < endLine) {
    const text = lineText(line);
    if (text.trimEnd().endsWith(close)) { body += '\n' + text.trimEnd().slice(0, -2); found = true; }
    else body += '\n' + text;
  }
  if (!found) return false;
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = body;
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}

md.inline.ruler.before('escape', 'math_inline', mathInline);
md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
md.renderer.rules.math_inline = (tokens, idx) => tex(tokens[idx].content, false);
md.renderer.rules.math_display = (tokens, idx) => tex(tokens[idx].content, true);
md.renderer.rules.math_block = (tokens, idx) => `<div class="math">${tex(tokens[idx].content, true)}</div>\n`;

// Rendering is a pure function of the text and costs ~1 ms per answer with code and math (highlight.js, KaTeX), so
// a thread page would spend most of its time here. Finished answers never change: keep their HTML, bounded by
// characters held (source + HTML, about 2 bytes each in V8's worst case), shared by pages, fragments and streams.
const RENDER_CACHE_CHARS = 8 * 1024 * 1024;
const rendered = new WeightedLru<string, string>(RENDER_CACHE_CHARS, (source, html) => source.length + html.length);

export function renderMarkdown(source: string): string {
  let html = rendered.get(source);
  if (html === undefined) {
    html = md.render(source);
    rendered.set(source, html);
  }
  return html;
}
