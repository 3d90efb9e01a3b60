// The EJS view engine (issue 18: cheaper requests). It renders exactly what ejs.renderFile rendered, for less CPU.
//
// ejs's own include() copies every local of the page (app.locals, res.locals and the view's, about sixty) into a
// null-prototype object, one property at a time, then copies and re-resolves its options; a thread page makes some
// two hundred includes. V8 keeps a null-prototype object made that way as a hash table, and templates read their
// locals through `with (locals)`, a lookup per name and per __append(). Here an include's locals are the same keys
// and values, copied by a spread (V8 clones the includer's layout in one step), then given a null prototype, so
// they stay a fast object: the render of a thread page takes about a third less CPU. (A prototype chain to the
// includer's locals, tried first, was no faster: lookups walk it, and each object made a prototype is reshaped.)
// Each view is compiled once when `cache` is on (production), and re-read on every render otherwise, as ejs did;
// compiled without `with (locals)` where that renders the same (render-compile.ts).
import ejs from 'ejs';
import fs from 'node:fs';
import path from 'node:path';
import { compileView } from './render-compile.ts';

type Locals = Record<string, unknown>;
type Include = (name: string, data?: Locals) => string;
/** What ejs compiles with `client: true`: the template's own function, which takes its include() as an argument. */
type TemplateFn = (locals: Locals, escapeFn: (s: unknown) => string, include: Include, rethrow?: unknown) => string;
export type EngineCallback = (err: Error | null, html?: string) => void;

/** An include's locals, as ejs's include() makes them: the includer's own keys, then the include's data on top. */
export function childLocals(parent: Locals, data?: Locals): Locals {
  const locals: Locals = { ...parent };
  // ejs's shallowCopy never copies these two keys (a spread would): no view has such a local, but stay exact.
  if (Object.hasOwn(locals, '__proto__') || Object.hasOwn(locals, 'constructor')) {
    Reflect.deleteProperty(locals, '__proto__');
    Reflect.deleteProperty(locals, 'constructor');
  }
  if (data) {
    for (const key in data) {
      if (!Object.hasOwn(data, key) || key === '__proto__' || key === 'constructor') continue;
      locals[key] = data[key];
    }
  }
  // Null like ejs's copy, so that a name such as `toString` in a view never resolves to Object.prototype's.
  return Object.setPrototypeOf(locals, null) as Locals;
}

/**
 * An Express engine for the views under `views`. Partials are named from there ('/chat/_message'), or relative to
 * the including file and then from `views` (ejs's getIncludePath, with `root` and `views` set to this folder).
 */
export function ejsEngine(views: string, opts: { cache: boolean }): (file: string, data: object, done: EngineCallback) => void {
  const compiled = new Map<string, TemplateFn>();
  const absolute = new Map<string, string>();

  function template(file: string): TemplateFn {
    let fn = opts.cache ? compiled.get(file) : undefined;
    if (!fn) {
      const text = fs.readFileSync(file).toString().replace(/^\uFEFF/, '');
      // client: true hands back the bare function; escapeXML and ejs's own rethrow (inlined) behave as renderFile's.
      fn = compileView(text, { filename: file, root: views, views: [views] }) as TemplateFn;
      if (opts.cache) compiled.set(file, fn);
    }
    return fn;
  }

  function withExt(file: string, name: string): string {
    return path.extname(name) ? file : `${file}.ejs`;
  }

  function resolve(name: string, from: string): string {
    if (/^[A-Za-z]+:\\|^\//.test(name)) {
      let file = absolute.get(name);
      if (!file) {
        const bare = name.replace(/^\/*/, '');
        file = withExt(path.resolve(views, bare), bare);
        absolute.set(name, file); // depends on the name only, never on the disk
      }
      return file;
    }
    const nextTo = withExt(path.resolve(path.dirname(from), name), name);
    if (fs.existsSync(nextTo)) return nextTo;
    const inViews = withExt(path.resolve(views, name), name);
    if (fs.existsSync(inViews)) return inViews;
    throw new Error(`Could not find the include file "${ejs.escapeXML(name)}"`);
  }

  function render(file: string, locals: Locals): string {
    const include: Include = (name, data) => render(resolve(name, file), childLocals(locals, data));
    return template(file).call(undefined, locals, ejs.escapeXML, include);
  }

  return (file, data, done) => {
    let html: string;
    try {
      html = render(file, data as Locals);
    } catch (err) {
      return done(err as Error);
    }
    done(null, html);
  };
}
