// Model output must render in time linear in its length, whatever it holds. The rule (issue 9): 200 KB of adversarial
// markdown renders within 10× the time of 200 KB of ordinary prose. No absolute times: the machine is shared.
// Sizes double from 25 KB and stop as soon as the limit is passed, so superlinear code fails in seconds, not hours.
import { beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

const KB = 1024;
const SIZE = 200 * KB;
const rep = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

const PROSE = `## Section heading

Some ordinary prose with **bold**, _emphasis_, \`inline code\` and a [link](https://example.com). The price is $5 and $6.
A second line with inline math $a^2+b^2=c^2$ and more words to fill the paragraph nicely.

- item one with text
- item two with \`code\`
  - nested item

1. first
2. second

\`\`\`js
function add(a, b) { return a + b; } // comment
const x = add(1, 2);
\`\`\`

$$
\\sum_{i=1}^n i = \\frac{n(n+1)}{2}
$$

> a quote with *emphasis*

| a | b |
|---|---|
| 1 | 2 |

`;

let renders = 0;
/** Median of 3 renders (a fresh text each time: rendered answers are cached), or the first one if it is over `limit`. */
function renderTime(text: string, limit = Infinity): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const source = `r${renders++}\n\n${text}`;
    const start = performance.now();
    renderMarkdown(source);
    times.push(performance.now() - start);
    if (times[0] > limit) return times[0];
  }
  return times.sort((a, b) => a - b)[1];
}

let prose = 0;
beforeAll(() => {
  renderTime(rep(PROSE, SIZE)); // warm up the JIT
  prose = renderTime(rep(PROSE, SIZE));
});

/** Time to render `make(SIZE)`, as a multiple of the time for as much prose; past `limit`, stops early. */
function ratioToProse(make: (n: number) => string, limit: number): number {
  for (let n = 25 * KB; n <= SIZE; n *= 2) {
    const t = renderTime(make(n), limit * prose);
    if (t > limit * prose) return t / prose;
    if (n === SIZE) return t / prose;
  }
  throw new Error('unreachable');
}

const fence = (lang: string, body: string) => '```' + lang + '\n' + body + '```\n';

describe('rendering is linear in the length of the answer', () => {
  it.each([
    // The block rule looked for the closer of every `\[` or `$$` line down to the end of the answer.
    ['lines of \\[', (n: number) => rep('\\[\n', n)],
    ['lines of $$x', (n: number) => rep('$$x\n', n)],
    // The inline rule looked for the closer of every opener to the end of the paragraph.
    ['a line of \\(', (n: number) => rep('\\(', n)],
    ['a line of \\[', (n: number) => rep('\\[', n)],
    ['a line of $a\\\\', (n: number) => rep('$a\\\\', n)],
    // KaTeX is linear but slow on matrices (8-18× prose, with load): bounded per answer, so no dearer than prose.
    ['one huge matrix', (n: number) => `$$\n\\begin{matrix}${rep('a&', n)}b\\end{matrix}\n$$\n`, 3],
    // highlight.js: cubic in a markdown line's length, quadratic in C identifiers, and in C# and Shell Session blocks.
    ['a markdown block with a long line of [', (n: number) => fence('markdown', rep('[', n) + '\n')],
    ['C blocks with long identifiers', (n: number) => rep(fence('c', ('a'.repeat(399) + '\n').repeat(20)), n)],
    ['C# blocks of short lines', (n: number) => rep(fence('csharp', 'a\n'.repeat(4000)), n)],
    ['Shell Session blocks', (n: number) => rep(fence('shell', '$ ${\n'.repeat(3000)), n)],
  ] as [string, (n: number) => string, number?][])('%s', (_name, make, limit = 10) => {
    expect(ratioToProse(make, limit)).toBeLessThanOrEqual(limit);
  });
});

describe('bounds keep the output sensible', () => {
  it('renders aligned table cells with classes, not style attributes (the CSP blocks those)', () => {
    const html = renderMarkdown('| a | b | c | d |\n|:-|:-:|-:|-|\n| 1 | 2 | 3 | 4 |');
    expect(html).not.toContain('style=');
    expect(html).toContain('<th class="align-left">a</th>\n<th class="align-center">b</th>\n<th class="align-right">c</th>\n<th>d</th>');
    expect(html).toContain('<td class="align-left">1</td>');
  });
  it('still finds closers far away, in blocks and in lines', () => {
    const html = renderMarkdown(`\\[\n${'a+\n'.repeat(500)}b\\]\n\n$a${' + b'.repeat(500)}$ \\(x${' y'.repeat(500)}\\)`);
    expect(html.match(/<math/g)).toHaveLength(3);
    const nested = renderMarkdown('> \\[\n> a\n> \\]\n\n- $$\n  b\n  $$');
    // (Each formula: its TeX for text browsers, then the MathML; see markdown-math.ts.)
    expect(nested).toContain('<blockquote>\n<div class="math"><span class="katex"><span class="math-tex">\na\n</span><comment><math');
    expect(nested).toContain('<li>\n<div class="math"><span class="katex"><span class="math-tex">\nb\n</span><comment><math');
  });
  it('shows math past the budget as source, and long or over-budget code unhighlighted', () => {
    const many = renderMarkdown('$x^2$ '.repeat(10_000));
    expect(many).toContain('<math');
    expect(many).toContain('<code class="math-source">x^2</code>');
    expect(renderMarkdown(fence('js', `const a = "${'x'.repeat(500)}";\n`))).toContain('<code class="hljs language-js">const a = &quot;');
    const blocks = renderMarkdown(fence('js', 'const a = 1;\n'.repeat(1000)).repeat(3));
    expect(blocks.match(/<span class="hljs-keyword">const<\/span> a/g)!.length).toBe(1000);
  });
  it('highlights Shell Session blocks as bash', () => {
    expect(renderMarkdown(fence('shell', '$ ls ${HOME}\n'))).toContain('<code class="hljs language-shell">$ <span class="hljs-built_in">ls</span> <span class="hljs-variable">${HOME}</span>');
  });
});
