// A CPU profile of the real server (production settings) under load on one request of the cpu-per-request bench,
// summarised as the top self-time entries; the full .cpuprofile is kept for Chrome DevTools.
//   node --import tsx bench/profile.ts [sqlite|mysql] [healthz|user|thread-json|thread-page] [seconds]
// Not part of `npm run bench` (it has no budget): docs/PERFORMANCE.md quotes its tables before and after a change.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Dialect } from '../src/db.ts';
import { buildServer } from '../test/support/server-process.ts';
import { benchServer } from './lib/server.ts';
import { richUserThread } from './thread-throughput.ts';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
type Entry = { share: number; name: string; file: string };

const fileOf = (n: Node) => n.callFrame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(dist\/)?(?=(src|views)\/)/, '');
const nameOf = (n: Node) => `${n.callFrame.functionName || '(anonymous)'}${n.callFrame.url ? ` ${fileOf(n)}:${n.callFrame.lineNumber + 1}` : ''}`;
const isApp = (file: string) => /^"?(src|views)\/|\.ejs"?$/.test(file);

/** Each sample's node and weight (µs), only those taken between from and to (µs, the profile's monotonic clock). */
function weighted(profile: Profile, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= from && t <= to) out.push([id, profile.timeDeltas[i] ?? 0]);
  });
  return out;
}

function shares(totals: Map<string, { t: number; file: string }>, all: number): Entry[] {
  return [...totals].map(([name, v]) => ({ name, file: v.file, share: v.t / all })).sort((a, b) => b.share - a.share);
}

/** Self time per function, and total (inclusive) time per function of our own code (src/, views/), as shares. */
export function summarise(profile: Profile, from = 0, to = Infinity): { self: Entry[]; appTotal: Entry[]; packages: Entry[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, { t: number; file: string }>();
  const app = new Map<string, { t: number; file: string }>();
  const pkgs = new Map<string, { t: number; file: string }>();
  let all = 0;
  for (const [id, w] of weighted(profile, from, to)) {
    all += w;
    const n = byId.get(id)!;
    const file = fileOf(n);
    const add = (m: Map<string, { t: number; file: string }>, k: string) => { const v = m.get(k) ?? { t: 0, file }; v.t += w; m.set(k, v); };
    add(self, nameOf(n));
    const pkg = !n.callFrame.url ? nameOf(n) : file.startsWith('node:') ? 'node internals' : isApp(file) ? 'app (src/, views/)'
      : /^(@[^/]+\/[^/]+|[^/:]+)\//.exec(file)?.[1] ?? file;
    add(pkgs, pkg);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const a = byId.get(at)!;
      const key = nameOf(a);
      if (isApp(fileOf(a)) && !seen.has(key)) { seen.add(key); add(app, key); }
    }
  }
  return { self: shares(self, all), appTotal: shares(app, all), packages: shares(pkgs, all) };
}

const usNow = () => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const [dialect = 'sqlite', target = 'thread-page', seconds = '10'] = process.argv.slice(2);
  buildServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'mc-prof-'));
  let seeded = { path: '', token: '', userId: 0 };
  let from = 0;
  let to = Infinity;
  const server = await benchServer(dialect as Dialect, {}, async (db) => { seeded = await richUserThread(db); }, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(process.env.PROFILE_NODE_ARGS?.split(' ').filter(Boolean) ?? [])]);
  try {
    const first = await fetch(server.origin + seeded.path, { headers: { cookie: `access_token=${seeded.token}` } });
    const sid = first.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
    const bearer = { authorization: `Bearer ${seeded.token}` };
    const targets: Record<string, { path: string; headers: Record<string, string> }> = {
      healthz: { path: '/healthz', headers: {} },
      user: { path: '/api/user', headers: bearer },
      'thread-json': { path: `/api/thread/${seeded.path.split('/').pop()}`, headers: bearer },
      'thread-page': { path: seeded.path, headers: { cookie: `access_token=${seeded.token}; ${sid}`, 'accept-encoding': 'gzip' } },
    };
    const t = targets[target];
    if (!t) throw new Error(`no target ${target}: ${Object.keys(targets).join(', ')}`);
    await autocannon({ url: server.origin + t.path, headers: t.headers, connections: 8, duration: 2 });
    from = usNow();
    const r = await autocannon({ url: server.origin + t.path, headers: t.headers, connections: 8, duration: Number(seconds) });
    to = usNow();
    console.log(`${dialect} ${target}: ${r.requests.total} requests, ${r.non2xx} non-2xx`);
    if (process.env.PROFILE_NODE_ARGS) console.log(server.running.output().split('\n').filter((l) => !l.startsWith('{')).slice(-40).join('\n'));
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const { self, appTotal, packages } = summarise(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile, from, to);
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`.padStart(7);
  console.log(`\nprofile: ${path.join(dir, file)} (the loaded ${seconds} s only)\n\nself time by package:`);
  for (const e of packages.slice(0, 15)) console.log(`${pct(e.share)}  ${e.name}`);
  console.log('\ntop self time:');
  for (const e of self.slice(0, 30)) console.log(`${pct(e.share)}  ${e.name}`);
  console.log('\nour code, total time (with what it calls):');
  for (const e of appTotal.slice(0, 25)) console.log(`${pct(e.share)}  ${e.name}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
