// Thread page throughput: autocannon against the real server (production settings, MySQL) serving a signed-in
// user's thread page with code, math and a table in every answer. Budget: >= 1,000 requests/s on this machine.
import autocannon from 'autocannon';
import type { Db } from '../src/db.ts';
import { issueToken } from '../src/features/auth/tokens.repo.ts';
import { createUser } from '../src/features/auth/users.repo.ts';
import { insertExchange, saveFinal } from '../src/features/chat/messages.repo.ts';
import { createThread } from '../src/features/threads/threads.repo.ts';
import { RICH_ANSWER } from '../test/browser/pages.ts';
import { execFileSync } from 'node:child_process';
import { benchServer, cpuSecondsOf } from './lib/server.ts';
import { median } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const BUDGET_RPS = 1000;
const EXCHANGES = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** A user with one thread of EXCHANGES questions, each answered with the rich answer; returns its path and token. */
export async function richUserThread(db: Db, exchanges = EXCHANGES): Promise<{ path: string; token: string; userId: number }> {
  const user = await createUser(db, { email: `bench-${Date.now()}@example.com`, name: 'Bench' });
  const token = await issueToken(db, user.id, { ttlDays: 1 });
  const thread = await createThread(db, user.id, { title: 'Squares, circles and sums' });
  for (let i = 0; i < exchanges; i++) {
    const { reply } = (await insertExchange(db, thread.id, `Question ${i + 1}: show me a loop and a formula`, 'mistral-small-latest'))!;
    await saveFinal(db, reply.id, { content: RICH_ANSWER, thinking: null, status: 'complete', usage: { promptTokens: 12, completionTokens: 120, totalTokens: 132 } });
  }
  return { path: `/threads/${thread.id}`, token, userId: user.id };
}

export const threadThroughput: Benchmark = {
  name: 'thread-throughput',
  describe: `autocannon on a ${EXCHANGES * 2}-message thread page, MySQL, production settings`,
  async run(ctx) {
    let target = { path: '', token: '' };
    const server = await benchServer('mysql', process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}, async (db) => { target = await richUserThread(db); });
    try {
      // A browser carries its session cookie (which holds the CSRF secret) after the first page: so does the bench.
      const first = await fetch(server.origin + target.path, { headers: { cookie: `access_token=${target.token}` } });
      const sid = first.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
      if (first.status !== 200 || !sid) throw new Error(`thread page answered ${first.status} without a session cookie`);
      const opts = {
        url: server.origin + target.path, connections: 32, pipelining: 1,
        headers: { cookie: `access_token=${target.token}; ${sid}`, 'accept-encoding': 'gzip' },
      };
      await autocannon({ ...opts, duration: 2 }); // warm-up: JIT, view cache, connection pool
      // Where the CPU goes: the app, the database server (on this machine too), and autocannon (the rest).
      let mysqldPid = 0;
      try { mysqldPid = Number(execFileSync('pgrep', ['-o', '-x', 'mariadbd']).toString().trim()); } catch { /* not local */ }
      const rps: number[] = [];
      const p99: number[] = [];
      let errors = 0;
      for (let i = 0; i < ctx.runs; i++) {
        const cpu0 = cpuSecondsOf(server.running.child.pid!);
        const db0 = mysqldPid ? cpuSecondsOf(mysqldPid) : 0;
        const r = await autocannon({ ...opts, duration: SECONDS });
        const share = (c: number) => `${Math.round((100 * c) / SECONDS)}% of a core`;
        ctx.log(`thread-throughput run ${i + 1}: app ${share(cpuSecondsOf(server.running.child.pid!) - cpu0)}, MariaDB ${mysqldPid ? share(cpuSecondsOf(mysqldPid) - db0) : 'not found'}`);
        errors += r.errors + r.timeouts + r.non2xx;
        rps.push(r.requests.average);
        p99.push(r.latency.p99);
        ctx.log(`thread-throughput run ${i + 1}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx`);
      }
      const m = median(rps);
      return [
        { figure: 'thread page, MySQL: requests/s', budget: `>= ${BUDGET_RPS}`, measured: `${m.toFixed(0)} req/s (${errors} errors)`, pass: m >= BUDGET_RPS && errors === 0 },
        { figure: 'thread page, MySQL: p99 latency', budget: 'reported', measured: `${median(p99).toFixed(0)} ms at 32 connections`, pass: true },
      ];
    } finally {
      await server.stop();
    }
  },
};
