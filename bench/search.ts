// Search (issue 15): GET /api/search for a user with 10,000 threads and 100,000 messages against one with 100
// messages, SQLite and MySQL, with a third user (a neighbour) whose messages are full of the same words. Budget: the
// big user's search at most 1.5 times the small one's. The query plans are printed (EXPLAIN QUERY PLAN / EXPLAIN)
// and the rows the engine reads for the small user's search are counted where the database tells (MySQL's handler
// counters), to show whose rows a search touches. The app runs in this process, as in bench/branches.ts.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Db, Dialect } from '../src/db.ts';
import { issueToken } from '../src/features/auth/tokens.repo.ts';
import { createUser } from '../src/features/auth/users.repo.ts';
import { createLogger } from '../src/http/logger.ts';
import { searchOwner } from '../src/features/search/owner.ts';
import { newId } from '../src/lib/ids.ts';
import { TEST_SECRETS } from '../test/support/app.ts';
import { migratedDatabase } from '../test/support/dialects.ts';
import { BENCH_MYSQL_URL } from './lib/server.ts';
import { median } from './lib/stats.ts';
import type { Benchmark, Figure } from './lib/types.ts';

const BUDGET_RATIO = 1.5;
const REQUESTS_PER_RUN = 20;
const WORDS = ('river stone garden window paper music yellow orange silver button market winter summer ladder pocket ' +
  'candle basket bridge forest island letter mirror planet rocket saddle signal spring tunnel violin wallet engine ' +
  'feather harbor jacket lemon meadow needle pillow rabbit shadow ticket velvet wagon').split(' ');

/**
 * Message i (of a user's n) as ~40 words; "kettle" in every 5th message, "zircon" in 25 messages spread over the
 * user's n (so the small user's page is as full as the big one's, and the big user's rare word is sparse).
 */
function text(i: number, n: number, kettleEvery = 5): string {
  let x = (i * 2654435761) >>> 0;
  const out: string[] = [];
  for (let k = 0; k < 40; k++) { x = (x * 1103515245 + 12345) >>> 0; out.push(WORDS[x % WORDS.length]); }
  if (i % kettleEvery === 0) out.splice(10, 0, 'kettle');
  if (i % Math.floor(n / 25) === 3) out.splice(20, 0, 'zircon');
  return out.join(' ');
}

type Subject = { userId: number; token: string; label: string };

