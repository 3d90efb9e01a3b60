import ejs from 'ejs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childLocals, ejsEngine } from './render.ts';
import { compileView, scanNames } from './render-compile.ts';

// A views folder of its own: what the engine renders must be what ejs.renderFile rendered with the app's options.
const views = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-render-'));
afterAll(() => fs.rmSync(views, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(views, name)), { recursive: true });
  fs.writeFileSync(path.join(views, name), text);
};

write('page.ejs', [
  '<h1><%= title %></h1>',
  // `context` and `client` are ejs option names: as locals they must stay plain data.
  '<p><%= context %> <%= client %> <%= typeof locals.toString %></p>',
  "<% for (const item of items) { %><%- include('/parts/_item', { item, title: item.toUpperCase() }) %><% } %>",
  "<%- include('parts/_item', { item: 'rel' }) %>",
  "<%- include('/parts/_item.ejs') %>",
  '<%= title %> <%= typeof leaked %>',
].join('\n'));
write('parts/_item.ejs', [
  '<li><%= title %>/<%= typeof item === "undefined" ? "-" : item %>/<%= typeof locals.toString %>',
  // An assignment in a partial stays in the partial.
  '<% title = "changed"; var leaked = 1; %>',
  "<%- include('_leaf') %></li>",
].join('\n'));
write('parts/_leaf.ejs', '<b><%= title %> <%= context %> &amp; <%= "<&>" %></b>');
write('broken.ejs', 'line 1\n<%= missing.name %>\n');
write('no-partial.ejs', "<%- include('/parts/_none') %>");

const data = () => ({ title: 'T <1>', items: ['a', 'b'], context: 'ctx', client: 'cl', settings: { views } });

function viaEjs(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    ejs.renderFile(path.join(views, file), data(), { root: views, views: [views], cache: false }, (err, html) => (err ? reject(err) : resolve(html)));
  });
}
function viaEngine(file: string, cache = false): Promise<string> {
  const engine = ejsEngine(views, { cache });
  return new Promise((resolve, reject) => engine(path.join(views, file), data(), (err, html) => (err ? reject(err) : resolve(html!))));
}

describe('ejsEngine', () => {
  it('renders what ejs.renderFile rendered: includes by absolute and relative name, their data, their locals', async () => {
    const html = await viaEngine('page.ejs');
    expect(html).toBe(await viaEjs('page.ejs'));
    expect(html).toContain('<p>ctx cl function</p>');
    expect(html).toContain('<li>A/a/undefined');
    // The leaf sees the partial's own assignment; the page after it does not.
    expect(html).toContain('<b>changed ctx &amp; &lt;&amp;&gt;</b>');
    expect(html).toMatch(/T &lt;1&gt; undefined$/);
  });

  it('fails with the template line for an error, and the file for a missing partial', async () => {
    // A local no one passed is an undefined variable now (ejs's `with` made it a ReferenceError): either way the
    // error names the file and shows the line.
    const theirs = await viaEjs('broken.ejs').catch((e: Error) => e.message);
    const ours = await viaEngine('broken.ejs').catch((e: Error) => e.message);
    const context = `${path.join(views, 'broken.ejs')}:2\n    1| line 1\n >> 2| <%= missing.name %>`;
    expect(theirs).toContain(context);
    expect(ours).toContain(context);
    expect(ours).toMatch(/Cannot read properties of undefined \(reading 'name'\)$/);
    await expect(viaEngine('no-partial.ejs', true)).rejects.toThrow(/ENOENT.*_none\.ejs/);
  });

  it('compiles a view once with cache on, and reads an edit at once with it off', async () => {
    write('edited.ejs', 'one');
    const cached = ejsEngine(views, { cache: true });
    const fresh = ejsEngine(views, { cache: false });
    const run = (engine: typeof cached) => new Promise<string>((resolve) => engine(path.join(views, 'edited.ejs'), {}, (_e, h) => resolve(h!)));
    expect([await run(cached), await run(fresh)]).toEqual(['one', 'one']);
    write('edited.ejs', 'two');
    expect([await run(cached), await run(fresh)]).toEqual(['one', 'two']);
  });
});

