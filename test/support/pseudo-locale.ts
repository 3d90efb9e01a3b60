// Languages (issue 17): renders pages in the pseudo-locale `xx` (every catalogue string is ⟦wrapped⟧) and reports any
// visible text or attribute (title, aria-label, placeholder, alt) that did not come from the catalogue.
// How to use it for a new page: add an entry to the PAGES list of test/integration/i18n-pseudo.test.ts.
import { OPEN, CLOSE } from '../../src/i18n/pseudo.ts';
import { LANGUAGE_NAMES } from '../../src/i18n/languages.ts';
import { TIME_ZONES } from '../../src/i18n/zones.ts';

/** Text that is never translated: numbers, punctuation, symbols, the brand, language names (named in themselves). */
const ALWAYS_ALLOWED: RegExp[] = [
  /^[\s\d.,:;·•…–—\-+×/%()[\]{}#@&*!?'"’“”‹›«»|→←↑↓☰✓✕]*$/u,
  /^MistralChat$/,
  new RegExp(`^(${Object.values(LANGUAGE_NAMES).join('|')})$`),
];
/** Time zones' IANA names (Account's list, 'Europe/Paris'): names, the same in every language. */
const ZONE_NAMES = new Set(TIME_ZONES);

export type PseudoOptions = {
  /** Exact strings the test put there itself (user content: a name, an email address, a title). */
  allow?: string[];
  /**
   * Elements whose whole content is not converted yet, by id or class (`#thread-list`, `.share-row`): each entry says
   * which namespace will own it. Keep this short; the sweep empties it.
   */
  pending?: string[];
};

const ATTRS = ['title', 'aria-label', 'placeholder', 'alt'];
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW = new Set(['script', 'style', 'svg', 'textarea', 'pre', 'code']);

const decode = (s: string) => s.replace(/&(#\d+|#x[\da-f]+|amp|lt|gt|quot|apos|nbsp);/gi, (_m, e: string) => {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  if (e[0] !== '#') return named[e.toLowerCase()];
  return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
});

/** What of a string lies outside its ⟦…⟧ runs (nested runs count as inside). */
function outsideBrackets(v: string): string {
  let depth = 0;
  let out = '';
  for (const ch of v) {
    if (ch === OPEN) depth++;
    else if (ch === CLOSE) depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return depth === 0 ? out : `${out}(unclosed ⟦)`;
}

/**
 * The problems of one HTML page: text outside ⟦…⟧ (counted across elements, so a catalogue string with markup inside,
 * th(), is one wrapped run), attributes that are not one wrapped string, and brackets left open.
 */
export function untranslated(html: string, opts: PseudoOptions = {}): string[] {
  const allow = new Set(opts.allow ?? []);
  const allowed = (s: string) => allow.has(s) || ZONE_NAMES.has(s) || ALWAYS_ALLOWED.some((re) => re.test(s));
  const pending = (opts.pending ?? []).map((p) => p.startsWith('#') ? { id: p.slice(1) } : { cls: p.replace(/^\./, '') });
  const problems: string[] = [];
  const stack: string[] = [];
  let skipDepth = -1; // stack depth of a pending element being skipped
  let depth = 0; // ⟦ nesting across text runs
  let outside = ''; // text seen outside brackets since the last element boundary
  const flush = () => {
    const s = outside.replace(/\s+/g, ' ').trim();
    if (s && !allowed(s)) problems.push(`text: "${s}" (in <${stack.at(-1) ?? 'html'}>)`);
    outside = '';
  };
  const text = (raw: string) => {
    for (const ch of decode(raw)) {
      if (ch === OPEN) { if (depth === 0) flush(); depth++; continue; }
      if (ch === CLOSE) { depth--; if (depth < 0) { problems.push('a ⟧ with no ⟦'); depth = 0; } continue; }
      if (depth === 0) outside += ch;
    }
  };
  const re = /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/?([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>|[^<]+|</g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    const token = m[0];
    if (token.startsWith('<!')) continue;
    if (!m[1]) { if (skipDepth < 0) text(token); continue; }
    const tag = m[1].toLowerCase();
    if (token.startsWith('</')) {
      if (skipDepth < 0) flush();
      while (stack.length && stack.pop() !== tag);
      if (skipDepth >= 0 && stack.length <= skipDepth) skipDepth = -1;
      continue;
    }
    if (skipDepth < 0) flush();
    const attrs = new Map<string, string>();
    for (const a of (m[2] ?? '').matchAll(/([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attrs.set(a[1].toLowerCase(), decode(a[2] ?? a[3] ?? a[4] ?? ''));
    }
    const classes = (attrs.get('class') ?? '').split(/\s+/);
    const isPending = pending.some((p) => ('id' in p ? attrs.get('id') === p.id : classes.includes(p.cls!)));
    if (skipDepth < 0 && !isPending) {
      for (const name of ATTRS) {
        const v = attrs.get(name);
        if (v === undefined) continue;
        const rest = outsideBrackets(v).trim();
        if (rest && !allowed(rest)) problems.push(`${name}="${v}" (on <${tag}>)`);
      }
    }
    if (VOID.has(tag) || token.endsWith('/>')) continue;
    if (RAW.has(tag)) {
      // Their content is code, an icon or user text: skipped to the closing tag. <pre>/<code> hold user content.
      const end = html.toLowerCase().indexOf(`</${tag}>`, re.lastIndex);
      re.lastIndex = end < 0 ? html.length : end + tag.length + 3;
      continue;
    }
    stack.push(tag);
    if (skipDepth < 0 && isPending) skipDepth = stack.length - 1;
  }
  flush();
  if (depth !== 0) problems.push(`${depth} ⟦ never closed`);
  return problems;
}
