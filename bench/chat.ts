// Chat figures against their budgets: opening a 10,000-message thread vs a 50-message one, SSE bytes per
// character of a long answer, and the gzipped weight of a thread page with code and math.
// Run: node --import tsx bench/chat.ts   (TEST_MYSQL_URL=… and argument "mysql" for MySQL)
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { newId } from '../src/lib/ids.ts';
import { chatApp, readSse, signIn } from '../test/support/fake-mistral-app.ts';

const dialect = process.argv[2] === 'mysql' ? 'mysql' : 'sqlite';
const t = await chatApp(dialect);
const s = await signIn(t);
let failed = false;
const report = (name: string, value: number, budget: number, unit: string) => {
  const ok = value <= budget;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${name}: ${value.toFixed(2)} ${unit} (budget ${budget} ${unit})`);
};

async function thread(n: number): Promise<string> {
  const id = newId();
  const now = new Date();
  await t.db('threads').insert({ id, user_id: s.user.id, title: `n${n}`, title_set_by_user: true, created_at: now, updated_at: now });
  const rows = Array.from({ length: n }, (_, i) => ({
    thread_id: id, role: i % 2 ? 'assistant' : 'user', status: 'complete', created_at: now, updated_at: now,
    content: `Message ${i} with \`code\` and $x^2$\n\n\`\`\`js\nconst a = ${i};\n\`\`\``,
  }));
  for (let i = 0; i < rows.length; i += 500) await t.db('messages').insert(rows.slice(i, i + 500));
  return id;
}
async function medianOpen(id: string): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const a = performance.now();
    await request(t.app).get(`/threads/${id}`).set('Cookie', s.cookie);
    xs.push(performance.now() - a);
  }
  return xs.sort((a, b) => a - b)[20];
}

try {
  const short = await thread(50);
  const long = await thread(10_000);
  await medianOpen(short);
  const a = await medianOpen(short);
  const b = await medianOpen(long);
  console.log(`${dialect}: open 50 messages ${a.toFixed(1)} ms, 10,000 messages ${b.toFixed(1)} ms`);
  report('10,000-message open / 50-message open', b / a, 1.5, 'x');

  const page = await request(t.app).get(`/threads/${long}`).set('Cookie', s.cookie);
  let weight = gzipSync(page.text).length;
  for (const [, u] of page.text.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)) {
    const r = await request(t.app).get(u).buffer(true).parse((res, cb) => { const c: Buffer[] = []; res.on('data', (d: Buffer) => c.push(d)); res.on('end', () => cb(null, Buffer.concat(c))); });
    weight += gzipSync(r.body as Buffer).length;
  }
  report('thread page with code and math, gzipped, with CSS and JS', weight / 1024, 40, 'KB');

  const para = 'A sentence of a long answer with **bold**, `code` and a [link](https://mistral.ai). ';
  const text = Array.from({ length: 80 }, (_, i) => para.repeat(3) + (i % 8 === 7 ? '\n\n```python\ndef f(x):\n    return x * 2\n```\n\n' : '\n\n')).join('');
  t.fake.enqueue({ tokens: text.match(/[\s\S]{1,5}/g)!, tokenDelayMs: 2 });
  const sent = await request(t.app).post(`/api/thread/${short}/messages`).set('Authorization', `Bearer ${s.token}`).send({ content: 'long please' });
  const events = `${t.baseUrl}/threads/${short}/messages/${sent.body.reply.id}/events?after=0.0`;
  const [plain, gz] = await Promise.all([
    readSse(events, { Cookie: s.cookie }, { timeoutMs: 60_000 }),
    readSse(events, { Cookie: s.cookie }, { timeoutMs: 60_000, gzip: true }),
  ]);
  console.log(`long answer: ${text.length} chars, ${plain.events.length} events; uncompressed ${plain.bytes} B, gzip on the wire ${gz.wireBytes} B`);
  report('SSE bytes on the wire per answer byte (gzip, as browsers ask)', gz.wireBytes / Buffer.byteLength(text), 3, 'x');
  console.log(`     (uncompressed, for a client that refuses gzip: ${(plain.bytes / Buffer.byteLength(text)).toFixed(2)} x)`);
} finally {
  await t.close();
}
process.exit(failed ? 1 : 0);
