// Mistral OCR (`POST /v1/ocr`) for the fake upstream, from the SDK's types (components OCRRequest, OCRResponse,
// OCRPageObject, OCRUsageInfo). The fake reads the document it is sent: a PDF's pages are its `/Type /Page` objects
// and their text is what the content streams show with `( ... ) Tj` (uncompressed PDFs, as test/support/pdf.ts
// writes them), so a test can prove the text went all the way through. Tests pick failures with enqueue().
import type { ServerResponse } from 'node:http';

export type OcrScenario = {
  /** Answer with this HTTP status and Mistral's JSON error body for it. */
  status?: number;
  /** Wait this long before answering (a slow OCR; long enough and the client times out). */
  delayMs?: number;
};

type OcrBody = { model?: unknown; document?: { type?: unknown; document_url?: unknown; image_url?: unknown; document_name?: unknown } };

const DOCUMENT_TYPES = ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation'];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
/** Mistral's page dimensions are in pixels at the DPI it rendered (US Letter at 200 dpi). */
const DIMENSIONS = { dpi: 200, height: 2200, width: 1700 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FakeOcr {
  /** Every POST /v1/ocr body, in order (the parsed JSON as sent on the wire: snake_case). */
  requests: OcrBody[] = [];
  private queue: OcrScenario[] = [];
  defaultScenario: OcrScenario = {};

  constructor(private errorBody: (status: number) => object) {}

  enqueue(...scenarios: OcrScenario[]): this {
    this.queue.push(...scenarios);
    return this;
  }

  reset(): void {
    this.requests = [];
    this.queue = [];
    this.defaultScenario = {};
  }

  async handle(body: unknown, res: ServerResponse): Promise<void> {
    const request = (body ?? {}) as OcrBody;
    this.requests.push(request);
    const s = this.queue.shift() ?? this.defaultScenario;
    if (s.delayMs) await sleep(s.delayMs);
    if (res.destroyed) return;
    if (s.status && s.status !== 200) return json(res, s.status, this.errorBody(s.status));
    const read = readRequest(request);
    if ('problem' in read) return json(res, 422, invalid(read.problem));
    json(res, 200, {
      pages: read.pages.map((markdown, index) => ({ index, markdown, images: [], dimensions: DIMENSIONS })),
      model: request.model,
      usage_info: { pages_processed: read.pages.length, doc_size_bytes: read.size },
      document_annotation: null,
    });
  }
}

/** The pages' markdown from the request's document, or what Mistral would refuse. */
function readRequest(r: OcrBody): { pages: string[]; size: number } | { problem: string } {
  if (typeof r.model !== 'string' || !r.model) return { problem: 'model is required' };
  const doc = r.document;
  let url: unknown;
  if (doc?.type === 'document_url') url = doc.document_url;
  else if (doc?.type === 'image_url') url = typeof doc.image_url === 'object' && doc.image_url ? (doc.image_url as { url?: unknown }).url : doc.image_url;
  else return { problem: 'document must be a document_url, image_url or file chunk' };
  if (typeof url !== 'string') return { problem: 'the document needs a url' };
  // An https URL is fetched by Mistral; the fake cannot, and answers one empty page.
  if (/^https:\/\//.test(url)) return { pages: [''], size: 0 };
  const data = /^data:([a-z0-9.+/-]+);base64,(.*)$/i.exec(url);
  if (!data) return { problem: 'the url must be https or a base64 data URI' };
  const mime = data[1].toLowerCase();
  const bytes = Buffer.from(data[2], 'base64');
  const allowed = doc.type === 'image_url' ? IMAGE_TYPES : [...DOCUMENT_TYPES, ...IMAGE_TYPES];
  if (!allowed.includes(mime)) return { problem: `unsupported document type ${mime}` };
  if (mime === 'application/pdf') {
    const pages = pdfPages(bytes);
    return pages.length ? { pages, size: bytes.length } : { problem: 'the document is not a readable PDF' };
  }
  // Word, PowerPoint and images: one page that names what was read.
  const name = typeof doc.document_name === 'string' ? doc.document_name : 'document';
  return { pages: [`Fake OCR of ${name} (${mime}, ${bytes.length} bytes)`], size: bytes.length };
}

/** Each page's text, in file order: the `(...) Tj` strings of the content stream the page names in /Contents. */
export function pdfPages(bytes: Buffer): string[] {
  const pdf = bytes.toString('latin1');
  if (!pdf.startsWith('%PDF-')) return [];
  const objects = new Map<string, string>();
  for (const m of pdf.matchAll(/(\d+) 0 obj([\s\S]*?)endobj/g)) objects.set(m[1], m[2]);
  const pages: string[] = [];
  for (const body of objects.values()) {
    if (!/\/Type\s*\/Page(?![a-z])/i.test(body)) continue;
    const contents = /\/Contents\s+(\d+)\s+0\s+R/.exec(body)?.[1];
    const stream = contents ? /stream\r?\n([\s\S]*?)endstream/.exec(objects.get(contents) ?? '')?.[1] ?? '' : '';
    const texts = [...stream.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)].map((t) => t[1].replace(/\\(.)/g, '$1'));
    pages.push(texts.join('\n\n'));
  }
  return pages;
}

function invalid(msg: string): object {
  return { object: 'error', message: { detail: [{ type: 'value_error', loc: ['body', 'document'], msg }] }, type: 'invalid_request_error', param: null, code: null };
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