/** A user with `threads` threads of `perThread` messages each, inserted in batches (the index follows in the same statements). */
async function seedUser(db: Db, label: string, threads: number, perThread: number, log: (l: string) => void, kettleEvery = 5): Promise<Subject> {
  const user = await createUser(db, { email: `s-${newId()}@example.com`, name: 'Bench' });
  const token = await issueToken(db, user.id, { ttlDays: 1 });
  const t0 = performance.now();
  const base = Date.now() - threads * 60_000;
  let n = 0;
  await db.transaction(async (trx) => { for (let first = 0; first < threads; first += 100) {
    const batch = Array.from({ length: Math.min(100, threads - first) }, (_, k) => {
      const at = new Date(base + (first + k) * 60_000);
      return { id: newId(), user_id: user.id, search_owner: searchOwner(user.id, (first + k) * perThread), title: `Topic ${first + k} ${WORDS[(first + k) % WORDS.length]}`, title_set_by_user: true, created_at: at, updated_at: at };
    });
    await trx('threads').insert(batch);
    const rows = batch.flatMap((t) => Array.from({ length: perThread }, () => {
      const i = n++;
      return { thread_id: t.id, search_owner: searchOwner(user.id, i), role: i % 2 ? 'assistant' : 'user', content: text(i, threads * perThread, kettleEvery), status: 'complete', created_at: new Date(t.created_at.getTime() + i % perThread), updated_at: t.created_at };
    }));
    for (let i = 0; i < rows.length; i += 500) await trx('messages').insert(rows.slice(i, i + 500));
  }
  // What the app's inserts count (owner.ts): the user's messages, whose buckets MySQL's search walks.
  await trx('users').where({ id: user.id }).update({ search_seq: n });
  });
  log(`search: ${label}: ${threads} threads, ${n} messages inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { userId: user.id, token, label };
}

async function inProcess(db: Db, url: string): Promise<{ origin: string; server: Server }> {
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', ...TEST_SECRETS, DATABASE_URL: url });
  const server = createApp({ config, db, logger: createLogger('silent') }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Interleaved searches by each subject: the median time of each, and the hits of one. */
async function timed(origin: string, subjects: Subject[], query: string, rounds: number): Promise<Array<{ ms: number; hits: number }>> {
  const once = async (s: Subject) => {
    const t0 = performance.now();
    const r = await fetch(`${origin}/api/search?${query}`, { headers: { authorization: `Bearer ${s.token}` } });
    const body = await r.json() as { results: unknown[] };
    if (r.status !== 200) throw new Error(`search answered ${r.status}`);
    return { ms: performance.now() - t0, hits: body.results.length };
  };
  for (let i = 0; i < 5; i++) for (const s of subjects) await once(s);
  const runs: Array<Array<{ ms: number; hits: number }>> = subjects.map(() => []);
  for (let i = 0; i < rounds; i++) for (const [k, s] of subjects.entries()) runs[k].push(await once(s));
  return runs.map((r) => ({ ms: median(r.map((x) => x.ms)), hits: r[0].hits }));
}

const rowsOf = (r: unknown): Array<Record<string, any>> => (Array.isArray(r) ? (Array.isArray(r[0]) ? r[0] : r) : []);

/** The plan of the newest-first query for a user, as the database prints it. */
async function plan(db: Db, dialect: Dialect, userId: number): Promise<string> {
  if (dialect === 'sqlite') {
    const r = rowsOf(await db.raw(`EXPLAIN QUERY PLAN SELECT s.rowid AS k, s.thread_id, s.message_id FROM search_index s JOIN threads t ON t.id = s.thread_id
      WHERE search_index MATCH ? AND t.user_id = ? AND t.temporary_until IS NULL AND t.archived_at IS NULL ORDER BY s.rowid DESC LIMIT 21`,
    [`uid : "u${userId}" AND body : ("kettle")`, userId]));
    return r.map((x) => x.detail).join(' | ');
  }
  const r = rowsOf(await db.raw(`EXPLAIN SELECT m.id FROM messages m JOIN threads t ON t.id = m.thread_id
    WHERE MATCH(m.search_words) AGAINST(? IN BOOLEAN MODE) AND t.user_id = ? AND t.temporary_until IS NULL AND t.archived_at IS NULL`, [`+(${searchOwner(userId)}xkettle)`, userId]));
  return r.map((x) => `${x.table}:${x.type}:${x.key ?? '-'}:rows=${x.rows}`).join(' | ');
}

/** MySQL: rows the storage engine read (Handler_read_*) for one search by `s`, on one connection. */
async function handlerReads(db: Db, s: Subject): Promise<number> {
  const conn = await db.client.acquireConnection();
  try {
    const q = (sql: string, args: unknown[] = []) => new Promise<any[]>((ok, ko) => conn.query(sql, args, (e: Error | null, r: any[]) => (e ? ko(e) : ok(r))));
    const reads = async () => (await q("SHOW SESSION STATUS LIKE 'Handler_read%'")).reduce((n, r) => n + Number(r.Value), 0);
    const before = await reads();
    await q(`SELECT m.id FROM messages m JOIN threads t ON t.id = m.thread_id WHERE MATCH(m.search_words) AGAINST(? IN BOOLEAN MODE)
      AND t.user_id = ? AND t.temporary_until IS NULL AND t.archived_at IS NULL ORDER BY m.created_at DESC LIMIT 21`, [`+(${searchOwner(s.userId)}xkettle)`, s.userId]);
    return (await reads()) - before;
  } finally {
    await db.client.releaseConnection(conn);
  }
}

async function measure(dialect: Dialect, rounds: number, log: (line: string) => void): Promise<Figure[]> {
  const t = await migratedDatabase(dialect, BENCH_MYSQL_URL);
  let app: { origin: string; server: Server } | undefined;
  try {
    const small = await seedUser(t.db, 'small', 10, 10, log);
    const big = await seedUser(t.db, 'big', 10_000, 10, log);
    // A neighbour with the words in every other message: a search must not pay for them.
    const neighbour = await seedUser(t.db, 'neighbour', 2_000, 10, log, 2);
    app = await inProcess(t.db, t.url);
    const figures: Figure[] = [];
    for (const [name, query, budgeted] of [['kettle, newest', 'q=kettle', true], ['zircon (rare), newest', 'q=zircon', true],
      ['kett* (prefix), newest', 'q=kett*', true], ['kettle, by relevance', 'q=kettle&sort=relevance', false]] as const) {
      const [s, b] = await timed(app.origin, [small, big], query, rounds);
      log(`search ${dialect}: ${name}: big ${b.ms.toFixed(2)} ms (${b.hits} hits on the page), small ${s.ms.toFixed(2)} ms (${s.hits})`);
      const ratio = b.ms / s.ms;
      figures.push({
        figure: `search ${dialect}: ${name}, 100,000 / 100 messages`, budget: budgeted ? `<= ${BUDGET_RATIO}` : 'reported',
        measured: `${ratio.toFixed(2)} (${b.ms.toFixed(1)} ms vs ${s.ms.toFixed(1)} ms)`, pass: !budgeted || ratio <= BUDGET_RATIO,
      });
    }
    const p = await plan(t.db, dialect, small.userId);
    log(`search ${dialect}: plan: ${p}`);
    if (dialect === 'sqlite') {
      // The user's token is MATCHed: FTS5 walks only rows carrying it, then the thread by primary key.
      const ok = /VIRTUAL TABLE INDEX/.test(p) && /SEARCH t USING INDEX sqlite_autoindex_threads_1 \(id=\?\)/.test(p) && !/SCAN t\b/.test(p);
      figures.push({ figure: 'search sqlite: plan (FTS5 with the user token, threads by key)', budget: 'no scan', measured: p.length > 70 ? `${p.slice(0, 67)}…` : p, pass: ok });
    } else {
      const reads = await handlerReads(t.db, small);
      log(`search mysql: rows read for the small user's "kettle" (20 own hits; the neighbour has 10,000, the big user 20,000): ${reads}`);
      figures.push({ figure: 'search mysql: plan', budget: 'fulltext + eq_ref', measured: p.length > 70 ? `${p.slice(0, 67)}…` : p, pass: /fulltext/.test(p) && /eq_ref/.test(p) });
      // The owner's word is required in the MATCH: InnoDB intersects it with "kettle" in the index and fetches only
      // the user's rows (each read, plus its thread by key). Before it, the neighbour's and the big user's were read too.
      figures.push({ figure: "search mysql: rows read, small user's search", budget: '<= 100 (own rows)', measured: `${reads} (own hits: 20)`, pass: reads <= 100 });
    }
    return figures;
  } finally {
    if (app) {
      app.server.closeAllConnections();
      await new Promise((r) => app!.server.close(r));
    }
    await t.drop();
  }
}

export const search: Benchmark = {
  name: 'search',
  describe: 'search over 10,000 threads / 100,000 messages against 100 messages (and a neighbour with the same words), in process, SQLite and MySQL',
  async run(ctx) {
    const figures: Figure[] = [];
    for (const dialect of ['sqlite', 'mysql'] as const) figures.push(...await measure(dialect, ctx.runs * REQUESTS_PER_RUN, ctx.log));
    return figures;
  },
};
