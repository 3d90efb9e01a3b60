// The least the thread page can cost in this design (issue 18), as a ratio to /healthz measured in the same process.
// The page is the cpu-per-request bench's (20 rich messages, cookie + session, gzip); its parts are each measured the
// cheapest way there is, without the app around them:
//   - the request itself: /healthz (HTTP parsing, routing, a JSON answer, the socket), which every page also pays;
//   - gzip at zlib's default level of the page's HTML (the level issue 13's page-weight budget needs);
//   - the page's own statements, prepared once and run straight on the driver (no knex, no pool), and the same
//     statements as SQL written once through knex.raw (the cheapest way through Knex, which the issue keeps);
//   - the page's template rendered alone, with the locals the route gave it (views compiled once, as in production).
// Their sum leaves out everything else a page needs (the session and its signature, the token's hash, the security
// headers, the access line, the garbage of all of it), so the real page can only cost more.
//   node --import tsx bench/page-floor.ts [sqlite|mysql ...]
// Not part of `npm run bench` (it has no budget of its own): docs/PERFORMANCE.md quotes it.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Db, Dialect } from '../src/db.ts';
import { createLogger } from '../src/http/logger.ts';
import { TEST_SECRETS } from '../test/support/app.ts';
import { migratedDatabase } from '../test/support/dialects.ts';
import { BENCH_MYSQL_URL } from './lib/server.ts';
import { median } from './lib/stats.ts';
import { richUserThread } from './thread-throughput.ts';

const PAGE_BUDGET = 5.5;
const RUNS = 3;

/** CPU milliseconds of this process per call of fn (after a warm-up), over n calls. */
async function cpuPerCall(n: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(n, 100); i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

/** This process's CPU milliseconds per request answered while autocannon (another process) loads a URL. */
function cpuPerRequest(url: string, headers: Record<string, string>, seconds: number): Promise<number> {
  const script = `require(${JSON.stringify(createRequire(import.meta.url).resolve('autocannon'))})(${JSON.stringify({ url, headers, connections: 8, duration: seconds })},
    (err, r) => { if (err) throw err; console.log(r.requests.total, r.non2xx + r.errors); })`;
  const start = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', () => {
      const used = process.cpuUsage(start);
      const [total, bad] = out.trim().split(' ').map(Number);
      if (!total || bad) reject(new Error(`autocannon on ${url}: ${out.trim() || 'no answer'}`));
      else resolve((used.user + used.system) / 1000 / total);
    });
  });
}

type Captured = { sql: string; bindings: unknown[] };

/** The page's statements run on the driver's own connection: better-sqlite3 prepared once, or mysql2's query. */
async function statementsAlone(db: Db, dialect: Dialect, statements: Captured[]): Promise<number> {
  const client = db.client as { acquireConnection(): Promise<any>; releaseConnection(c: unknown): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    // knex's own conversions of bindings for each driver (dates to numbers for SQLite, booleans to 0/1).
    const value = (v: unknown) => (v instanceof Date && dialect === 'sqlite' ? v.valueOf() : typeof v === 'boolean' ? Number(v) : v);
    if (dialect === 'sqlite') {
      const prepared = statements.map((s) => ({ statement: conn.prepare(s.sql), bindings: s.bindings.map(value) }));
      return cpuPerCall(2000, () => { for (const p of prepared) p.statement.reader ? p.statement.all(p.bindings) : p.statement.run(p.bindings); });
    }
    const run = (s: Captured) => new Promise((ok, ko) => conn.query(s.sql, s.bindings.map(value), (e: Error | null, r: unknown) => (e ? ko(e) : ok(r))));
    return cpuPerCall(500, async () => { for (const s of statements) await run(s); });
  } finally {
    await client.releaseConnection(conn);
  }
}

/** The same statements through knex's raw(): its pool, its bindings, its result handling, as the app's own SQL goes. */
function statementsThroughKnex(db: Db, statements: Captured[]): Promise<number> {
  return cpuPerCall(500, async () => { for (const s of statements) await db.raw(s.sql, s.bindings as never[]); });
}

