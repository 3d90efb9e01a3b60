// Time to the first streamed byte of an answer through the app (POST the message, then the event stream) against
// the same answer straight from the fake upstream through the real SDK, side by side in one run, interleaved.
// The upstream sends its first token 20 ms after the request, then a token every 2 ms.
import { Mistral } from '@mistralai/mistralai';
import { issueToken } from '../src/features/auth/tokens.repo.ts';
import { createUser } from '../src/features/auth/users.repo.ts';
import { startFakeMistral } from '../test/support/fake-mistral.ts';
import { benchServer } from './lib/server.ts';
import { postJson, readStream } from './lib/sse-client.ts';
import { median } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const FIRST_TOKEN_MS = 20;
const TOKENS = 200;
// Issue 18: the app may add at most this much (median) to the upstream's own first token.
const BUDGET_ADDED_MS = 3;
const BUDGET_PER_TOKEN_MS = 2;
// Each run is one answer each way; more samples than the other benchmarks, because each is ~20 ms.
const SAMPLES_PER_RUN = 10;

export const firstByte: Benchmark = {
  name: 'first-byte',
  describe: `first streamed byte through the app vs straight from the fake upstream (first token at ${FIRST_TOKEN_MS} ms), SQLite`,
  async run(ctx) {
    const fake = await startFakeMistral();
    fake.defaultScenario = { tokens: Array.from({ length: TOKENS }, (_, i) => `w${i} `), firstTokenDelayMs: FIRST_TOKEN_MS, tokenDelayMs: 2 };
    let token = '';
    const server = await benchServer('sqlite', { MISTRAL_API_KEY: 'bench-key', MISTRAL_SERVER_URL: fake.url, SEND_LIMIT_PER_MINUTE: '0' }, async (db) => {
      const user = await createUser(db, { email: 'first-byte@example.com', name: 'Bench' });
      token = await issueToken(db, user.id, { ttlDays: 1 });
    });
    const auth = { Authorization: `Bearer ${token}` };
    const sdk = new Mistral({ apiKey: 'bench-key', serverURL: fake.url });
    const direct = async () => {
      const t0 = performance.now();
      let first = 0;
      const stream = await sdk.chat.stream({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Hello' }] });
      for await (const e of stream) if (!first && e.data.choices[0]?.delta?.content) first = performance.now();
      return { first: first - t0, rest: performance.now() - first };
    };
    const throughApp = async () => {
      const thread = await postJson(`${server.origin}/api/thread`, auth, {});
      const t0 = performance.now();
      const sent = await postJson(`${server.origin}/api/thread/${thread.body.thread.id}/messages`, auth, { content: 'Hello' });
      if (sent.status !== 202) throw new Error(`send answered ${sent.status}: ${JSON.stringify(sent.body)}`);
      const s = await readStream(`${server.origin}/api/thread/${thread.body.thread.id}/messages/${sent.body.reply.id}/events`, auth);
      const done = s.events.at(-1);
      if (!s.firstAt || done?.event !== 'done') throw new Error(`stream ended without an answer: ${JSON.stringify(done)}`);
      return { first: s.firstAt - t0, rest: s.endAt - s.firstAt };
    };
    try {
      await direct(); await throughApp(); // warm-up: JIT, connections, prepared statements
      const d: Array<{ first: number; rest: number }> = [];
      const a: Array<{ first: number; rest: number }> = [];
      for (let i = 0; i < ctx.runs * SAMPLES_PER_RUN; i++) { d.push(await direct()); a.push(await throughApp()); }
      const dFirst = median(d.map((x) => x.first));
      const aFirst = median(a.map((x) => x.first));
      const perToken = (median(a.map((x) => x.rest)) - median(d.map((x) => x.rest))) / TOKENS;
      ctx.log(`first-byte: direct ${dFirst.toFixed(1)} ms, through the app ${aFirst.toFixed(1)} ms (${a.length} answers each)`);
      return [
        { figure: 'first streamed byte: added by the app', budget: `<= ${BUDGET_ADDED_MS} ms`, measured: `${(aFirst - dFirst).toFixed(1)} ms (${aFirst.toFixed(1)} ms vs ${dFirst.toFixed(1)} ms, ratio ${(aFirst / dFirst).toFixed(3)})`, pass: aFirst - dFirst <= BUDGET_ADDED_MS },
        { figure: 'added cost per streamed token', budget: `<= ${BUDGET_PER_TOKEN_MS} ms`, measured: `${perToken.toFixed(3)} ms`, pass: perToken <= BUDGET_PER_TOKEN_MS },
      ];
    } finally {
      await server.stop();
      await fake.stop();
    }
  },
};
