// The fake upstream takes image and document chunks the way Mistral does (through the real SDK, so the wire format
// is the SDK's) and refuses what Mistral refuses: too many or too large images, images to a model without vision.
// Pure module tests (no database): they run once, not per dialect.
import { Mistral } from '@mistralai/mistralai';
import type { ContentChunk } from '@mistralai/mistralai/models/components';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeUpstreamError } from '../../src/features/chat/upstream-errors.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';
import { makePdf } from '../support/pdf.ts';

describe('fake Mistral: image_url and document_url chunks', () => {
  let fake: FakeMistral;
  let png: string;
  beforeAll(async () => {
    fake = await startFakeMistral();
    const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0a0' } }).png().toBuffer();
    png = `data:image/png;base64,${bytes.toString('base64')}`;
  });
  afterAll(async () => { await fake.stop(); });
  const client = () => new Mistral({ apiKey: 'k', serverURL: fake.url });
  const send = async (model: string, messages: Parameters<ReturnType<typeof client>['chat']['stream']>[0]['messages']) => {
    const stream = await client().chat.stream({ model, messages });
    let text = '';
    for await (const ev of stream) { const c = ev.data.choices[0]?.delta.content; if (typeof c === 'string') text += c; }
    return text;
  };
  const images = (n: number): ContentChunk[] => Array.from({ length: n }, () => ({ type: 'image_url', imageUrl: png }));

  it('lists a vision model and models without vision', async () => {
    const models = await client().models.list();
    const cards = (models.data ?? []) as { id: string; capabilities: { vision?: boolean } }[];
    const vision = Object.fromEntries(cards.map((m) => [m.id, m.capabilities.vision]));
    expect(vision).toMatchObject({ 'mistral-small-latest': true, 'mistral-large-latest': false });
  });

  it('takes image chunks (a data URI string, {url, detail}, an https URL) and a document chunk, as sent on the wire', async () => {
    const pdf = `data:application/pdf;base64,${makePdf(['hi']).toString('base64')}`;
    const text = await send('mistral-small-latest', [{ role: 'user', content: [
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', imageUrl: png },
      { type: 'image_url', imageUrl: { url: 'https://example.com/cat.jpg', detail: 'low' } },
      { type: 'document_url', documentUrl: pdf, documentName: 'hi.pdf' },
    ] }]);
    expect(text).toBe('Hello from the fake Mistral.');
    expect((fake.chatRequests.at(-1)!.body as { messages: { content: unknown }[] }).messages[0].content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: png },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
      { type: 'document_url', document_url: pdf, document_name: 'hi.pdf' },
    ]);
  });

  it('takes 8 images in a request, spread over messages, and refuses a 9th', async () => {
    const history = (extra: number) => [
      { role: 'user' as const, content: images(4) }, { role: 'assistant' as const, content: 'Seen.' },
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'And these?' }, ...images(4 + extra)] },
    ];
    await expect(send('mistral-small-latest', history(0))).resolves.toBe('Hello from the fake Mistral.');
    const err = await send('mistral-small-latest', history(1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, body: expect.stringContaining('Too many images in request: 9, the maximum is 8') });
    expect(describeUpstreamError(err)).toBe('Mistral could not answer this request. Retry, or start a new chat.');
  });

  it('refuses an image over 10 MB, a data URI of another type, and an image from the assistant', async () => {
    const big = `data:image/jpeg;base64,${Buffer.alloc(10 * 1024 * 1024 + 1, 1).toString('base64')}`;
    await expect(send('mistral-small-latest', [{ role: 'user', content: [{ type: 'image_url', imageUrl: big }] }]))
      .rejects.toMatchObject({ statusCode: 400, body: expect.stringContaining('larger than the 10 MB limit') });
    const exactly10 = `data:image/jpeg;base64,${Buffer.alloc(10 * 1024 * 1024, 1).toString('base64')}`;
    await expect(send('mistral-small-latest', [{ role: 'user', content: [{ type: 'image_url', imageUrl: exactly10 }] }])).resolves.toBeTruthy();
    const svg = `data:image/svg+xml;base64,${Buffer.from('<svg/>').toString('base64')}`;
    await expect(send('mistral-small-latest', [{ role: 'user', content: [{ type: 'image_url', imageUrl: svg }] }]))
      .rejects.toMatchObject({ statusCode: 400, body: expect.stringContaining('base64 data URI of a PNG, JPEG, WebP or GIF') });
    await expect(send('mistral-small-latest', [{ role: 'user', content: 'hi' }, { role: 'assistant', content: images(1) }, { role: 'user', content: 'ok' }]))
      .rejects.toMatchObject({ statusCode: 400, body: expect.stringContaining('only allowed in user messages') });
  });

  it('refuses images sent to a model without vision, or to one it does not list', async () => {
    for (const model of ['mistral-large-latest', 'no-such-model']) {
      await expect(send(model, [{ role: 'user', content: [{ type: 'text', text: 'look' }, ...images(1)] }]))
        .rejects.toMatchObject({ statusCode: 400, body: expect.stringContaining(`Model ${model} does not support images`) });
    }
    // Text alone still goes to any model, as before.
    await expect(send('mistral-large-latest', [{ role: 'user', content: [{ type: 'text', text: 'look' }] }])).resolves.toBeTruthy();
  });

  it('refuses malformed chunks with a 422, like the other chunk types', async () => {
    const raw = (content: unknown) => fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST', headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'mistral-small-latest', stream: true, messages: [{ role: 'user', content }] }),
    });
    expect((await raw([{ type: 'image_url' }])).status).toBe(422);
    expect((await raw([{ type: 'image_url', image_url: { url: png, detail: 'ultra' } }])).status).toBe(422);
    expect((await raw([{ type: 'document_url', document_name: 'x.pdf' }])).status).toBe(422);
  });
});
