// Mistral OCR through the real SDK against the fake upstream: the document's text reaches the markdown, and
// failures come out as the SDK throws them and are worded like chat errors. Pure module tests (no database), so
// they run once, not per dialect.
import { RequestTimeoutError } from '@mistralai/mistralai/models/errors/httpclienterrors.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeUpstreamError } from '../../src/features/chat/upstream-errors.ts';
import { DOCX_MIME } from '../../src/features/files/detect.ts';
import { readDocument } from '../../src/features/files/ocr.ts';
import { pdfPages } from '../support/fake-mistral-ocr.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';
import { makePdf } from '../support/pdf.ts';
import { minimalDocx } from '../support/zip.ts';

describe('readDocument: Mistral OCR through the real SDK', () => {
  let fake: FakeMistral;
  beforeAll(async () => { fake = await startFakeMistral({ validKeys: ['good-key'] }); });
  afterAll(async () => { await fake.stop(); });
  beforeEach(() => { fake.reset(); });
  const opts = (over: Partial<Parameters<typeof readDocument>[0]> = {}) => ({ apiKey: 'good-key', serverUrl: fake.url, model: 'mistral-ocr-latest', ...over });

  it('writes a real PDF: every object where the cross-reference table says, the pages its texts', () => {
    const pdf = makePdf(['One', 'Two (with parentheses) and \\ backslash']).toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    expect(pdf.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(7);
    offsets.forEach((o, i) => expect(pdf.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    expect(pdfPages(Buffer.from(pdf, 'latin1'))).toEqual(['One', 'Two (with parentheses) and \\ backslash']);
  });

  it('reads a 3-page PDF: 3 pages, each page’s text in order, and sends what Mistral expects', async () => {
    const pdf = makePdf(['Quarterly report', 'Revenue rose 12%\nCosts fell', 'Signed, the board']);
    const r = await readDocument(opts(), { bytes: pdf, mime: 'application/pdf', name: 'report.pdf' });
    expect(r.pages).toBe(3);
    expect(r.markdown).toBe('<!-- page 1 -->\nQuarterly report\n\n<!-- page 2 -->\nRevenue rose 12%\n\nCosts fell\n\n<!-- page 3 -->\nSigned, the board');
    const sent = fake.ocr.requests.at(-1)!;
    expect(sent).toEqual({
      model: 'mistral-ocr-latest',
      document: { type: 'document_url', document_url: `data:application/pdf;base64,${pdf.toString('base64')}`, document_name: 'report.pdf' },
      include_image_base64: false, include_blocks: false,
    });
  });

  it('reads a Word document as one page', async () => {
    const docx = minimalDocx('Dear reader');
    const r = await readDocument(opts(), { bytes: docx, mime: DOCX_MIME, name: 'letter.docx' });
    expect(r).toEqual({ pages: 1, markdown: `<!-- page 1 -->\nFake OCR of letter.docx (${DOCX_MIME}, ${docx.length} bytes)` });
  });

  it('throws what the SDK throws for 401, 429 and 500, worded like chat errors', async () => {
    const pdf = makePdf(['x']);
    const file = { bytes: pdf, mime: 'application/pdf', name: 'a.pdf' };
    const wrongKey = await readDocument(opts({ apiKey: 'bad-key' }), file).catch((e: unknown) => e);
    expect(wrongKey).toMatchObject({ statusCode: 401 });
    expect(describeUpstreamError(wrongKey)).toBe('Mistral refused the API key. Check your key in Settings, then retry.');
    fake.ocr.enqueue({ status: 429 }, { status: 500 });
    const limited = await readDocument(opts(), file).catch((e: unknown) => e);
    expect(limited).toMatchObject({ statusCode: 429 });
    expect(describeUpstreamError(limited)).toBe('Mistral is rate limiting requests. Wait a moment, then retry.');
    const broken = await readDocument(opts(), file).catch((e: unknown) => e);
    expect(broken).toMatchObject({ statusCode: 500 });
    expect(describeUpstreamError(broken)).toBe('Mistral is unavailable right now. Retry in a moment.');
    // No SDK retries: one request per call (the 401 was refused before the OCR handler, so two recorded).
    expect(fake.ocr.requests).toHaveLength(2);
  });

  it('gives up on a slow OCR at the timeout, and stops when the caller aborts', async () => {
    const file = { bytes: makePdf(['slow']), mime: 'application/pdf', name: 'slow.pdf' };
    fake.ocr.enqueue({ delayMs: 2000 }, { delayMs: 2000 });
    const started = Date.now();
    const late = await readDocument(opts({ timeoutMs: 200 }), file).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(describeUpstreamError(late)).toBe('Mistral is unavailable right now. Retry in a moment.');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const aborted = await readDocument(opts({ signal: stop.signal }), file).catch((e: unknown) => e);
    expect((aborted as Error).name).toBe('RequestAbortedError');
  });

  it('is refused like Mistral refuses a document that is not what its type says', async () => {
    const err = await readDocument(opts(), { bytes: Buffer.from('not a pdf'), mime: 'application/pdf', name: 'fake.pdf' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 422 });
    expect(describeUpstreamError(err)).toBe('Mistral could not answer this request. Retry, or start a new chat.');
  });
});
