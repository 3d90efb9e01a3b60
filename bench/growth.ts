// Growth: opening a 10,000-message thread against a 10-message one, and the home page of a user with 10,000
// threads against one with 10, side by side (requests interleaved) on the real server, SQLite and MySQL.
import type { Db } from '../src/db.ts';
import { issueToken } from '../src/features/auth/tokens.repo.ts';
import { createUser } from '../src/features/auth/users.repo.ts';
import { newId } from '../src/lib/ids.ts';
import { RICH_ANSWER } from '../test/browser/pages.ts';
import { benchServer } from './lib/server.ts';
import { median } from './lib/stats.ts';
import type { Benchmark, Figure } from './lib/types.ts';
import { linkAsPath } from '../test/support/message-paths.ts';

const BIG = 10_000;
const SMALL = 10;
const BUDGET_RATIO = 1.5;
const REQUESTS_PER_RUN = 20;

type Subject = { path: string; cookie: string };

/** A user whose single thread holds `n` messages (questions and rich answers, inserted in bulk). */
async function threadOf(db: Db, n: number): Promise<Subject> {
  const user = await createUser(db, { email: `t${n}-${newId()}@example.com`, name: 'Bench' });
  const token = await issueToken(db, user.id, { ttlDays: 1 });
  const id = newId();
  const now = new Date();
  await db('threads').insert({ id, user_id: user.id, title: `${n} messages`, title_set_by_user: true, created_at: now, updated_at: now });
  const rows = Array.from({ length: n }, (_, i) => ({
    thread_id: id, role: i % 2 ? 'assistant' : 'user', status: 'complete', created_at: now, updated_at: now,
    content: i % 2 ? RICH_ANSWER.replace('That is', `Answer ${i}: that is`) : `Question ${i}: show me a loop and a formula`,
  }));
  for (let i = 0; i < rows.length; i += 500) await db('messages').insert(rows.slice(i, i + 500));
  // One path, as sending writes it: each message follows the one before (the page walks it up from the newest).
  await linkAsPath(db, id);
  return { path: `/threads/${id}`, cookie: `access_token=${token}` };
}

/** A user with `n` threads (one exchange each is not needed for the list: titles and times are what it reads). */
async function homeOf(db: Db, n: number): Promise<Subject> {
  const user = await createUser(db, { email: `h${n}-${newId()}@example.com`, name: 'Bench' });
  const token = await issueToken(db, user.id, { ttlDays: 1 });
  const now = Date.now();
  const rows = Array.from({ length: n }, (_, i) => {
    const at = new Date(now - i * 3_600_000); // an hour apart: every group of the sidebar appears
    return { id: newId(), user_id: user.id, title: `Thread ${i}`, title_set_by_user: true, created_at: at, updated_at: at };
  });
  for (let i = 0; i < rows.length; i += 500) await db('threads').insert(rows.slice(i, i + 500));
  return { path: '/', cookie: `access_token=${token}` };
}

/** Medians of interleaved requests to a small and a big case, each carrying its session cookie like a browser. */
async function sideBySide(origin: string, small: Subject, big: Subject, rounds: number): Promise<{ small: number; big: number }> {
  const withSession = async (s: Subject) => {
    const r = await fetch(origin + s.path, { headers: { cookie: s.cookie } });
    const sid = r.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
    if (r.status !== 200) throw new Error(`${s.path} answered ${r.status}`);
    return { ...s, cookie: sid ? `${s.cookie}; ${sid}` : s.cookie };
  };
  const a = await withSession(small);
  const b = await withSession(big);
  const time = async (s: Subject) => {
    const t0 = performance.now();
    const r = await fetch(origin + s.path, { headers: { cookie: s.cookie, 'accept-encoding': 'gzip' } });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${s.path} answered ${r.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 5; i++) { await time(a); await time(b); } // warm-up
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < rounds; i++) { xs.push(await time(a)); ys.push(await time(b)); }
  return { small: median(xs), big: median(ys) };
}

export const growth: Benchmark = {
  name: 'growth',
  describe: `a ${BIG.toLocaleString('en')}-message thread and a ${BIG.toLocaleString('en')}-thread home page against ${SMALL} of each, SQLite and MySQL`,
  async run(ctx) {
    const figures: Figure[] = [];
    for (const dialect of ['sqlite', 'mysql'] as const) {
      let s: Record<string, Subject> = {};
      const server = await benchServer(dialect, {}, async (db) => {
        s = { threadSmall: await threadOf(db, SMALL), threadBig: await threadOf(db, BIG), homeSmall: await homeOf(db, SMALL), homeBig: await homeOf(db, BIG) };
      });
      try {
        const t = await sideBySide(server.origin, s.threadSmall, s.threadBig, ctx.runs * REQUESTS_PER_RUN);
        const h = await sideBySide(server.origin, s.homeSmall, s.homeBig, ctx.runs * REQUESTS_PER_RUN);
        const row = (what: string, r: { small: number; big: number }): Figure => ({
          figure: `${what}, ${dialect}: ${BIG.toLocaleString('en')} / ${SMALL}`, budget: `<= ${BUDGET_RATIO}`,
          measured: `${(r.big / r.small).toFixed(2)} (${r.big.toFixed(1)} ms vs ${r.small.toFixed(1)} ms)`, pass: r.big / r.small <= BUDGET_RATIO,
        });
        figures.push(row('open a thread', t), row('home page', h));
        ctx.log(`growth ${dialect}: thread ${t.small.toFixed(1)} / ${t.big.toFixed(1)} ms, home ${h.small.toFixed(1)} / ${h.big.toFixed(1)} ms`);
      } finally {
        await server.stop();
      }
    }
    return figures;
  },
};
