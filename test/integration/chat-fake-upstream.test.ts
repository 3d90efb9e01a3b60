import { Mistral } from '@mistralai/mistralai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamRequestOptions } from '../../src/features/chat/generation.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';

// The fake must be something the real SDK accepts: if these fail, every chat test is meaningless.
describe('fake Mistral upstream through the real SDK', () => {
  let fake: FakeMistral;
  beforeAll(async () => { fake = await startFakeMistral(); });
  afterAll(async () => { await fake.stop(); });
  const client = () => new Mistral({ apiKey: 'k-123', serverURL: fake.url });

  it('streams text, thinking and split multi-byte characters, and records the request', async () => {
    fake.enqueue({ thinking: ['hm', 'm'], tokens: ['Grüße ', '🚀', ' ok'], splitUtf8: true, tokenDelayMs: 2 });
    const stream = await client().chat.stream({ model: 'magistral-medium-latest', messages: [{ role: 'user', content: 'hi' }] });
    let text = ''; let thinking = ''; let usage: unknown;
    for await (const ev of stream) {
      const c = ev.data.choices[0]?.delta.content;
      if (typeof c === 'string') text += c;
      else for (const part of c ?? []) {
        if (part.type === 'text') text += part.text;
        if (part.type === 'thinking') for (const t of part.thinking) if (t.type === 'text') thinking += t.text;
      }
      if (ev.data.usage) usage = ev.data.usage;
    }
    expect(text).toBe('Grüße 🚀 ok');
    expect(thinking).toBe('hmm');
    expect(usage).toMatchObject({ promptTokens: 12, completionTokens: 3 });
    const rec = fake.chatRequests.at(-1)!;
    expect(rec.headers.authorization).toBe('Bearer k-123');
    expect(rec.body).toMatchObject({ model: 'magistral-medium-latest', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('takes a replayed thinking chunk and refuses what Mistral refuses: a malformed chunk, a conversation ending with the assistant', async () => {
    const replay = { role: 'assistant' as const, content: [{ type: 'thinking' as const, thinking: [{ type: 'text' as const, text: 'hm' }] }, { type: 'text' as const, text: '4' }] };
    fake.enqueue({ tokens: ['ok'] });
    const ok = await client().chat.stream({ model: 'm', messages: [{ role: 'user', content: '2+2' }, replay, { role: 'user', content: 'and?' }] });
    for await (const _ of ok) { /* read to the end */ }
    expect((fake.chatRequests.at(-1)!.body as { messages: unknown[] }).messages[1]).toMatchObject({ content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'hm' }] }, { type: 'text', text: '4' }] });
    await expect(client().chat.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] })).rejects.toMatchObject({ statusCode: 400 });
    // The SDK itself refuses a malformed chunk, so it goes raw, as another client could send it.
    const raw = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST', headers: { Authorization: 'Bearer k-123', 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 'not chunks' }] }, { role: 'user', content: 'x' }] }),
    });
    expect(raw.status).toBe(422);
    expect(JSON.stringify(await raw.json())).toContain('a thinking chunk holds text chunks');
  });

  it('answers errors with status codes the SDK surfaces, a model list and a plain completion', async () => {
    fake.enqueue({ status: 429 });
    await expect(client().chat.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ statusCode: 429 });
    const models = await client().models.list();
    expect(models.data?.map((m) => (m as { id: string }).id)).toContain('mistral-small-latest');
    expect(models.data?.[0]).toMatchObject({ maxContextLength: 131072, capabilities: { completionChat: true } });
    const done = await client().chat.complete({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(done.choices?.[0]?.message?.content).toBe('A Short Fake Title');
  });

  it('does not cut a stream that lasts longer than the SDK timeout when sent with our request options', async () => {
    const tokens = Array.from({ length: 8 }, (_, i) => `t${i} `);
    const short = new Mistral({ apiKey: 'k-123', serverURL: fake.url, timeoutMs: 150 });
    const read = async (options?: Parameters<typeof short.chat.stream>[1]) => {
      fake.enqueue({ tokens, tokenDelayMs: 50 });
      const stream = await short.chat.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, options);
      let text = '';
      for await (const ev of stream) { const c = ev.data.choices[0]?.delta.content; if (typeof c === 'string') text += c; }
      return text;
    };
    // The timeout is real: without options the SDK aborts the 400 ms stream at 150 ms.
    await expect(read()).rejects.toThrow();
    // timeoutMs -1 alone switches the whole-request timeout off (0 would fall back to the SDK default of 300 s).
    expect(await read({ timeoutMs: -1 })).toBe(tokens.join(''));
    // What a generation job sends.
    expect(await read(upstreamRequestOptions(new AbortController().signal))).toBe(tokens.join(''));
  });
});
