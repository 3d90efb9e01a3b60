// Branches: opening a 10,000-message thread with many branches (edits and regenerations all along a path thousands of
// messages deep; the shown leaf is not the newest message) against a 10-message one, SQLite and MySQL. Budgets: at
// most 1.5 times the time, and the same number of SQL queries. The app runs in this process (production settings,
// an ephemeral port) so that its database's knex 'query' events can be counted; the timing is in-process too.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Db, Dialect } from '../src/db.ts';
import { issueToken } from '../src/features/auth/tokens.repo.ts';
import { createUser } from '../src/features/auth/users.repo.ts';
import { MESSAGES_PER_PAGE } from '../src/features/chat/chat.context.ts';
import { createLogger } from '../src/http/logger.ts';
import { newId } from '../src/lib/ids.ts';
import { RICH_ANSWER } from '../test/browser/pages.ts';
import { TEST_SECRETS } from '../test/support/app.ts';
import { migratedDatabase } from '../test/support/dialects.ts';
import { BENCH_MYSQL_URL } from './lib/server.ts';
import { median } from './lib/stats.ts';
import type { Benchmark, Figure } from './lib/types.ts';

const BIG = 10_000;
const SMALL = 10;
/** Exchanges on the shown path of the big thread: a path of 2 × MAIN messages. */
const MAIN = 3_000;
const BUDGET_RATIO = 1.5;
const REQUESTS_PER_RUN = 20;

type Row = { id: number; thread_id: string; parent_id: number | null; role: string; status: string; content: string; model: string | null; created_at: Date; updated_at: Date };
export type Tree = { rows: Row[]; leaf: number; newest: number; depth: number };

const question = (j: number, v = 0) => `Question ${j}${v ? ` (version ${v + 1})` : ''}: show me a loop and a formula`;
const answer = (j: number, v = 0) => RICH_ANSWER.replace('That is', `Answer ${j}${v ? `, take ${v + 1}` : ''}: that is`);

/**
 * The big thread's messages, ids from `firstId`, parents before children. The shown path is MAIN exchanges long; every
 * 10th question was edited 2 or 3 times before (each edit answered, a dead end), every 10th answer regenerated twice
 * before; then question 100 was edited and that branch went on to the BIG-th message, the newest of the thread.
 * current_leaf_id is the last answer of the long path, so the newest message is not the one shown.
 */
export function branchyTree(threadId: string, firstId: number, n = BIG, main = MAIN): Tree {
  const rows: Row[] = [];
  const now = new Date();
  let next = firstId;
  const add = (parent: number | null, role: 'user' | 'assistant', content: string) => {
    rows.push({ id: next, thread_id: threadId, parent_id: parent, role, status: 'complete', content, model: role === 'assistant' ? 'mistral-small-latest' : null, created_at: now, updated_at: now });
    return next++;
  };
  let parent: number | null = null;
  let before100: number | null = null;
  for (let j = 1; j <= main; j++) {
    if (j === 100) before100 = parent;
    if (j % 10 === 0) for (let v = 1; v <= 2 + ((j / 10) % 2); v++) add(add(parent, 'user', question(j, v)), 'assistant', answer(j, v));
    const q = add(parent, 'user', question(j));
    if (j % 10 === 5) for (let v = 1; v <= 2; v++) add(q, 'assistant', answer(j, v));
    parent = add(q, 'assistant', answer(j));
  }
  const leaf = parent!;
  let side = add(before100, 'user', question(100, 9));
  for (let k = 0; rows.length < n; k++) side = add(side, k % 2 ? 'user' : 'assistant', k % 2 ? question(100 + k, 9) : answer(100 + k, 9));
  if (rows.length !== n) throw new Error(`the tree has ${rows.length} messages, not ${n}`);
  return { rows, leaf, newest: side, depth: 2 * main };
}

/** A linear thread of n messages (questions and answers), ids from firstId. */
function linear(threadId: string, firstId: number, n: number): Tree {
  const now = new Date();
  const rows = Array.from({ length: n }, (_, i): Row => ({
    id: firstId + i, thread_id: threadId, parent_id: i ? firstId + i - 1 : null, role: i % 2 ? 'assistant' : 'user', status: 'complete',
    content: i % 2 ? answer(i) : question(i), model: i % 2 ? 'mistral-small-latest' : null, created_at: now, updated_at: now,
  }));
  return { rows, leaf: firstId + n - 1, newest: firstId + n - 1, depth: n };
}

type Subject = { path: string; cookie: string; tree: Tree };

/** A user's thread made of `build`'s messages, inserted in bulk with explicit ids and the shown leaf remembered. */
async function threadOf(db: Db, build: (threadId: string, firstId: number) => Tree): Promise<Subject> {
  const user = await createUser(db, { email: `b-${newId()}@example.com`, name: 'Bench' });
  const token = await issueToken(db, user.id, { ttlDays: 1 });
  const id = newId();
  const now = new Date();
  await db('threads').insert({ id, user_id: user.id, title: 'Branches', title_set_by_user: true, created_at: now, updated_at: now });
  const max = await db('messages').max({ m: 'id' }).first();
  const tree = build(id, Number(max?.m ?? 0) + 1);
  for (let i = 0; i < tree.rows.length; i += 500) await db('messages').insert(tree.rows.slice(i, i + 500));
  await db('threads').where({ id }).update({ current_leaf_id: tree.leaf });
  return { path: `/threads/${id}`, cookie: `access_token=${token}`, tree };
}

