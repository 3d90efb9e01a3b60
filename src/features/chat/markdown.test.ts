import { describe, expect, it } from 'vitest';
import { boundaryOf, BoundaryScanner, liveParts, renderBlocks } from './live-view.ts';
import { renderMarkdown } from './markdown.ts';
import { cleanTitle } from './titles.ts';

describe('renderMarkdown', () => {
  it('escapes raw HTML and refuses script URLs however they are spelled', () => {
    const html = renderMarkdown('<b onmouseover=x>hi</b> [a](javascript:alert(1)) [b]( JAVASCRIPT:x) [c](java\nscript:x) [d](data:text/html,x) [e](vbscript:x) <javascript:alert(1)>');
    expect(html).not.toMatch(/<b /);
    expect(html).not.toMatch(/href="\s*(javascript|data|vbscript)/i);
    expect(html).toContain('&lt;b onmouseover=x&gt;');
  });
  it('marks links ugc and turns images into links', () => {
    expect(renderMarkdown('[x](https://e.com)')).toContain('<a href="https://e.com" rel="noopener nofollow ugc">x</a>');
    expect(renderMarkdown('https://e.com')).toContain('rel="noopener nofollow ugc"');
    const img = renderMarkdown('![cat](https://tracker.example/p.png)');
    expect(img).not.toContain('<img');
    expect(img).toContain('<a href="https://tracker.example/p.png" rel="noopener nofollow ugc">cat</a>');
  });
  it('typesets math as MathML without trust, and leaves prices alone', () => {
    expect(renderMarkdown('$a+b$')).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML">');
    expect(renderMarkdown('\\(a\\) and \\[b\\]')).toContain('<math');
    const href = renderMarkdown('$\\href{javascript:alert(1)}{x}$ $\\htmlClass{a}{b}$');
    expect(href).not.toMatch(/href="javascript/);
    expect(href).not.toContain('class="a"');
    expect(renderMarkdown('It costs $5 and $6 more')).not.toContain('<math');
    expect(renderMarkdown('$\\frac{1}{$')).toContain('math-error');
  });
  it('gives each formula its TeX as a text fallback, outside the MathML that text browsers skip', () => {
    const html = renderMarkdown('Area $A = \\pi r^2$.\n\n$$x<1$$');
    expect(html).toContain('<span class="math-tex">A = \\pi r^2</span><comment><math xmlns="http://www.w3.org/1998/Math/MathML"><style><mrow>');
    expect(html).toContain('<div class="math"><span class="katex"><span class="math-tex">x&lt;1</span><comment><math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><style><mrow><mi>x</mi><mo>&lt;</mo><mn>1</mn></mrow></style></math></comment></span></div>');
    // The TeX once: not again in an <annotation> (the fallback has it).
    expect(html).not.toContain('<annotation');
    expect(html.match(/<\/style><\/math><\/comment><\/span>/g)).toHaveLength(2);
    // TeX cannot close the wrappers early: it is escaped in the fallback and in KaTeX's MathML alike.
    const sneaky = renderMarkdown('$\\text{</style></comment>}$');
    expect(sneaky.match(/<\/style>/g)).toHaveLength(1);
    expect(sneaky.match(/<\/comment>/g)).toHaveLength(1);
  });
  it('highlights known languages and escapes unknown ones', () => {
    expect(renderMarkdown('```ts\nconst a: number = 1;\n```')).toContain('<span class="hljs-keyword">const</span>');
    expect(renderMarkdown('```nope\n<x>\n```')).toContain('<code class="hljs">&lt;x&gt;');
  });
});

describe('live view boundaries', () => {
  it('cuts only before an unindented line after a blank line or a closed fence, never inside a fence', () => {
    expect(boundaryOf('para one\n\n')).toBe(0);
    expect(boundaryOf('para one\n\n  ')).toBe(0); // an indented line may continue the block before
    expect(boundaryOf('para one\n\np')).toBe(10); // known from the line's first character
    expect(boundaryOf('para one\n\npara two\n')).toBe(10);
    expect(boundaryOf('```\na\n\nb\n')).toBe(0);
    expect(boundaryOf('```\na\n\nb\n```\nafter\n')).toBe('```\na\n\nb\n```\n'.length);
    expect(boundaryOf('1. item\n\n   continued\n')).toBe(0);
  });
  it('scans incrementally to the same answer as one pass', () => {
    const text = 'a\n\nb\n```js\nx\n\ny\n```\nc\n\n- d\n\n  e\n\nf\n';
    const scanner = new BoundaryScanner();
    for (let i = 1; i <= text.length; i++) expect(scanner.scan(text.slice(0, i))).toBe(boundaryOf(text.slice(0, i)));
  });
  it('renders finished blocks and escapes the tail', () => {
    const parts = liveParts('**done**\n\n<b>tail\nmore');
    expect(parts.blocksHtml).toContain('<strong>done</strong>');
    expect(parts.tailHtml).toBe('&lt;b&gt;tail\nmore');
  });
  it('renders each block on its own, the same however the text was cut into pieces', () => {
    const text = '- one\n\n- two\n\nSee [x][1].\n\n[1]: https://e.com\n\nlast';
    const whole = liveParts(text).blocksHtml;
    expect(whole.match(/<ul>/g)).toHaveLength(2);
    const scanner = new BoundaryScanner();
    for (let i = 1; i <= text.length; i++) scanner.scan(text.slice(0, i));
    expect(renderBlocks(text, [0, ...scanner.boundaries.slice(0, 2)]) + renderBlocks(text, [scanner.boundaries[1], ...scanner.boundaries.slice(2)])).toBe(whole);
  });
});

describe('cleanTitle', () => {
  it('keeps at most five words of the first line, without quotes', () => {
    expect(cleanTitle('"Title: Planning a Trip to Lyon in May."\nmore')).toBe('Planning a Trip to Lyon');
    expect(cleanTitle('  ')).toBe('');
  });
});
