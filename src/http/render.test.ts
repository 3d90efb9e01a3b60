import ejs from 'ejs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childLocals, ejsEngine } from './render.ts';

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

  it('fails as ejs did: the template line for an error, the file for a missing partial', async () => {
    const theirs = await viaEjs('broken.ejs').catch((e: Error) => e.message);
    await expect(viaEngine('broken.ejs')).rejects.toThrow(theirs);
    expect(theirs).toContain(' >> 2| <%= missing.name %>');
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
