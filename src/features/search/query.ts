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
 * MySQL/MariaDB boolean mode: every term required (+). InnoDB drops words shorter than innodb_ft_min_token_size (3)
 * and stopwords when it indexes; a required one would match nothing, so they are left out of the query (a phrase
 * keeps them: InnoDB checks a phrase against the text itself). Null when nothing searchable is left.
 */
export function mysqlQuery(terms: Term[], minLength = 3): string | null {
  const out: string[] = [];
  for (const t of terms) {
    if (t.words.length > 1) { out.push(`+"${t.words.join(' ')}"`); continue; }
    const w = t.words[0];
    if ([...w].length < minLength && !t.prefix) continue;
    if (MYSQL_STOPWORDS.has(w)) continue;
    out.push(`+${w}${t.prefix ? '*' : ''}`);
  }
  return out.length ? out.join(' ') : null;
}

/** InnoDB's default stopword list (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD). */
const MYSQL_STOPWORDS = new Set(('a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und the www').split(' '));
