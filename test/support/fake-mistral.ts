// A fake Mistral API on loopback that speaks the real wire format, so tests and `npm run fake-mistral` drive the
// real SDK. Tests pick what happens next with enqueue() (streamed requests) or set defaults; every request is recorded.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messagesProblem } from './fake-mistral-checks.ts';
// --- Files and voice (issue 13): OCR ---
import { FakeOcr } from './fake-mistral-ocr.ts';
// --- end files and voice ---
// Transcriptions (dictation, issue 13).
import { FakeAudio, TRANSCRIPTIONS_PATH } from './fake-mistral-audio.ts';
// --- Tools (issue 14): conversations and the Files API download ---
import { FakeConversations } from './fake-mistral-conversations.ts';
// --- end tools ---

export type Scenario = {
  /** The answer as the tokens to send, one chunk each. */
  tokens?: string[];
  /** Thinking tokens sent before the answer, as `thinking` content chunks. */
  thinking?: string[];
  /** Delay before the first token and between tokens, in ms. */
  firstTokenDelayMs?: number;
  tokenDelayMs?: number;
  /** Answer with an HTTP error and Mistral's JSON error body. */
  status?: number;
  /** Destroy the socket after this many tokens (a cut connection). */
  cutAfter?: number;
  /** End the body without the final chunk and without `data: [DONE]`. */
  noDone?: boolean;
  /** Never end after the tokens (until the client aborts). */
  hang?: boolean;
  /** Split the UTF-8 bytes of every chunk across two TCP writes. */
  splitUtf8?: boolean;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};

export type RecordedRequest = { method: string; path: string; headers: http.IncomingHttpHeaders; body: unknown };

export type FakeModel = {
  id: string; name?: string; description?: string; max_context_length?: number; deprecation?: string | null;
  capabilities?: Record<string, boolean>; aliases?: string[];
};

export const FAKE_MODELS: FakeModel[] = [
  { id: 'mistral-small-latest', name: 'Mistral Small', description: 'Fast and cheap, for everyday chat.', max_context_length: 131072, deprecation: null,
    capabilities: { completion_chat: true, function_calling: true, vision: true, fine_tuning: false, completion_fim: false } },
  { id: 'mistral-large-latest', name: 'Mistral Large', description: 'The most capable general model.', max_context_length: 262144, deprecation: null,
    capabilities: { completion_chat: true, function_calling: true, vision: false, fine_tuning: false, completion_fim: false } },
  { id: 'magistral-medium-latest', name: 'Magistral Medium', description: 'A reasoning model that thinks before it answers.', max_context_length: 40960, deprecation: null,
    capabilities: { completion_chat: true, function_calling: true, vision: false, fine_tuning: false, completion_fim: false, reasoning: true } },
  { id: 'codestral-latest', name: 'Codestral', description: 'Code completion and chat about code.', max_context_length: 256000, deprecation: null,
    capabilities: { completion_chat: true, function_calling: true, vision: false, fine_tuning: false, completion_fim: true } },
  { id: 'open-mistral-7b', description: 'An old open model.', max_context_length: 32768, deprecation: '2027-03-01T00:00:00Z',
    capabilities: { completion_chat: true, function_calling: false, vision: false, fine_tuning: true, completion_fim: false } },
];

