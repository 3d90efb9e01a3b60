// Snippets are built here from the stored text, never taken from the engine (FTS5's snippet() returns the text raw):
// the text is escaped and only our own <mark> elements are added. Matching folds case and accents, as both engines do.
import type { Term } from './query.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BEFORE = 60;
const LENGTH = 220;

/** The text folded (lower case, no combining marks) and, for each folded character, where it came from. */
function fold(text: string): { folded: string; from: number[] } {
  let folded = '';
  const from: number[] = [];
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const f = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (let k = 0; k < f.length; k++) from.push(i);
    folded += f;
    i += ch.length;
  }
  from.push(text.length);
  return { folded, from };
}

function termPattern(terms: Term[]): RegExp | null {
  const parts = terms.map((t) => {
    const words = t.words.map((w) => escapeRe(fold(w).folded));
    return `(?<![\\p{L}\\p{N}])${words.join('[^\\p{L}\\p{N}]+')}${t.prefix ? '[\\p{L}\\p{N}]*' : '(?![\\p{L}\\p{N}])'}`;
  });
  return parts.length ? new RegExp(parts.join('|'), 'gu') : null;
}

/** Match ranges [start, end) in the original text. */
export function matches(text: string, terms: Term[]): Array<[number, number]> {
  const re = termPattern(terms);
  if (!re) return [];
  const { folded, from } = fold(text);
  const out: Array<[number, number]> = [];
  for (const m of folded.matchAll(re)) {
    if (!m[0].length) continue;
    out.push([from[m.index!], from[m.index! + m[0].length]]);
  }
  return out;
}

/**
 * About LENGTH characters of `text` around its first match, escaped, with every match inside marked. Null when the
 * text has no match (the caller tries the next text, e.g. a file's).
 */
export function snippet(text: string, terms: Term[]): string | null {
  const found = matches(text, terms);
  if (!found.length) return null;
  let start = Math.max(0, found[0][0] - BEFORE);
  // Start at a word: the first white space after the cut, unless that skips the match.
  if (start > 0) { const ws = text.slice(start, found[0][0]).search(/\s/); if (ws >= 0) start += ws + 1; }
  let end = Math.min(text.length, start + LENGTH);
  if (end < text.length) { const ws = text.slice(found[0][1], end).search(/\s[^\s]*$/); if (ws > 0) end = found[0][1] + ws; }
  if (end < found[0][1]) end = found[0][1];
  let html = start > 0 ? '…' : '';
  let at = start;
  for (const [s, e] of found) {
    if (s < at || e > end) continue;
    html += escapeHtml(text.slice(at, s)) + '<mark>' + escapeHtml(text.slice(s, e)) + '</mark>';
    at = e;
  }
  html += escapeHtml(text.slice(at, end)) + (end < text.length ? '…' : '');
  return html.replace(/\s+/g, ' ');
}

/** The beginning of a text, escaped (a hit whose words we could not find in it, e.g. matched by stemming). */
export function plainStart(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return escapeHtml(t.length > LENGTH ? `${t.slice(0, LENGTH)}…` : t);
}
