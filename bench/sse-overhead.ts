// Bytes on the wire per answer character for a long answer streamed to htmx (escaped text deltas, rendered blocks
// at boundaries, the footer at the end), and the server's CPU for an answer twice as long: linear, not quadratic.
import { gzipSync } from 'node:zlib';
import { issueToken } from '../src/features/auth/tokens.repo.ts';
import { createUser } from '../src/features/auth/users.repo.ts';
import { readSse } from '../test/support/fake-mistral-app.ts';
import { startFakeMistral } from '../test/support/fake-mistral.ts';
import { benchServer, cpuSecondsOf } from './lib/server.ts';
import { postJson } from './lib/sse-client.ts';
import { median } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const BUDGET_BYTES_PER_CHAR = 3;
const BUDGET_CPU_RATIO = 2.5;

const WORDS = ('the a of to and in is it that for on with as this by be are from at or an was which can not more when '
  + 'model answer stream token server browser page request thread message user proxy network phone memory database '
  + 'render markdown table code block function value list result first second large small fast slow simple clear '
  + 'because however therefore example instance between without within across during before after again always').split(' ');

/**
 * A long answer shaped like a real one (varied words, so it compresses like prose, not like one repeated line):
 * paragraphs with bold, inline code and links, a list, and a code block every few paragraphs. Deterministic.
 */
export function longAnswer(chars: number): string {
  let seed = 42;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const sentence = () => {
    const words = Array.from({ length: 8 + rand(12) }, () => WORDS[rand(WORDS.length)]);
    if (rand(3) === 0) words[rand(words.length)] = `**${WORDS[rand(WORDS.length)]}**`;
    if (rand(3) === 0) words[rand(words.length)] = `\`${WORDS[rand(WORDS.length)]}()\``;
    if (rand(5) === 0) words[rand(words.length)] = `[${WORDS[rand(WORDS.length)]}](https://example.com/${rand(1000)})`;
    return words.join(' ').replace(/^./, (c) => c.toUpperCase()) + '.';
  };
  let text = '';
  for (let i = 0; text.length < chars; i++) {
    if (i % 6 === 5) text += `\`\`\`python\ndef f${i}(x):\n    return x * ${rand(100)} + ${rand(100)}\n\`\`\`\n\n`;
    else if (i % 6 === 3) text += Array.from({ length: 3 }, () => `- ${sentence()}`).join('\n') + '\n\n';
    else text += Array.from({ length: 3 + rand(3) }, sentence).join(' ') + '\n\n';
  }
  return text.slice(0, chars);
}

export const sseOverhead: Benchmark = {
  name: 'sse-overhead',
  describe: 'SSE bytes per character of a 20,000-character answer (htmx stream), and CPU for 20,000 vs 40,000 characters',
  async run(ctx) {
    const fake = await startFakeMistral();
    let token = '';
    let userId = 0;
    const server = await benchServer('sqlite', { MISTRAL_API_KEY: 'bench-key', MISTRAL_SERVER_URL: fake.url, SEND_LIMIT_PER_MINUTE: '0' }, async (db) => {
      const user = await createUser(db, { email: 'sse@example.com', name: 'Bench' });
      userId = user.id;
      token = await issueToken(db, user.id, { ttlDays: 1 });
    });
    const auth = { Authorization: `Bearer ${token}` };
    // The htmx stream is what a browser receives; it is read with the page's cookie (Bearer is for the JSON API).
    const cookie = { Cookie: `access_token=${token}` };
    /** One answer of `chars` characters in 5-character tokens, read as htmx reads it; with the server's CPU for it. */
    const answer = async (chars: number, gzip: boolean) => {
      const text = longAnswer(chars);
      // About 4 characters a token, as Mistral's tokenizer gives for English, a token a millisecond: many events.
      fake.defaultScenario = { tokens: text.match(/[\s\S]{1,4}/g)!, tokenDelayMs: 1 };
      const thread = await postJson(`${server.origin}/api/thread`, auth, { title: 'bench' });
      const cpu0 = cpuSecondsOf(server.running.child.pid!);
      const sent = await postJson(`${server.origin}/api/thread/${thread.body.thread.id}/messages`, auth, { content: 'long please' });
      const read = await readSse(`${server.origin}/threads/${thread.body.thread.id}/messages/${sent.body.reply.id}/events?after=0.0`, cookie, { timeoutMs: 120_000, gzip });
      if (read.events.at(-1)?.event !== 'done') throw new Error(`the stream did not end with done (${read.events.length} events)`);
      return { text, read, cpu: cpuSecondsOf(server.running.child.pid!) - cpu0 };
    };
    try {
      void userId;
      await answer(2000, false); // warm-up
      const plain: number[] = [], wire: number[] = [], cpuRatio: number[] = [];
      let sample = { chars: 0, events: 0, plain: 0, gz: 0, rawGz: 0 };
      for (let i = 0; i < ctx.runs; i++) {
        const a = await answer(20_000, false);
        const g = await answer(20_000, true);
        const bytes = Buffer.byteLength(a.text);
        plain.push(a.read.bytes / bytes);
        wire.push(g.read.wireBytes / bytes);
        const b = await answer(40_000, false);
        cpuRatio.push(b.cpu / Math.max(a.cpu, 0.01));
        sample = { chars: a.text.length, events: a.read.events.length, plain: a.read.bytes, gz: g.read.wireBytes, rawGz: gzipSync(a.text).length };
      }
      ctx.log(`sse-overhead: ${sample.chars} chars in ${sample.events} events; ${sample.plain} B uncompressed, ${sample.gz} B gzip on the wire (the text alone gzips to ${sample.rawGz} B)`);
      const w = median(wire), p = median(plain), c = median(cpuRatio);
      return [
        { figure: 'SSE bytes per answer byte, gzip (as browsers ask)', budget: `<= ${BUDGET_BYTES_PER_CHAR}`, measured: `${w.toFixed(2)} x`, pass: w <= BUDGET_BYTES_PER_CHAR },
        { figure: 'SSE bytes per answer byte, uncompressed', budget: `<= ${BUDGET_BYTES_PER_CHAR}`, measured: `${p.toFixed(2)} x`, pass: p <= BUDGET_BYTES_PER_CHAR },
        { figure: 'server CPU, 40,000 / 20,000 characters', budget: `<= ${BUDGET_CPU_RATIO} (linear: 2)`, measured: `${c.toFixed(2)} x`, pass: c <= BUDGET_CPU_RATIO },
      ];
    } finally {
      await server.stop();
      await fake.stop();
    }
  },
};