async function floorOf(dialect: Dialect): Promise<void> {
  const t = await migratedDatabase(dialect, BENCH_MYSQL_URL);
  const server = await (async () => {
    const seeded = await richUserThread(t.db);
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'info', ...TEST_SECRETS, DATABASE_URL: t.url });
    const app = createApp({ config, db: t.db, logger: createLogger('info', pino.destination({ dest: '/dev/null', sync: true })) });
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((r) => listening.once('listening', r));
    return { app, listening, seeded, origin: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` };
  })();
  try {
    const { app, seeded, origin } = server;
    const first = await fetch(origin + seeded.path, { headers: { cookie: `access_token=${seeded.token}` } });
    const sid = first.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
    await first.text();
    const pageHeaders = { cookie: `access_token=${seeded.token}; ${sid}` };
    // The session's first use slides its expiry (a write at most once per 10 minutes): the loaded page makes none.
    await (await fetch(origin + seeded.path, { headers: pageHeaders })).text();
    // One page, watched: its statements and its render call.
    const statements: Captured[] = [];
    const onQuery = (q: { sql: string; bindings?: unknown[] }) => statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
    let rendered: { name: string; options: object } | null = null;
    const render = app.render.bind(app);
    app.render = ((name: string, options: object, done: (e: Error | null, html?: string) => void) => {
      rendered ??= { name, options };
      render(name, options, done);
    }) as typeof app.render;
    t.db.on('query', onQuery);
    const page = await fetch(origin + seeded.path, { headers: { ...pageHeaders, 'accept-encoding': 'identity' } });
    const html = Buffer.from(await page.text());
    t.db.off('query', onQuery);
    app.render = render;
    if (page.status !== 200 || !rendered) throw new Error(`the thread page answered ${page.status}`);
    const { name, options } = rendered;
    const renderAlone = () => new Promise((ok, ko) => render(name, options, (e, out) => (e ? ko(e) : ok(out))));

    const rows: Record<string, number[]> = { healthz: [], page: [], gzip: [], statements: [], knex: [], render: [] };
    for (let run = 0; run < RUNS; run++) {
      rows.healthz.push(await cpuPerRequest(`${origin}/healthz`, {}, 3));
      rows.page.push(await cpuPerRequest(origin + seeded.path, { ...pageHeaders, 'accept-encoding': 'gzip' }, 3));
      rows.gzip.push(await cpuPerCall(1000, () => gzipSync(html)));
      rows.statements.push(await statementsAlone(t.db, dialect, statements));
      rows.knex.push(await statementsThroughKnex(t.db, statements));
      rows.render.push(await cpuPerCall(1000, renderAlone));
    }
    const ms = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
    const x = (v: number) => `${(v / ms.healthz).toFixed(2)}×`;
    const floor = ms.healthz + ms.gzip + ms.statements + ms.render;
    const withKnex = floor - ms.statements + ms.knex;
    const verdict = (v: number) => (v / ms.healthz <= PAGE_BUDGET ? 'room left' : 'over before anything else');
    console.log(`\n${dialect}: the thread page, ${html.length} bytes of HTML (${gzipSync(html).length} gzipped), ${statements.length} statements; medians of ${RUNS} runs, CPU of this process`);
    console.log(`  /healthz (the base)                        ${ms.healthz.toFixed(3)} ms`);
    console.log(`  the request itself (= /healthz)            ${ms.healthz.toFixed(3)} ms  1.00×`);
    console.log(`  gzip of its HTML (zlib's default level)    ${ms.gzip.toFixed(3)} ms  ${x(ms.gzip)}`);
    console.log(`  its ${statements.length} statements on the driver alone       ${ms.statements.toFixed(3)} ms  ${x(ms.statements)}`);
    console.log(`  its template rendered alone                ${ms.render.toFixed(3)} ms  ${x(ms.render)}`);
    console.log(`  floor: the sum of those                    ${floor.toFixed(3)} ms  ${x(floor)}  (budget ≤ ${PAGE_BUDGET}×: ${verdict(floor)})`);
    console.log(`  its statements through knex.raw instead    ${ms.knex.toFixed(3)} ms  ${x(ms.knex)}`);
    console.log(`  floor with Knex (which the issue keeps)    ${withKnex.toFixed(3)} ms  ${x(withKnex)}  (budget ≤ ${PAGE_BUDGET}×: ${verdict(withKnex)})`);
    console.log(`  the whole page, same process               ${ms.page.toFixed(3)} ms  ${x(ms.page)}`);
  } finally {
    server.listening.close();
    await t.drop();
  }
}

async function main(): Promise<void> {
  // Measured under npm start's own flag, which changes every figure (docs/PERFORMANCE.md).
  if (!process.execArgv.includes('--optimize-for-size')) {
    const again = spawnSync(process.execPath, ['--optimize-for-size', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(again.status ?? 1);
  }
  const dialects = (process.argv.slice(2).length ? process.argv.slice(2) : ['sqlite', 'mysql']) as Dialect[];
  for (const dialect of dialects) await floorOf(dialect);
}

if (import.meta.url === `file://${process.argv[1]}`) main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
