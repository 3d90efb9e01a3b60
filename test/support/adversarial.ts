// Adversarial inputs for the event-loop guard (issue 9): the shapes that make regular expressions, parsers and
// renderers go quadratic, at any size; the app's own routes, read from the app itself so a new route is covered too.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Express } from 'express';

const rep = (unit: string, n: number) => unit.repeat(Math.max(1, Math.floor(n / unit.length)));

/** Each builds a string of about `n` characters. */
export const PAYLOADS: Record<string, (n: number) => string> = {
  dots: (n) => rep('.', n),
  'dots-then-letter': (n) => rep('.', n - 1) + 'x',
  'email-dots': (n) => `a@${rep('.', n - 3)}@`,
  ats: (n) => rep('@', n),
  backslashes: (n) => rep('\\', n),
  dollars: (n) => rep('$', n),
  'dollar-words': (n) => rep('$a ', n),
  'math-block-lines': (n) => rep('\\[\n', n),
  'math-inline-openers': (n) => rep('\\(', n),
  'dollar-block-lines': (n) => rep('$$\n', n),
  brackets: (n) => rep('[', n),
  'nested-brackets': (n) => rep('[', n / 2) + rep(']', n / 2),
  'link-openers': (n) => rep('[a](', n),
  stars: (n) => rep('*', n),
  'star-words': (n) => rep('*a ', n),
  underscores: (n) => rep('_a', n),
  backticks: (n) => rep('`', n),
  'backtick-lines': (n) => rep('```\n', n),
  'less-than': (n) => rep('<', n),
  'autolink-openers': (n) => rep('<a', n),
  'quote-nesting': (n) => rep('> ', n),
  'list-nesting': (n) => Array.from({ length: Math.floor(n / 40) }, (_, i) => `${' '.repeat((i % 20) * 2)}- x`).join('\n'),
  'table-columns': (n) => `${rep('|a', n / 2)}\n${rep('|-', n / 2)}\n`,
  'entity-runs': (n) => rep('&#', n),
  'linkify-dots': (n) => rep('a.', n),
  'url-runs': (n) => rep('http://', n),
  'long-line': (n) => rep('word ', n),
  'newlines': (n) => rep('\n', n),
  // Code and math that highlight.js and KaTeX once took seconds on (see markdown.ts and markdown-math.ts).
  'fenced-markdown-links': (n) => `\`\`\`markdown\n${rep('[a](', n)}\n\`\`\``,
  'fenced-shell-prompts': (n) => `\`\`\`shell\n${rep('$ ${\n', n)}\`\`\``,
  'fenced-c-long-lines': (n) => `\`\`\`c\n${rep(`${'a'.repeat(160)} x;\n`, n)}\`\`\``,
  'tex-matrix': (n) => `$$\\begin{matrix}${rep('a & ', n)}\\end{matrix}$$`,
};

/** JSON nested `depth` levels deep: `{"content":[[[…]]]}`. */
export const deepJson = (depth: number) => `{"content":${'['.repeat(depth)}${']'.repeat(depth)}}`;

export type Route = { method: string; path: string };

/** Every route of the app (all routers here are mounted at the root, so their paths are absolute). */
export function routesOf(app: Express): Route[] {
  const out: Route[] = [];
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route) for (const m of Object.keys(l.route.methods)) out.push({ method: m, path: l.route.path });
      else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/**
 * How long the event loop stood still while `fn` ran (ms), counting only what this process itself computed: the
 * longest loop delay, capped by the CPU time the process used meanwhile. A request that computes for 2 s in one block
 * shows 2 s on both; a process that merely waited for a core (the machine is shared, other test files run beside
 * this one) shows a long delay but little CPU, and does not count. A result over the limit is measured once more and
 * the smaller kept, for a one-off pause (GC, a burst of work left by an earlier request).
 */
export async function stallOf(fn: () => Promise<unknown>, limitMs: number): Promise<number> {
  const once = async () => {
    const h = monitorEventLoopDelay({ resolution: 5 });
    const cpu = process.cpuUsage();
    h.enable();
    try { await fn(); } finally { h.disable(); }
    const used = process.cpuUsage(cpu);
    return Math.min(h.max / 1e6, (used.user + used.system) / 1000);
  };
  const first = await once();
  return first <= limitMs ? first : Math.min(first, await once());
}
