// CPU per request (issue 18): the server's own CPU time (user + system, from /proc) divided by the requests it
// answered, for /healthz, GET /api/user with a Bearer token, the thread JSON and the thread page (cookie + session,
// gzip), each as a ratio to /healthz measured in the same run, so the load generator's speed and the machine's noise
// cancel out. Runs alternate the order of the requests; figures are medians, with the run-to-run spread.
import autocannon from 'autocannon';
import type { Dialect } from '../src/db.ts';
import { benchServer, cpuSecondsOf } from './lib/server.ts';
import { median } from './lib/stats.ts';
import type { Benchmark, Figure } from './lib/types.ts';
import { richUserThread } from './thread-throughput.ts';

const SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 3);
const CONNECTIONS = 8;

type Target = { name: string; budget: number | null; path: string; headers: Record<string, string> };

async function targetsOf(origin: string, path: string, token: string): Promise<Target[]> {
  // A browser carries its session cookie (which holds the CSRF secret) after the first page: so does the bench.
  const first = await fetch(origin + path, { headers: { cookie: `access_token=${token}` } });
  const sid = first.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
  if (first.status !== 200 || !sid) throw new Error(`thread page answered ${first.status} without a session cookie`);
  const bearer = { authorization: `Bearer ${token}` };
  return [
    { name: 'GET /healthz', budget: null, path: '/healthz', headers: {} },
    { name: 'GET /api/user (Bearer)', budget: 2, path: '/api/user', headers: bearer },
    { name: 'GET /api/thread/:id (20 messages)', budget: 4, path: `/api/thread/${path.split('/').pop()}`, headers: bearer },
    { name: 'thread page (20 messages, cookie + session, gzip)', budget: 5.5, path, headers: { cookie: `access_token=${token}; ${sid}`, 'accept-encoding': 'gzip' } },
  ];
}

/** CPU milliseconds per request of one target over SECONDS, and whether every answer was a 2xx. */
async function measure(origin: string, pid: number, t: Target): Promise<{ ms: number; bad: number }> {
  const cpu0 = cpuSecondsOf(pid);
  const r = await autocannon({ url: origin + t.path, headers: t.headers, connections: CONNECTIONS, pipelining: 1, duration: SECONDS });
  const cpu = cpuSecondsOf(pid) - cpu0;
  return { ms: (cpu * 1000) / Math.max(1, r.requests.total), bad: r.errors + r.timeouts + r.non2xx };
}

async function dialectFigures(dialect: Dialect, runs: number, log: (l: string) => void): Promise<Figure[]> {
  let seeded = { path: '', token: '', userId: 0 };
  const server = await benchServer(dialect, {}, async (db) => { seeded = await richUserThread(db); });
  try {
    const pid = server.running.child.pid!;
    const targets = await targetsOf(server.origin, seeded.path, seeded.token);
    for (const t of targets) await autocannon({ url: server.origin + t.path, headers: t.headers, connections: CONNECTIONS, duration: 1 }); // warm-up
    const ms = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const ratios = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    let bad = 0;
    for (let run = 0; run < runs; run++) {
      // Rotate the order, so no request always runs first (or right after the heaviest one).
      const order = targets.map((_, i) => targets[(i + run) % targets.length]);
      const got = new Map<string, number>();
      for (const t of order) {
        const m = await measure(server.origin, pid, t);
        bad += m.bad;
        got.set(t.name, m.ms);
      }
      const base = got.get(targets[0].name)!;
      for (const t of targets) { ms.get(t.name)!.push(got.get(t.name)!); ratios.get(t.name)!.push(got.get(t.name)! / base); }
      log(`cpu-per-request ${dialect} run ${run + 1}: ${targets.map((t) => `${t.name} ${got.get(t.name)!.toFixed(2)} ms`).join(', ')}`);
    }
    return targets.map((t) => {
      const r = ratios.get(t.name)!;
      const spread = `${Math.min(...r).toFixed(1)}–${Math.max(...r).toFixed(1)}`;
      const measured = t.budget === null
        ? `${median(ms.get(t.name)!).toFixed(2)} ms CPU (${bad} non-2xx or errors in all runs)`
        : `${median(r).toFixed(1)}× (${median(ms.get(t.name)!).toFixed(2)} ms; runs ${spread}×)`;
      return { figure: `${t.name}, ${dialect}: CPU per request vs /healthz`, budget: t.budget === null ? 'the base' : `<= ${t.budget}×`,
        measured, pass: bad === 0 && (t.budget === null || median(r) <= t.budget) };
    });
  } finally {
    await server.stop();
  }
}

export const cpuPerRequest: Benchmark = {
  name: 'cpu-per-request',
  describe: `server CPU per request as a ratio to /healthz (autocannon, ${CONNECTIONS} connections, ${SECONDS} s each), both dialects`,
  async run(ctx) {
    const figures: Figure[] = [];
    // BENCH_CPU_DIALECTS=sqlite: one dialect only, for quick before/after runs (the table in docs needs both).
    const dialects = (process.env.BENCH_CPU_DIALECTS ?? 'sqlite,mysql').split(',') as Dialect[];
    for (const dialect of dialects) figures.push(...await dialectFigures(dialect, ctx.runs, ctx.log));
    return figures;
  },
};
