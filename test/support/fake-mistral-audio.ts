// The fake's POST /v1/audio/transcriptions (dictation, issue 13), from the SDK's own wire format:
// models/components/audiotranscriptionrequest.ts (multipart: model, file, and optional file_url, file_id, language,
// temperature, stream, diarize, context_bias, timestamp_granularities) and transcriptionresponse.ts
// ({model, text, language, segments, usage}). The text depends on the bytes, so a test proves the audio went through:
// bytes holding the ASCII marker `SAY:<words>` are transcribed as those words, anything else as "(n bytes of audio)".
// Failures reuse the chat switches: validKeys (401), and a queued Scenario's `status` (429, 500…), `firstTokenDelayMs`
// (slow) or `hang` (never answers).
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import type { FakeMistral, Scenario } from './fake-mistral.ts';

export type TranscriptionFile = { field: string; name: string; type: string; size: number; bytes: Buffer };
/** What a transcription request carried: its text fields (repeated ones as arrays) and its file part. */
export type TranscriptionBody = { fields: Record<string, string | string[]>; file: TranscriptionFile | null };

export const TRANSCRIPTIONS_PATH = '/v1/audio/transcriptions';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The words after `SAY:` in the audio (printable ASCII up to the first other byte), or null. */
export function spokenMarker(bytes: Buffer): string | null {
  return /SAY:([\x20-\x7e]+)/.exec(bytes.toString('latin1'))?.[1].trim() ?? null;
}

export class FakeAudio {
  private queue: Scenario[] = [];
  constructor(private fake: FakeMistral) {}

  /** What the next transcriptions do, in order (then they succeed). */
  enqueue(...scenarios: Scenario[]): this {
    this.queue.push(...scenarios);
    return this;
  }

  reset(): this {
    this.queue = [];
    return this;
  }

  /** The transcription requests recorded so far (they are in fake.requests too). */
  get requests(): { headers: IncomingMessage['headers']; body: TranscriptionBody }[] {
    return this.fake.requests.filter((r) => r.path === TRANSCRIPTIONS_PATH).map((r) => ({ headers: r.headers, body: r.body as TranscriptionBody }));
  }

  async handle(req: IncomingMessage, res: ServerResponse, errorBodies: Record<number, object>): Promise<void> {
    const body = await readMultipart(req).catch(() => null);
    this.fake.requests.push({ method: req.method ?? 'POST', path: TRANSCRIPTIONS_PATH, headers: req.headers, body });
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || (this.fake.validKeys && !this.fake.validKeys.has(key))) return json(res, 401, errorBodies[401]);
    if (req.method !== 'POST') return json(res, 405, { message: 'Method Not Allowed' });
    const s = this.queue.shift() ?? {};
    if (s.firstTokenDelayMs) await sleep(s.firstTokenDelayMs);
    if (s.hang) {
      // Counted like a chat stream the client closed: the app gave up (a timeout, or its own client went away).
      await new Promise((r) => res.on('close', r));
      this.fake.aborted++;
      return;
    }
    if (s.status && s.status !== 200) return json(res, s.status, errorBodies[s.status] ?? { message: `HTTP ${s.status}` });
    // Mistral's validation error (FastAPI's 422 shape) for a form without a model or without any audio.
    const missing = !body ? 'body' : !body.fields.model ? 'model' : !body.file && !body.fields.file_url && !body.fields.file_id ? 'file' : null;
    if (missing) return json(res, 422, { object: 'error', message: { detail: [{ type: 'missing', loc: ['body', missing], msg: 'Field required' }] }, type: 'invalid_request_error' });
    const bytes = body!.file?.bytes ?? Buffer.alloc(0);
    const text = spokenMarker(bytes) ?? `(${bytes.length} bytes of audio)`;
    const language = typeof body!.fields.language === 'string' ? body!.fields.language : 'en';
    json(res, 200, {
      model: body!.fields.model, text, language, segments: [],
      usage: { prompt_audio_seconds: Math.max(1, Math.round(bytes.length / 16_000)), prompt_tokens: 8, completion_tokens: text.split(/\s+/).length, total_tokens: 8 + text.split(/\s+/).length },
    });
  }
}

function readMultipart(req: IncomingMessage): Promise<TranscriptionBody> {
  return new Promise((resolve, reject) => {
    const out: TranscriptionBody = { fields: {}, file: null };
    const parser = busboy({ headers: req.headers });
    parser.on('field', (name, value) => {
      const prev = out.fields[name];
      out.fields[name] = prev === undefined ? value : ([] as string[]).concat(prev, value);
    });
    parser.on('file', (field, stream, info) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        const bytes = Buffer.concat(parts);
        out.file = { field, name: info.filename ?? '', type: info.mimeType, size: bytes.length, bytes };
      });
    });
    parser.on('close', () => resolve(out));
    parser.on('error', reject);
    req.pipe(parser);
  });
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
