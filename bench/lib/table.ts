import type { Figure } from './types.ts';

/** A plain-text table that reads well in a terminal and pastes into Markdown. */
export function table(rows: Figure[]): string {
  const head = ['figure', 'budget', 'measured', 'result'];
  const cells = rows.map((r) => [r.figure, r.budget, r.measured, r.pass ? 'pass' : 'FAIL']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
