// Math in model output: $…$ (not $ 5 or 5$, so prices stay text), \(…\) and \[…\] inside a line; $$…$$ and \[…\]
// blocks, possibly over several lines. KaTeX typesets it on the server to MathML, trust off; bad TeX is shown as code.
//
// Model output is untrusted, so every step is linear in the answer's length. A naive closer search (indexOf from each
// opener, or a line-by-line scan to the end of the document from each block opener) is quadratic: 20,000 lines of
// `\[` took 19 s. Instead the closers' positions are listed once per paragraph (inline) or per document (blocks), and
// each opener looks its closer up by binary search, so a failed search is never repeated.
// No markdown-it math plugin on npm kept our syntax and stayed linear (measured: @mdit/plugin-tex and
// markdown-it-texmath are quadratic on runs of `\(`, @mdit/plugin-tex also on lines of `\[`; @vscode/markdown-it-katex
// has no \(…\) or \[…\], and an unclosed $$ swallows the rest of the answer).
import katex from 'katex';
import type MarkdownIt from 'markdown-it';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';

// KaTeX is linear but slow on some input (a 200 KB matrix takes 1-2 s, 8-18× as long as 200 KB of prose), so one
// render (`env`, one answer or one block of a live answer) typesets at most this many characters of TeX; math past
// that is shown as its source. Real answers hold a few KB of TeX at most.
const MATH_BUDGET = 20_000;

function tex(md: MarkdownIt, source: string, displayMode: boolean, env: { texChars?: number }): string {
  const spent = (env.texChars ?? 0) + source.length;
  if (spent > MATH_BUDGET) return `<code class="math-source">${md.utils.escapeHtml(source)}</code>`;
  env.texChars = spent;
  let mathml: string;
  try {
    mathml = katex.renderToString(source, { displayMode, output: 'mathml', throwOnError: true, trust: false, strict: 'ignore', maxExpand: 200, maxSize: 20 });
  } catch {
    return `<code class="math-error">${md.utils.escapeHtml(source)}</code>`;
  }
  return withTextFallback(mathml, md.utils.escapeHtml(source));
}

// Text browsers cannot typeset MathML: w3m prints its glyphs run together and then the TeX annotation ("A=πr2A = \pi
// r^2"), lynx prints the markup itself (it reads <math> as HTML 3.0's MATH, whose content is literal). So each formula
// carries its TeX in a `.math-tex` span, which app.css hides from browsers that show the MathML, and the MathML is
// wrapped in two elements Chromium renders but the text browsers skip (test/browser/text-browsers-math.browser.test.ts):
// - <comment> (no HTML meaning: an inline unknown element) is skipped with all its content by lynx;
// - <style> directly inside <math> is an unknown MathML element, laid out like <mrow> (the HTML parser makes it a
//   MathML element there, never a style sheet), whose content w3m skips.
// KaTeX's output is `<span class="katex"><math …><semantics>…<annotation …>TeX</annotation></semantics></math></span>`.
// The TeX is now in the fallback, so the <semantics> and its annotation go (the page carries the TeX once; a run of
// empty formulas would otherwise grow the page by a quarter). A few indexOf each way: linear.
const SEMANTICS = '<semantics>';
const ANNOTATION = '<annotation encoding="application/x-tex">';
function withTextFallback(mathml: string, escapedTex: string): string {
  const open = mathml.indexOf('<math');
  const openEnd = mathml.indexOf('>', open) + 1;
  const close = mathml.lastIndexOf('</math>');
  if (open < 0 || openEnd <= 0 || close < openEnd) return mathml;
  // KaTeX escapes the TeX in the annotation, so the last `<annotation` is the annotation's.
  const annotation = mathml.lastIndexOf(ANNOTATION, close);
  const bare = mathml.startsWith(SEMANTICS, openEnd) && annotation > openEnd;
  const formula = bare ? mathml.slice(openEnd + SEMANTICS.length, annotation) : mathml.slice(openEnd, close);
  return `${mathml.slice(0, open)}<span class="math-tex">${escapedTex}</span><comment>${mathml.slice(open, openEnd)}<style>`
    + `${formula}</style></math></comment>${mathml.slice(close + '</math>'.length)}`;
}

/** First element of the sorted `xs` that is >= `x`, or -1 (binary search). */
function firstAtLeast(xs: number[], x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid; }
  return lo < xs.length ? xs[lo] : -1;
}

