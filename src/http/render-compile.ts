// Compiles a view without `with (locals)` where that renders the same (issue 18: cheaper requests).
//
// ejs wraps every template in `with (locals) { … }`, so V8 resolves each name in it (the page's data, but also ejs's
// own __append and __line, set before every line) by asking the locals object first, at run time: a property lookup
// and an unscopables check per name and per use. ejs can instead declare the locals the template reads as variables
// (`destructuredLocals`, with `_with: false`). For that the names must be known: here they are every identifier the
// compiled template mentions (over-counting is harmless: a name that is no local is an undefined variable), but for
// JavaScript's own words, ejs's variables and the globals (Math, JSON, encodeURIComponent: `with` found those
// outside locals too). A template that assigns to a name it did not declare would write to its locals under `with`
// (and a partial it includes afterwards would see it); such a template keeps `with`.
import ejs from 'ejs';

type Options = Record<string, unknown>;
export type Compiled = (locals: Record<string, unknown>, escapeFn: (s: unknown) => string, include: unknown, rethrow?: unknown) => string;

const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
  'function if import in instanceof let new null of return super switch this throw true try typeof var void while with yield ' +
  'await async static implements interface package private protected public arguments eval undefined NaN Infinity').split(' '));
// ejs's own names in the function it builds (its parameters, its output, its debugging state).
const EJS_OWN = new Set(['locals', 'escapeFn', 'include', 'rethrow', '__output', '__append', '__line', '__lines', '__filename', '__locals']);
const DECLARATION = /^(const|let|var|function)$/;
// After these, a slash starts a regular expression, not a division.
const REGEX_BEFORE = /^([-(,=:[!&|?{};+*%<>~^]|return|typeof|)$/;

type Scan = { names: Set<string>; declared: Set<string>; assigned: Set<string> };

/** Identifiers of JavaScript source that are not a property (`a.b`), outside strings and comments. */
export function scanNames(src: string): Scan {
  const names = new Set<string>();
  const declared = new Set<string>();
  const assigned = new Set<string>();
  let previous = '';
  let declaring = false;
  // Inside a declaration's initialiser (`var a = 1, b = 2`): a comma at its own depth starts the next declarator.
  let initialising = false;
  let depth = 0;
  // Open `${…}` of template literals: the brace depth inside each.
  const templates: number[] = [];
  const skipTemplateText = (from: number) => { // from inside a template literal's text: to its end or its next ${
    for (let j = from; j < src.length; j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === '`') return j + 1;
      else if (src[j] === '$' && src[j + 1] === '{') { templates.push(0); return j + 2; }
    }
    return src.length;
  };
  for (let i = 0; i < src.length;) {
    const c = src[i];
    if (c === '`') { i = skipTemplateText(i + 1); previous = 'string'; continue; }
    if (templates.length && (c === '{' || c === '}')) {
      if (c === '{') templates[templates.length - 1]++;
      else if (templates[templates.length - 1]-- === 0) { templates.pop(); i = skipTemplateText(i + 1); previous = 'string'; continue; }
    }
    if (c === '/' && src[i + 1] !== '/' && src[i + 1] !== '*' && REGEX_BEFORE.test(previous)) { // a regular expression
      let inClass = false;
      for (i++; i < src.length && (src[i] !== '/' || inClass); i++) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
      }
      for (i++; /[a-z]/.test(src[i] ?? ''); i++);
      previous = 'regex';
      continue;
    }
    if (c === '"' || c === "'") { // a string: code cannot hide in it (template literals are scanned, for their ${})
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
      i++;
      previous = 'string';
      continue;
    }
    if (c === '/' && src[i + 1] === '/') { i = src.indexOf('\n', i); if (i < 0) break; continue; }
    if (c === '/' && src[i + 1] === '*') { i = src.indexOf('*/', i + 2); if (i < 0) break; i += 2; continue; }
    const word = /^[A-Za-z_$][\w$]*/.exec(src.slice(i, i + 64))?.[0];
    if (word) {
      // After a dot a name is a property, but for the spread `...name`.
      const property = previous === '.' && !/\.\.\.\s*$/.test(src.slice(Math.max(0, i - 8), i));
      const after = /^\s*(\+\+|--|[-+*/%&|^]?=(?![=>])|&&=|\|\|=|\?\?=)/.exec(src.slice(i + word.length, i + word.length + 8));
      if (!property) {
        names.add(word);
        if (declaring) declared.add(word);
        else if (after) assigned.add(word);
      }
      // `const a = 1, b = 2` or `const { a, b } =`: the names up to the first `=` (or `of`/`in`) are declarations.
      if (DECLARATION.test(word)) declaring = true;
      else if (declaring && (word === 'of' || word === 'in')) declaring = false;
      previous = word;
      i += word.length;
      continue;
    }
    if (declaring && c === '=') { declaring = false; initialising = true; depth = 0; }
    else if (c === ';' || c === ')') declaring = false;
    if (initialising) {
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) { if (--depth < 0) initialising = false; }
      else if (c === ';') initialising = false;
      else if (c === ',' && depth === 0) declaring = true;
    }
    if (!/\s/.test(c)) previous = c;
    i++;
  }
  // `x++` before its name, too: `++x`.
  for (const m of src.matchAll(/(?:\+\+|--)\s*([A-Za-z_$][\w$]*)/g)) if (!declared.has(m[1])) assigned.add(m[1]);
  return { names, declared, assigned };
}

/** The names a template's locals may provide: what `with (locals)` would have looked up in them. */
function localNames(scan: Scan): string[] {
  return [...scan.names].filter((n) => !RESERVED.has(n) && !EJS_OWN.has(n) && !(n in globalThis));
}

/** The template without `with`, or null where that could render differently. */
function withoutWith(text: string, options: Options, withLocals: Compiled): Compiled | null {
  const scan = scanNames(withLocals.toString());
  let names = localNames(scan);
  if (names.some((n) => scan.assigned.has(n) && !scan.declared.has(n))) return null;
  // A name the template declares itself at its top (`const w = …`) cannot be declared again beside it: left out.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return ejs.compile(text, { ...options, client: true, _with: false, destructuredLocals: names }) as unknown as Compiled;
    } catch (err) {
      const clash = /Identifier '([\w$]+)' has already been declared/.exec((err as Error).message)?.[1];
      if (!clash || !names.includes(clash)) throw err;
      names = names.filter((n) => n !== clash);
    }
  }
  return null;
}

const SEEN = Symbol('tried with `with`');

/**
 * The template compiled with its locals as variables, or with `with` where that could render differently. Should a
 * name have been missed all the same, the render fails with a ReferenceError: the template is then rendered again,
 * and from then on, with `with`, so a page never fails for it (a name that is really missing fails as ejs made it).
 */
export function compileView(text: string, options: Options): Compiled {
  const withLocals = ejs.compile(text, { ...options, client: true }) as unknown as Compiled;
  let fast = withoutWith(text, options, withLocals);
  if (!fast) return withLocals;
  return (locals, escapeFn, include, rethrow) => {
    if (fast) {
      try {
        return fast(locals, escapeFn, include, rethrow);
      } catch (err) {
        // One of its partials' errors, already tried again by that partial: not this template's.
        if (!(err instanceof ReferenceError) || (err as { [SEEN]?: boolean })[SEEN]) throw err;
        fast = null;
      }
    }
    try {
      return withLocals(locals, escapeFn, include, rethrow);
    } catch (err) {
      if (err instanceof ReferenceError) Object.defineProperty(err, SEEN, { value: true });
      throw err;
    }
  };
}
