// What the user typed, read as terms, and written out as each engine's query syntax by us: FTS5's and MySQL's
// boolean syntax both treat punctuation as operators (and fail on an unbalanced one), so nothing typed reaches them
// as syntax. A term is a word, a word ending in * (a prefix) or a quoted phrase; everything else separates words.

export type Term = { words: string[]; prefix: boolean };

const MAX_CHARS = 200;
const MAX_TERMS = 12;
/** Letters, digits and combining marks: what FTS5's unicode61 and InnoDB's parser keep as word characters. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

export function parseQuery(input: unknown): Term[] {
  const text = (typeof input === 'string' ? input : '').slice(0, MAX_CHARS).normalize('NFC');
  const terms: Term[] = [];
  // Quoted phrases (an unbalanced quote just ends), then the words between them.
  const parts = text.split('"');
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      const words = part.match(WORD) ?? [];
      if (words.length) terms.push({ words: words.map(lower), prefix: false });
      return;
    }
    for (const chunk of part.split(/\s+/)) {
      const words = chunk.match(WORD) ?? [];
      if (!words.length) continue;
      // "e-mail", "don't", "a.b": one phrase, as the engines split it; a * right after the last word makes a prefix.
      const prefix = /[\p{L}\p{N}\p{M}]\*/u.test(chunk) && /[\p{L}\p{N}\p{M}]\*+[^\p{L}\p{N}\p{M}]*$/u.test(chunk);
      terms.push({ words: words.map(lower), prefix });
    }
  });
  return dedupe(terms).slice(0, MAX_TERMS);
}

const lower = (w: string) => w.toLowerCase();
function dedupe(terms: Term[]): Term[] {
  const seen = new Set<string>();
  return terms.filter((t) => { const k = `${t.words.join(' ')}${t.prefix ? '*' : ''}`; return seen.has(k) ? false : (seen.add(k), true); });
}

/** FTS5: every term quoted (so OR, NEAR, column names and punctuation are plain words), all of them required. */
export function fts5Query(terms: Term[]): string {
  return terms.map((t) => `"${t.words.join(' ')}"${t.prefix ? '*' : ''}`).join(' AND ');
}

/**
 * MySQL/MariaDB boolean mode over `search_words`, where each word is indexed as `<owner>x<word>` (owner.ts): every term
 * required (+), each as the alternatives of the given owner words (the buckets searched at once; a row has one).
 * Prefixed words are never stopwords nor too short, so every word counts, as on SQLite. Null when there is no term.
 */
export function mysqlQuery(terms: Term[], owners: string[]): string | null {
  if (!terms.length || !owners.length) return null;
  const one = (o: string, t: Term) => (t.words.length > 1 ? `"${t.words.map((w) => `${o}x${w}`).join(' ')}"` : `${o}x${t.words[0]}${t.prefix ? '*' : ''}`);
  return terms.map((t) => `+(${owners.map((o) => one(o, t)).join(' ')})`).join(' ');
}