const ERROR_BODIES: Record<number, object> = {
  // What Mistral answers for a prompt longer than the model's context.
  400: { object: 'error', message: 'Prompt contains 140000 tokens, too large for model with 131072 maximum context length', type: 'invalid_request_error', param: null, code: null },
  401: { message: 'Unauthorized', request_id: 'fake' },
  429: { message: 'Requests rate limit exceeded', type: 'rate_limited', code: '1300' },
  500: { object: 'error', message: 'Internal server error', type: 'internal_server_error', code: null },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FakeMistral {
  requests: RecordedRequest[] = [];
  defaultScenario: Scenario = { tokens: ['Hello', ' from', ' the', ' fake', ' Mistral.'] };
  /** What a non-streamed completion (the title call) answers. */
  completionText = 'A Short Fake Title';
  /**
   * When set, the completion's `content` as sent (e.g. a reasoning model's array of `thinking` and `text` parts)
   * instead of completionText. Unset by default.
   */
  completionContent: unknown = undefined;
  completionStatus = 200;
  // --- Usage and quotas (issue 16): the title call's UsageInfo (wire format), so a test tells it from an answer's ---
  completionUsage = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };
  // --- end usage ---
  /** How long a non-streamed completion (the title call) takes to answer, in ms. */
  completionDelayMs = 0;
  /** For each streamed answer that sent all its tokens, when (Date.now()) the last token was written. */
  lastTokenAt: number[] = [];
  /** Streams the client closed before they ended (a stop or an idle timeout reached the upstream). */
  aborted = 0;
  /** What GET /v1/models lists; a test may replace it (an empty list is a self-hosted server that lists none). */
  models: FakeModel[] = FAKE_MODELS.map((m) => ({ ...m }));
  /** Answer GET /v1/models with this status (e.g. 503: the endpoint is down). */
  modelsStatus = 200;
  /** When set, only these keys are accepted; any other gets Mistral's 401. Null accepts any key. */
  validKeys: Set<string> | null = null;
  private queue: Scenario[] = [];
  // --- Files and voice (issue 13): POST /v1/ocr, with its own recorded requests and enqueue() for failures ---
  ocr = new FakeOcr((status) => ERROR_BODIES[status] ?? { message: `HTTP ${status}` });
  // --- end files and voice ---
  // --- Tools (issue 14): POST /v1/conversations (streamed) and GET /v1/files/{id}/content ---
  conversations = new FakeConversations();
  // --- end tools ---
  private server = http.createServer((req, res) => { void this.handle(req, res); });
  private sockets = new Set<import('node:net').Socket>();
  url = '';

  // Transcriptions (dictation, issue 13): POST /v1/audio/transcriptions, its queue and its requests (fake-mistral-audio.ts).
  readonly audio = new FakeAudio(this);

  enqueue(...scenarios: Scenario[]): this {
    this.queue.push(...scenarios);
    return this;
  }

  /** Forgets recorded requests and queued scenarios, and restores the model list. */
  reset(): this {
    this.requests = [];
    this.queue = [];
    this.models = FAKE_MODELS.map((m) => ({ ...m }));
    this.modelsStatus = 200;
    this.ocr.reset(); // files and voice (issue 13)
    this.audio.reset(); // dictation (issue 13)
    this.conversations.reset(); // tools (issue 14)
    return this;
  }

  /** Streamed chat requests recorded so far (not the non-streamed title calls). */
  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/v1/chat/completions' && (r.body as { stream?: boolean } | null)?.stream === true);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    // A deep accept queue: benchmarks open a thousand streams at once (Node's default backlog is 511).
    await new Promise<void>((resolve) => this.server.listen(port, host, 4096, resolve));
    const { port: p } = this.server.address() as AddressInfo;
    this.url = `http://${host}:${p}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Transcriptions (dictation, issue 13): a multipart body with binary audio, read by its own handler.
    if ((req.url ?? '/').split('?')[0] === TRANSCRIPTIONS_PATH) return this.audio.handle(req, res, ERROR_BODIES);
    const raw = await new Promise<string>((resolve) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    });
    let body: unknown = null;
    try { body = raw ? JSON.parse(raw) : null; } catch { body = raw; }
    const path = (req.url ?? '/').split('?')[0];
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || (this.validKeys && !this.validKeys.has(key))) return json(res, 401, ERROR_BODIES[401]);
    if (req.method === 'GET' && path === '/v1/models') {
      if (this.modelsStatus !== 200) return json(res, this.modelsStatus, ERROR_BODIES[this.modelsStatus] ?? { message: `HTTP ${this.modelsStatus}` });
      return json(res, 200, { object: 'list', data: this.models.map((m) => ({ object: 'model', type: 'base', created: 1700000000, owned_by: 'mistralai', ...m })) });
    }
    // --- Files and voice (issue 13): OCR ---
    if (req.method === 'POST' && path === '/v1/ocr') return this.ocr.handle(body, res);
    // --- end files and voice ---
    // --- Tools (issue 14) ---
    if (this.conversations.handle(req, res, path, body)) return;
    // --- end tools ---
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return json(res, 404, { message: 'Not found' });
    const request = (body ?? {}) as { stream?: boolean; model?: string; messages?: unknown };
    const refused = messagesProblem(request.messages, { model: request.model, models: this.models }); // models: files and voice (issue 13)
    if (refused) return json(res, refused[0], refused[1]);
    if (!request.stream) {
      if (this.completionDelayMs) await sleep(this.completionDelayMs);
      if (this.completionStatus !== 200) return json(res, this.completionStatus, ERROR_BODIES[this.completionStatus] ?? { message: 'error' });
      return json(res, 200, {
        id: 'cmpl-fake', object: 'chat.completion', created: now(), model: request.model ?? 'mistral-small-latest',
        choices: [{ index: 0, message: { role: 'assistant', content: this.completionContent ?? this.completionText }, finish_reason: 'stop' }],
        usage: this.completionUsage,
      });
    }
    const s = this.queue.shift() ?? this.defaultScenario;
    if (s.status && s.status !== 200) return json(res, s.status, ERROR_BODIES[s.status] ?? { message: `HTTP ${s.status}` });
    await this.stream(req, res, s, request.model ?? 'mistral-small-latest');
  }

  private async stream(req: IncomingMessage, res: ServerResponse, s: Scenario, model: string): Promise<void> {
    let closed = false;
    res.on('close', () => { if (!res.writableFinished) this.aborted++; closed = true; });
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const base = { id: 'chunk-fake', object: 'chat.completion.chunk', created: now(), model };
    const send = async (chunk: object) => {
      const bytes = Buffer.from(`data: ${JSON.stringify(chunk)}\n\n`, 'utf8');
      if (s.splitUtf8) {
        // Cut inside the first multi-byte character, so a decoder that is not streaming-aware breaks it.
        let cut = bytes.findIndex((b) => b >= 0xc0);
        cut = cut < 0 ? Math.floor(bytes.length / 2) : cut + 1;
        res.write(bytes.subarray(0, cut));
        await sleep(5);
        res.write(bytes.subarray(cut));
      } else res.write(bytes);
    };
    await send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    if (s.firstTokenDelayMs) await sleep(s.firstTokenDelayMs);
    let sent = 0;
    for (const t of s.thinking ?? []) {
      if (closed) return;
      await send({ ...base, choices: [{ index: 0, delta: { content: [{ type: 'thinking', thinking: [{ type: 'text', text: t }] }] }, finish_reason: null }] });
      if (s.tokenDelayMs) await sleep(s.tokenDelayMs);
    }
    for (const t of s.tokens ?? []) {
      if (closed) return;
      if (s.cutAfter !== undefined && sent >= s.cutAfter) { req.socket.destroy(); return; }
      const content = s.thinking ? [{ type: 'text', text: t }] : t;
      await send({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] });
      sent++;
      if (sent === s.tokens!.length) this.lastTokenAt.push(Date.now());
      if (s.tokenDelayMs) await sleep(s.tokenDelayMs);
    }
    if (s.cutAfter !== undefined) { req.socket.destroy(); return; }
    if (s.hang) {
      while (!closed) await sleep(20);
      return;
    }
    if (s.noDone) { res.end(); return; }
    const completion = (s.tokens ?? []).length;
    const usage = s.usage ?? { prompt_tokens: 12, completion_tokens: completion, total_tokens: 12 + completion };
    await send({ ...base, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop' }], usage });
    res.write('data: [DONE]\n\n');
    res.end();
  }
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const now = () => Math.floor(Date.now() / 1000);

export async function startFakeMistral(opts: { validKeys?: string[] } = {}): Promise<FakeMistral> {
  const fake = new FakeMistral();
  if (opts.validKeys) fake.validKeys = new Set(opts.validKeys);
  await fake.start();
  return fake;
}