describe('childLocals', () => {
  it('copies like ejs: own keys, the data on top, a null prototype, never __proto__ or constructor', () => {
    const parent = Object.assign(Object.create({ inherited: 1 }), { a: 1, b: 2 });
    Object.defineProperty(parent, 'constructor', { value: 'x', enumerable: true });
    const data = JSON.parse('{"b": 3, "__proto__": {"polluted": true}, "c": 4}');
    const locals = childLocals(parent, data);
    expect(Object.getPrototypeOf(locals)).toBeNull();
    expect(Object.keys(locals)).toEqual(['a', 'b', 'c']);
    expect({ ...locals }).toEqual({ a: 1, b: 3, c: 4 });
    expect(parent.b).toBe(2);
  });
});

describe('compileView', () => {
  const run = (text: string, locals: Record<string, unknown>) => {
    const fn = compileView(text, { filename: path.join(views, 'inline.ejs'), root: views, views: [views] });
    return { html: fn(locals, ejs.escapeXML, () => ''), withLocals: /with \(locals/.test(fn.toString()) };
  };
  const same = (text: string, locals: Record<string, unknown>) => {
    const ours = run(text, { ...locals });
    expect(ours.html).toBe(ejs.render(text, { ...locals }));
    return ours;
  };

  it('reads locals as variables, globals as before, whatever code names them', () => {
    const text = [
      '<% const w = n * 2 %><%= w %> <%= Math.max(n, 3) %> <%= JSON.stringify(list) %> <%= encodeURIComponent(q) %>',
      '<%= `${q}=${n}` %> <%= /["\']/.test(q) ? "quote" : "plain" %> <%= typeof absent %> <%= locals.q %>',
      "<% for (const item of list) { %><i><%= item %></i><% } %><% for (let i = 0; i < 2; i++) { %>[<%= i %>]<% } %>",
      '<%= { q }.q %> <%= n > 1 ? q : list %> <%# q = 1 %>',
    ].join('\n');
    const { withLocals, html } = same(text, { n: 4, list: ['a', 'b'], q: 'x"y' });
    expect(withLocals).toBe(false);
    expect(html).toContain('8 4 [&#34;a&#34;,&#34;b&#34;] x%22y');
    expect(html).toContain('x&#34;y=4 quote undefined x&#34;y');
  });

  it("keeps `with` where a template assigns to a local it did not declare, as ejs's partials could see that", () => {
    for (const text of ['<% q = "changed" %><%= q %>', '<% n++ %><%= n %>', '<% n += 1 %><%= n %>', '<% ++n %><%= n %>']) {
      expect(same(text, { n: 1, q: 'q' }).withLocals, text).toBe(true);
    }
  });

  it('reads a spread local, and renders again with `with` should a name have been missed (then and from then on)', () => {
    expect(same('<%= JSON.stringify({ ...o, n }) %>', { o: { a: 1 }, n: 2 })).toEqual({ html: '{&#34;a&#34;:1,&#34;n&#34;:2}', withLocals: false });
    // A name only in a string that eval() reads: not seen, so a ReferenceError without `with`, and found with it.
    const fn = compileView("<%= eval('hid' + 'den') %>", { filename: path.join(views, 'eval.ejs') });
    expect([fn({ hidden: 'yes' }, ejs.escapeXML, () => ''), fn({ hidden: 'again' }, ejs.escapeXML, () => '')]).toEqual(['yes', 'again']);
    // A name really missing fails as ejs made it fail.
    const missing = compileView("<%= eval('gone') %>", { filename: path.join(views, 'gone.ejs') });
    expect(() => missing({}, ejs.escapeXML, () => '')).toThrow(/gone is not defined/);
  });

  it('finds names in template literals and regular expressions, not in strings or comments', () => {
    const { names, assigned, declared } = scanNames('const a = `x${b + `${c}`}y=${d}` /* e = 1 */ // f = 2\n"g = 3" + /h = 4/.source; var i = 1, j = k = 5; l.m = 6; f(...n)');
    expect([...names].sort()).toEqual(['a', 'b', 'c', 'const', 'd', 'f', 'i', 'j', 'k', 'l', 'n', 'var']);
    expect([...declared].sort()).toEqual(['a', 'i', 'j']);
    expect([...assigned].sort()).toEqual(['k']);
  });
});
