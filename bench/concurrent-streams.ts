// 1,000 answers streamed at once, each to its own user's event stream, on SQLite and on MySQL: every stream must end
// with `done`, every answer must be saved complete and whole, and the server's peak memory stays within budget.
import type { Db, Dialect } from '../src/db.ts';
import { sha256Hex } from '../src/lib/crypto.ts';
import { newId } from '../src/lib/ids.ts';
import { startFakeMistral } from '../test/support/fake-mistral.ts';
import { benchServer, memoryOf } from './lib/server.ts';
import { postJson, readStream } from './lib/sse-client.ts';
import type { Benchmark, Figure } from './lib/types.ts';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const BUDGET_RSS = 300 * 1024 * 1024;
// ~2 s per answer: 40 tokens, 50 ms apart, so all of them are in flight together.
const TOKENS = Array.from({ length: 40 }, (_, i) => `word${i} `);
const ANSWER = TOKENS.join('');

/** STREAMS users, each with a token and an empty thread, inserted in bulk. */
async function people(db: Db): Promise<Array<{ token: string; threadId: string }>> {
  const now = new Date();
  const out: Array<{ token: string; threadId: string }> = [];
  for (let i = 0; i < STREAMS; i += 200) {
    const n = Math.min(200, STREAMS - i);
    const users = Array.from({ length: n }, (_, k) => ({ email: `c${i + k}@example.com`, name: `C${i + k}`, created_at: now, updated_at: now }));
    await db('users').insert(users);
    const ids = await db('users').whereIn('email', users.map((u) => u.email)).orderBy('id').select('id', 'email');
    const batch = ids.map((u) => ({ userId: Number(u.id), token: `bench-${u.id}-${newId()}`, threadId: newId() }));
    await db('access_tokens').insert(batch.map((b) => ({ user_id: b.userId, token_hash: sha256Hex(b.token), created_at: now, last_used_at: now, expires_at: new Date(now.getTime() + 86_400_000) })));
    await db('threads').insert(batch.map((b) => ({ id: b.threadId, user_id: b.userId, title: 'bench', title_set_by_user: true, created_at: now, updated_at: now })));
    out.push(...batch);
  }
  return out;
}

async function once(dialect: Dialect): Promise<{ errors: string[]; peak: number; seconds: number; complete: number }> {
  const fake = await startFakeMistral();
  fake.defaultScenario = { tokens: TOKENS, tokenDelayMs: 50 };
  let who: Array<{ token: string; threadId: string }> = [];
  const server = await benchServer(dialect, { MISTRAL_API_KEY: 'bench-key', MISTRAL_SERVER_URL: fake.url }, async (db) => { who = await people(db); });
  const errors: string[] = [];
  try {
    const t0 = performance.now();
    await Promise.all(who.map(async (p) => {
      const auth = { Authorization: `Bearer ${p.token}` };
      const sent = await postJson(`${server.origin}/api/thread/${p.threadId}/messages`, auth, { content: 'Hello' });
      if (sent.status !== 202) { errors.push(`send ${sent.status}`); return; }
      const s = await readStream(`${server.origin}/api/thread/${p.threadId}/messages/${sent.body.reply.id}/events`, auth);
      const last = s.events.at(-1);
      if (last?.event !== 'done') errors.push(`stream ended with ${last?.event}: ${last?.data}`);
    }).map((p) => p.catch((err: Error) => { errors.push(err.message); })));
    const seconds = (performance.now() - t0) / 1000;
    const peak = memoryOf(server.running.child.pid!).peak;
    const rows = await server.db('messages').where({ role: 'assistant' }).select('status', 'content');
    const complete = rows.filter((r) => r.status === 'complete' && r.content === ANSWER).length;
    return { errors, peak, seconds, complete };
  } finally {
    await server.stop();
    await fake.stop();
  }
}

export const concurrentStreams: Benchmark = {
  name: 'concurrent-streams',
  describe: `${STREAMS} answers streamed at once, SQLite and MySQL, production settings`,
  async run(ctx) {
    const figures: Figure[] = [];
    for (const dialect of ['sqlite', 'mysql'] as const) {
      // One run per dialect: each is a thousand answers, and its peak is the maximum, not a median.
      const r = await once(dialect);
      const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
      ctx.log(`concurrent-streams ${dialect}: ${r.complete}/${STREAMS} complete in ${r.seconds.toFixed(1)} s, ${r.errors.length} errors${r.errors.length ? ` (first: ${r.errors[0]})` : ''}, peak RSS ${mb(r.peak)}`);
      figures.push(
        { figure: `${STREAMS} concurrent answers, ${dialect}: errors`, budget: '0', measured: String(r.errors.length), pass: r.errors.length === 0 },
        { figure: `${STREAMS} concurrent answers, ${dialect}: saved complete`, budget: `${STREAMS}`, measured: `${r.complete} (in ${r.seconds.toFixed(1)} s)`, pass: r.complete === STREAMS },
        { figure: `${STREAMS} concurrent answers, ${dialect}: peak RSS`, budget: `<= ${mb(BUDGET_RSS)}`, measured: mb(r.peak), pass: r.peak <= BUDGET_RSS },
      );
    }
    return figures;
  },
};
