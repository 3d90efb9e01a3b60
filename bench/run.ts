// npm run bench [-- --runs N] [--only name,name]: runs every benchmark in BENCHMARKS, prints one table of figures
// against budgets, and exits 1 when any budget is missed. Figures are medians over --runs runs (default 5).
// Adding a benchmark = one module exporting a Benchmark, plus one line in BENCHMARKS.
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../test/support/browser.ts';
import { buildServer } from '../test/support/server-process.ts';
import { machine } from './lib/machine.ts';
import { table } from './lib/table.ts';
import type { Benchmark, BenchContext, Figure } from './lib/types.ts';
import { branches } from './branches.ts';
import { cpuPerRequest } from './cpu-per-request.ts';
import { concurrentStreams } from './concurrent-streams.ts';
import { firstByte } from './first-byte.ts';
import { growth } from './growth.ts';
import { pageWeight } from './page-weight.ts';
// Search (issue 15)
import { search } from './search.ts';
import { sseOverhead } from './sse-overhead.ts';
import { threadThroughput } from './thread-throughput.ts';

// In the order of docs/PERFORMANCE.md. MySQL ones use BENCH_MYSQL_URL (else TEST_MYSQL_URL, else root on 127.0.0.1).
const BENCHMARKS: Benchmark[] = [pageWeight, firstByte, sseOverhead, concurrentStreams, threadThroughput, growth, branches, search,
  // Issue 18: CPU per request as ratios to /healthz.
  cpuPerRequest];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const runs = Number(option('runs') ?? 5);
  const only = option('only')?.split(',');
  const chosen = BENCHMARKS.filter((b) => !only || only.includes(b.name));
  if (chosen.length === 0) {
    console.error(`no benchmark named ${only?.join(', ')}; there are: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  let browser: Browser | undefined;
  const ctx: BenchContext = {
    runs,
    async browser() {
      const missing = chromiumMissing();
      if (missing) throw new Error(missing);
      browser ??= await launchBrowser();
      return browser;
    },
    log: (line) => console.error(line),
  };
  // Benchmarks that start the real server run what npm start runs: the compiled dist/.
  buildServer();
  console.log(`MistralChat benchmarks, ${new Date().toISOString()}\n${machine()}\nmedians of ${runs} runs\n`);
  const figures: Figure[] = [];
  try {
    for (const b of chosen) {
      console.error(`running ${b.name}: ${b.describe}`);
      try {
        figures.push(...await b.run(ctx));
      } catch (err) {
        figures.push({ figure: `${b.name}: could not run`, budget: '-', measured: String((err as Error).message).split('\n')[0], pass: false });
      }
    }
  } finally {
    await browser?.close();
  }
  console.log(table(figures));
  const missed = figures.filter((f) => !f.pass);
  console.log(missed.length ? `\n${missed.length} budget(s) missed.` : '\nEvery budget met.');
  return missed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