/** The app as npm start builds it (production settings), on a port of this process. */
async function inProcess(db: Db, url: string): Promise<{ origin: string; server: Server }> {
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', ...TEST_SECRETS, DATABASE_URL: url });
  const server = createApp({ config, db, logger: createLogger('silent') }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

type Measured = { ms: number; queries: number[]; sql: string[] };

/** Interleaved opens of the threads (with their session cookie, like a browser): median times and queries per open. */
async function interleaved(db: Db, origin: string, subjects: Subject[], rounds: number): Promise<Measured[]> {
  let sql: string[] = [];
  const onQuery = (q: { sql: string }) => { sql.push(q.sql); };
  db.on('query', onQuery);
  try {
    const open = async (s: Subject) => {
      sql = [];
      const t0 = performance.now();
      const r = await fetch(origin + s.path, { headers: { cookie: s.cookie, 'accept-encoding': 'gzip' } });
      const html = await r.text();
      const ms = performance.now() - t0;
      if (r.status !== 200) throw new Error(`${s.path} answered ${r.status}`);
      // The page shows the remembered branch to its leaf, not the newest message of another branch.
      if (!html.includes(`id="m-${s.tree.leaf}"`) || (s.tree.newest !== s.tree.leaf && html.includes(`id="m-${s.tree.newest}"`))) {
        throw new Error(`${s.path} does not show the branch of message ${s.tree.leaf}`);
      }
      return { ms, sql: [...sql], sid: r.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid=')) };
    };
    for (const s of subjects) {
      const { sid } = await open(s);
      if (sid) s.cookie = `${s.cookie}; ${sid}`;
    }
    for (let i = 0; i < 5; i++) for (const s of subjects) await open(s); // warm-up: JIT, view cache, markdown cache, pool
    const runs: Array<Array<{ ms: number; sql: string[] }>> = subjects.map(() => []);
    for (let i = 0; i < rounds; i++) for (const [k, s] of subjects.entries()) runs[k].push(await open(s));
    return runs.map((m) => ({ ms: median(m.map((x) => x.ms)), queries: [...new Set(m.map((x) => x.sql.length))], sql: m[0].sql }));
  } finally {
    db.off('query', onQuery);
  }
}

async function measure(dialect: Dialect, rounds: number, log: (line: string) => void): Promise<Figure[]> {
  const t = await migratedDatabase(dialect, BENCH_MYSQL_URL);
  let app: { origin: string; server: Server } | undefined;
  try {
    const t0 = performance.now();
    const small = await threadOf(t.db, (id, first) => linear(id, first, SMALL));
    const big = await threadOf(t.db, (id, first) => branchyTree(id, first));
    // As long as the page of the big one (50 messages): what is left of the ratio is the thread's size, not the page's.
    const page = await threadOf(t.db, (id, first) => linear(id, first, MESSAGES_PER_PAGE));
    log(`branches ${dialect}: ${BIG} messages inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s; shown path ${big.tree.depth} deep`);
    app = await inProcess(t.db, t.url);
    const [s, b, p] = await interleaved(t.db, app.origin, [small, big, page], rounds);
    log(`branches ${dialect}: ${s.ms.toFixed(2)} / ${b.ms.toFixed(2)} / ${p.ms.toFixed(2)} ms (${SMALL}, ${BIG}, ${MESSAGES_PER_PAGE}); queries of a big open:\n  ${b.sql.join('\n  ')}`);
    const equal = s.queries.length === 1 && b.queries.length === 1 && s.queries[0] === b.queries[0];
    return [
      {
        figure: `open a branchy thread, ${dialect}: ${BIG.toLocaleString('en')} / ${SMALL}`, budget: `<= ${BUDGET_RATIO}`,
        measured: `${(b.ms / s.ms).toFixed(2)} (${b.ms.toFixed(1)} ms vs ${s.ms.toFixed(1)} ms)`, pass: b.ms / s.ms <= BUDGET_RATIO,
      },
      {
        figure: `open a branchy thread, ${dialect}: ${BIG.toLocaleString('en')} / ${MESSAGES_PER_PAGE} (same page)`, budget: 'reported',
        measured: `${(b.ms / p.ms).toFixed(2)} (${b.ms.toFixed(1)} ms vs ${p.ms.toFixed(1)} ms)`, pass: true,
      },
      {
        figure: `open a branchy thread, ${dialect}: SQL queries`, budget: 'equal',
        measured: `${b.queries.join('|')} vs ${s.queries.join('|')}`, pass: equal,
      },
    ];
  } finally {
    if (app) {
      app.server.closeAllConnections();
      await new Promise((r) => app!.server.close(r));
    }
    await t.drop();
  }
}

export const branches: Benchmark = {
  name: 'branches',
  describe: `a ${BIG.toLocaleString('en')}-message thread with branches (shown path ${2 * MAIN} deep) against a ${SMALL}-message one, in process, SQLite and MySQL`,
  async run(ctx) {
    const figures: Figure[] = [];
    for (const dialect of ['sqlite', 'mysql'] as const) figures.push(...await measure(dialect, ctx.runs * REQUESTS_PER_RUN, ctx.log));
    return figures;
  },
};