// Positions of each inline closer in a paragraph's source, listed once per inline state (one paragraph, heading or
// table cell). A `$` right after a backslash never closes (the old rule's skip of `\$`, kept as it was).
const inlineClosers = new WeakMap<StateInline, Map<string, number[]>>();
function closerPositions(state: StateInline, close: string): number[] {
  let byCloser = inlineClosers.get(state);
  if (!byCloser) inlineClosers.set(state, (byCloser = new Map()));
  let positions = byCloser.get(close);
  if (!positions) {
    positions = [];
    const src = state.src;
    for (let i = src.indexOf(close); i >= 0; i = src.indexOf(close, i + close.length)) {
      if (!(close === '$' && src[i - 1] === '\\')) positions.push(i);
    }
    byCloser.set(close, positions);
  }
  return positions;
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  let open = '', close = '';
  if (src[start] === '$' && src[start + 1] !== '$') { open = '$'; close = '$'; }
  else if (src.startsWith('\\(', start)) { open = '\\('; close = '\\)'; }
  else if (src.startsWith('\\[', start)) { open = '\\['; close = '\\]'; }
  else return false;
  const from = start + open.length;
  // These patterns test one character: constant time.
  if (open === '$' && /\s/.test(src[from] ?? ' ')) return false;
  const end = firstAtLeast(closerPositions(state, close), from);
  if (end < 0 || end === from || end + close.length > state.posMax) return false;
  if (open === '$' && (/\s/.test(src[end - 1]) || /\d/.test(src[end + 1] ?? ''))) return false;
  if (!silent) {
    const token = state.push(open === '\\[' ? 'math_display' : 'math_inline', 'math', 0);
    token.content = src.slice(from, end);
  }
  state.pos = end + close.length;
  return true;
}

const lineText = (state: StateBlock, n: number) => state.src.slice(state.bMarks[n] + state.tShift[n], state.eMarks[n]);

// Lines that end with each block closer (trailing spaces aside), listed once per document. They are found on the raw
// line: containers (blockquotes, lists) only strip markers and spaces from a line's start, never a `$` or a `\`, so a
// line's content ends with a closer exactly when the raw line does.
const blockClosers = new WeakMap<StateBlock, Map<string, number[]>>();
function closerLines(state: StateBlock, close: string): number[] {
  let byCloser = blockClosers.get(state);
  if (!byCloser) blockClosers.set(state, (byCloser = new Map()));
  let lines = byCloser.get(close);
  if (!lines) {
    lines = [];
    // Not state.lineMax: a blockquote lowers it while it parses its own lines. The last mark is a fake line.
    for (let n = 0, lineStart = 0; n < state.eMarks.length - 1; lineStart = state.eMarks[n] + 1, n++) {
      if (state.src.slice(lineStart, state.eMarks[n]).trimEnd().endsWith(close)) lines.push(n);
    }
    byCloser.set(close, lines);
  }
  return lines;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const first = lineText(state, startLine);
  const open = first.startsWith('$$') ? '$$' : first.startsWith('\\[') ? '\\[' : null;
  if (!open) return false;
  const close = open === '$$' ? '$$' : '\\]';
  const rest = first.slice(2).trimEnd();
  let body: string;
  let line = startLine;
  if (rest.endsWith(close)) body = rest.slice(0, -2);
  else {
    line = firstAtLeast(closerLines(state, close), startLine + 1);
    if (line < 0 || line >= endLine) return false;
    if (silent) return true;
    const parts = [first.slice(2)];
    for (let n = startLine + 1; n < line; n++) parts.push(lineText(state, n));
    parts.push(lineText(state, line).trimEnd().slice(0, -2));
    body = parts.join('\n');
  }
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = body;
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}

export function mathPlugin(md: MarkdownIt): void {
  md.inline.ruler.before('escape', 'math_inline', mathInline);
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.renderer.rules.math_inline = (tokens, idx, _options, env) => tex(md, tokens[idx].content, false, env);
  md.renderer.rules.math_display = (tokens, idx, _options, env) => tex(md, tokens[idx].content, true, env);
  md.renderer.rules.math_block = (tokens, idx, _options, env) => `<div class="math">${tex(md, tokens[idx].content, true, env)}</div>\n`;
}
