// A fake Mistral API on loopback that speaks the real wire format, for driving the real SDK in tests and in dev.
// Records every request it receives so tests can assert what reached the upstream.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
export type Piece = { text: string } | { thinking: string };

/** What the next chat completion does. */
export type Scenario =
  | { kind: 'stream'; pieces: Piece[]; delayMs?: number; firstDelayMs?: number; usage?: Usage;
      /** End without the final chunk and [DONE] (the connection closes cleanly). */ noDone?: boolean;
      /** Destroy the socket after this many pieces. */ cutAfter?: number;
      /** Split each piece's UTF-8 bytes across two writes (multi-byte characters cut in half). */ splitBytes?: boolean }
  | { kind: 'hang'; pieces?: Piece[] }
  | { kind: 'error'; status: number; message?: string };

export type RecordedRequest = { method: string; path: string; headers: IncomingMessage['headers']; body: any };

export type ModelCard = {
  id: string; name?: string; description?: string; max_context_length?: number;
  capabilities?: Record<string, boolean>; deprecation?: string | null; aliases?: string[];
};

export const DEFAULT_MODELS: ModelCard[] = [
  { id: 'mistral-small-latest', name: 'Mistral Small', description: 'Fast and cheap', max_context_length: 131072,
    capabilities: { completion_chat: true, function_calling: true, vision: true } },
  { id: 'mistral-large-latest', name: 'Mistral Large', description: 'Most capable', max_context_length: 262144,
    capabilities: { completion_chat: true, function_calling: true } },
  { id: 'magistral-medium-latest', name: 'Magistral Medium', description: 'Thinks before answering', max_context_length: 40960,
    capabilities: { completion_chat: true, reasoning: true }, deprecation: '2027-03-01T00:00:00Z' },
  { id: 'codestral-latest', name: 'Codestral', max_context_length: 256000, capabilities: { completion_chat: true, completion_fim: true } },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const defaultUsage = (pieces: Piece[]): Usage => {
  const completion = pieces.length;
  return { prompt_tokens: 10, completion_tokens: completion, total_tokens: 10 + completion };
};

export type FakeMistral = Awaited<ReturnType<typeof startFakeMistral>>;

export async function startFakeMistral(opts: { port?: number; validKeys?: string[] } = {}) {
  const requests: RecordedRequest[] = [];
  const queue: Scenario[] = [];
  const state = {
    models: [...DEFAULT_MODELS] as ModelCard[],
    /** null: any non-empty key is accepted. */
    validKeys: opts.validKeys ? new Set(opts.validKeys) : null as Set<string> | null,
    defaultScenario: { kind: 'stream', pieces: [{ text: 'Hello' }, { text: ' from' }, { text: ' the fake.' }] } as Scenario,
    /** What a non-streamed completion (e.g. a title request) answers. */
    completionText: 'A Short Title',
    modelsStatus: 200,
    openStreams: new Set<ServerResponse>(),
  };

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    let body: any = null;
    try { body = raw ? JSON.parse(raw) : null; } catch { body = raw; }
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || (state.validKeys && !state.validKeys.has(key))) return sendError(res, 401, 'Unauthorized');

    if (req.method === 'GET' && path === '/v1/models') {
      if (state.modelsStatus !== 200) return sendError(res, state.modelsStatus, 'Service unavailable');
      return sendJson(res, 200, { object: 'list', data: state.models.map(toWireCard) });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const scenario = queue.shift() ?? state.defaultScenario;
      if (scenario.kind === 'error') return sendError(res, scenario.status, scenario.message ?? 'Upstream error');
      if (!body?.stream) return sendJson(res, 200, completion(body?.model, state.completionText));
      return stream(res, body?.model ?? 'unknown', scenario);
    }
    sendError(res, 404, 'Not found');
  });

  async function stream(res: ServerResponse, model: string, s: Exclude<Scenario, { kind: 'error' }>) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    state.openStreams.add(res);
    res.on('close', () => state.openStreams.delete(res));
    const pieces = s.pieces ?? [];
    const id = `cmpl-${Math.random().toString(36).slice(2)}`;
    const write = (obj: unknown) => { if (!res.destroyed) res.write(`data: ${JSON.stringify(obj)}\n\n`); };
    const chunk = (delta: unknown, finish: string | null = null, usage?: Usage) => ({
      id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model,
      choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}),
    });
    if (s.kind === 'stream' && s.firstDelayMs) await sleep(s.firstDelayMs);
    for (let i = 0; i < pieces.length; i++) {
      if (res.destroyed) return;
      if (s.kind === 'stream' && s.cutAfter !== undefined && i >= s.cutAfter) { res.socket?.destroy(); return; }
      const p = pieces[i];
      const delta = 'text' in p
        ? { role: 'assistant', content: p.text }
        : { role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: p.thinking }] }] };
      if (s.kind === 'stream' && s.splitBytes) {
        const bytes = Buffer.from(`data: ${JSON.stringify(chunk(delta))}\n\n`);
        const mid = Math.floor(bytes.length / 2);
        res.write(bytes.subarray(0, mid));
        await sleep(5);
        res.write(bytes.subarray(mid));
      } else {
        write(chunk(delta));
      }
      if (s.kind === 'stream' && s.delayMs && i < pieces.length - 1) await sleep(s.delayMs);
    }
    if (s.kind === 'hang') return; // stays open until the client aborts or the fake closes
    if (s.cutAfter !== undefined && s.cutAfter >= pieces.length) { res.socket?.destroy(); return; }
    if (s.noDone) { res.end(); return; }
    write(chunk({ content: '' }, 'stop', s.usage ?? defaultUsage(pieces)));
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    state,
    /** Queues what the next chat completions do, in order; afterwards the default scenario answers. */
    enqueue(...scenarios: Scenario[]) { queue.push(...scenarios); },
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    reset() { requests.length = 0; queue.length = 0; },
    async close() {
      for (const res of state.openStreams) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toWireCard(m: ModelCard) {
  const caps = { completion_chat: false, completion_fim: false, function_calling: false, fine_tuning: false, vision: false,
    classification: false, reasoning: false, ...m.capabilities };
  return {
    id: m.id, object: 'model', created: 1700000000, owned_by: 'mistralai', capabilities: caps, name: m.name ?? m.id,
    description: m.description ?? '', max_context_length: m.max_context_length ?? 32768, aliases: m.aliases ?? [],
    deprecation: m.deprecation ?? null, default_model_temperature: 0.3, type: 'base',
  };
}

function completion(model: string, text: string) {
  return {
    id: `cmpl-${Date.now()}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 },
  };
}

function sendJson(res: ServerResponse, status: number, obj: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(obj));
}

// Mistral's error body shape.
function sendError(res: ServerResponse, status: number, message: string) {
  sendJson(res, status, { object: 'error', message, type: status === 401 ? 'invalid_request_error' : 'api_error', param: null, code: String(status) });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { s += c; });
    req.on('end', () => resolve(s));
  });
}
