// Mistral's Conversations API for the fake upstream (issue 14), from the SDK's types: components
// ConversationStreamRequest (inputs as MessageInputEntry {object: 'entry', type: 'message.input', role, content},
// tools [{type}], store), ConversationEvents (SSE frames `event: <type>` + `data: <json>`: ResponseStartedEvent,
// MessageOutputEvent, ToolExecutionStarted/Delta/DoneEvent, ResponseDoneEvent with ConversationUsageInfo,
// ResponseErrorEvent), the chunks ToolReferenceChunk and ToolFileChunk, and funcs/filesDownload.ts
// (`GET /v1/files/{file_id}/content`, octet-stream). Tests script each answer as a list of steps with enqueue().
import type { IncomingMessage, ServerResponse } from 'node:http';

type Json = Record<string, unknown>;
/** One scripted piece of a conversation's stream: wire-format event data (snake_case), or a pause. */
export type ConvStep = Json | { pauseMs: number };
export type ConvScenario = {
  /** The events after conversation.response.started, in order (see the builders below). */
  events?: ConvStep[];
  /** Answer with this HTTP status and a JSON error body instead of a stream. */
  status?: number;
  /** Destroy the socket after this many events (a cut connection). */
  cutAfter?: number;
  /** Keep the stream open after the events until the client goes. */
  hang?: boolean;
  /** End with conversation.response.done (usage). Default true unless the events hold a response error. */
  done?: boolean;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; connector_tokens?: number | null; connectors?: Record<string, number> | null };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const at = () => new Date().toISOString();

/** Builders of event data as Mistral sends it. */
export const conv = {
  text: (text: string, output_index = 0): Json => ({ type: 'message.output.delta', created_at: at(), output_index, id: `msg-${output_index}`, content_index: 0, model: 'mistral-medium-latest', role: 'assistant', content: text }),
  /** One content chunk (MessageOutputEvent.content is a string or ONE OutputContentChunks: text, tool_reference, tool_file…). */
  chunk: (content: Json, output_index = 0, content_index = 0): Json => ({ type: 'message.output.delta', created_at: at(), output_index, id: `msg-${output_index}`, content_index, role: 'assistant', content }),
  reference: (title: string, url: string | null, extra: { favicon?: string; description?: string; tool?: string } = {}): Json =>
    ({ type: 'tool_reference', tool: extra.tool ?? 'web_search', title, url, ...(extra.favicon ? { favicon: extra.favicon } : {}), ...(extra.description ? { description: extra.description } : {}) }),
  file: (file_id: string, file_name: string, file_type = 'png'): Json => ({ type: 'tool_file', tool: 'image_generation', file_id, file_name, file_type }),
  started: (id: string, name: string, args = ''): Json => ({ type: 'tool.execution.started', created_at: at(), output_index: 1, id, name, arguments: args }),
  delta: (id: string, name: string, args: string): Json => ({ type: 'tool.execution.delta', created_at: at(), output_index: 1, id, name, arguments: args }),
  toolDone: (id: string, name: string, info: Json = {}): Json => ({ type: 'tool.execution.done', created_at: at(), output_index: 1, id, name, info }),
  error: (message: string, code = 3000): Json => ({ type: 'conversation.response.error', created_at: at(), message, code }),
};

const TOOL_TYPES = ['web_search', 'web_search_premium', 'code_interpreter', 'image_generation', 'document_library'];

/** null when Mistral would take the request, else a 422 message (the fields the real API insists on). */
function requestProblem(b: Json): string | null {
  if (typeof b.model !== 'string' && typeof b.agent_id !== 'string') return 'model or agent_id is required';
  if (b.stream !== true) return 'this fake only streams';
  if (!Array.isArray(b.inputs) && typeof b.inputs !== 'string') return 'inputs is a string or a list of entries';
  for (const e of (Array.isArray(b.inputs) ? b.inputs : []) as Json[]) {
    if (e.type !== 'message.input' || e.object !== 'entry') return 'an input entry is {object: "entry", type: "message.input", ...}';
    if (e.role !== 'user' && e.role !== 'assistant') return `unknown role ${JSON.stringify(e.role)}`;
    if (typeof e.content !== 'string' && !Array.isArray(e.content)) return 'content is a string or a list of chunks';
  }
  for (const t of (Array.isArray(b.tools) ? b.tools : []) as Json[]) if (!TOOL_TYPES.includes(t?.type as string)) return `unknown tool ${JSON.stringify(t?.type)}`;
  return null;
}

export class FakeConversations {
  /** Every POST /v1/conversations body, as sent on the wire (snake_case). */
  requests: Json[] = [];
  /** Files GET /v1/files/{id}/content serves. */
  files = new Map<string, Buffer>();
  fileRequests: string[] = [];
  defaultScenario: ConvScenario = { events: [conv.text('Hello from a conversation.')] };
  /** Streams the client closed before they ended. */
  aborted = 0;
  private queue: ConvScenario[] = [];

  enqueue(...s: ConvScenario[]): this { this.queue.push(...s); return this; }
  reset(): void { this.requests = []; this.queue = []; this.files.clear(); this.fileRequests = []; this.aborted = 0; }

  /** Handles the request if it is one of ours (true), else leaves it (false). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): boolean {
    const file = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (req.method === 'GET' && file) {
      const id = decodeURIComponent(file[1]);
      this.fileRequests.push(id);
      const bytes = this.files.get(id);
      if (!bytes) { res.writeHead(404, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ message: 'File not found' })); return true; }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
      res.end(bytes);
      return true;
    }
    if (req.method !== 'POST' || path !== '/v1/conversations') return false;
    const b = (body ?? {}) as Json;
    this.requests.push(b);
    const problem = requestProblem(b);
    if (problem) {
      res.writeHead(422, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'error', message: { detail: [{ type: 'value_error', loc: ['body'], msg: problem }] }, type: 'invalid_request_error' }));
      return true;
    }
    void this.stream(req, res, this.queue.shift() ?? this.defaultScenario);
    return true;
  }

  /** Cuts the connection once what was written has left (destroy() would drop writes still buffered). */
  private async cut(req: IncomingMessage): Promise<void> {
    await sleep(50);
    req.socket.destroy();
  }

  private async stream(req: IncomingMessage, res: ServerResponse, s: ConvScenario): Promise<void> {
    if (s.status && s.status !== 200) {
      res.writeHead(s.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'error', message: `HTTP ${s.status}`, type: 'error' }));
      return;
    }
    let closed = false;
    res.on('close', () => { if (!res.writableFinished) this.aborted++; closed = true; });
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const send = (data: Json) => res.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`);
    send({ type: 'conversation.response.started', created_at: at(), conversation_id: 'conv-fake' });
    let sent = 0;
    for (const e of s.events ?? []) {
      if (closed) return;
      if ('pauseMs' in e) { await sleep(e.pauseMs as number); continue; }
      if (s.cutAfter !== undefined && sent >= s.cutAfter) return this.cut(req);
      send(e as Json);
      sent++;
    }
    if (s.cutAfter !== undefined) return this.cut(req);
    if (s.hang) { while (!closed) await sleep(20); return; }
    const failed = (s.events ?? []).some((e) => (e as Json).type === 'conversation.response.error');
    if (s.done ?? !failed) {
      send({ type: 'conversation.response.done', created_at: at(), usage: s.usage ?? { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28, connector_tokens: null, connectors: null } });
    }
    res.end();
  }
}
