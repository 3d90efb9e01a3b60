// The pseudo-locale (tests only): the English catalogue with every string wrapped in ⟦…⟧. A rendered page that shows
// text outside the brackets shows text that never went through the catalogue (test/support/pseudo-locale.ts).
export const OPEN = '⟦';
export const CLOSE = '⟧';

type Tree = { [key: string]: string | Tree };

export function pseudoOf(tree: Tree): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(tree)) out[k] = typeof v === 'string' ? `${OPEN}${v}${CLOSE}` : pseudoOf(v);
  return out;
}
