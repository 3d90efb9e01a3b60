// Documents (PDF, Word, PowerPoint) read once at upload by Mistral OCR; the markdown is what the model reads later.
// The file goes inline as a data: URI, so nothing is uploaded to Mistral's file store and nothing needs deleting there.
// Errors are the SDK's own (MistralError with statusCode, RequestTimeoutError, RequestAbortedError): callers word
// them with describeUpstreamError, like chat errors.
import { Mistral } from '@mistralai/mistralai';

/** A long PDF takes Mistral a while (pages are read in parallel, but 100 pages can take a minute). */
export const OCR_TIMEOUT_MS = 120_000;

export type OcrOptions = { apiKey: string; serverUrl: string; model: string; signal?: AbortSignal; timeoutMs?: number };
export type OcrFile = { bytes: Buffer; mime: string; name: string };

export async function readDocument(opts: OcrOptions, file: OcrFile): Promise<{ markdown: string; pages: number }> {
  const client = new Mistral({ apiKey: opts.apiKey, serverURL: opts.serverUrl });
  // The SDK ignores timeoutMs when a signal is given, so the caller's signal and the timeout are joined here; a
  // timeout still surfaces as the SDK's RequestTimeoutError (the reason's name is TimeoutError).
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? OCR_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const res = await client.ocr.process({
    model: opts.model,
    document: { type: 'document_url', documentUrl: `data:${file.mime};base64,${file.bytes.toString('base64')}`, documentName: file.name },
    // The SDK asks for paragraph blocks by default; only the markdown is kept, so the answer stays small.
    includeBlocks: false,
    includeImageBase64: false,
  }, { signal, retries: { strategy: 'none' } });
  const pages = [...res.pages].sort((a, b) => a.index - b.index);
  // Pages joined by a blank line, each after a marker so the model (and a reader of the text) can cite a page;
  // an HTML comment renders as nothing in markdown.
  const markdown = pages.map((p) => `<!-- page ${p.index + 1} -->\n${p.markdown.trim()}`).join('\n\n');
  return { markdown, pages: res.usageInfo?.pagesProcessed ?? pages.length };
}
