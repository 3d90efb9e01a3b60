// What Mistral's chat completions endpoint refuses in `messages`, so the fake fails where the real API would: the
// roles and chunk types of Mistral's SDK (components ChatCompletionRequest: SystemMessage, UserMessage,
// AssistantMessage, ToolMessage; ContentChunk: TextChunk, ThinkChunk {thinking: TextChunk[]}), and the serving rule
// that the conversation ends with the user (or a tool, or an assistant prefix).
type Chunk = { type?: unknown; text?: unknown; thinking?: unknown; image_url?: unknown; document_url?: unknown; document_name?: unknown };
type Msg = { role?: unknown; content?: unknown; prefix?: unknown };

const ROLES = ['system', 'user', 'assistant', 'tool'];

function chunkProblem(c: Chunk): string | null {
  if (c?.type === 'text') return typeof c.text === 'string' ? null : 'a text chunk needs `text`';
  if (c?.type === 'thinking') {
    const ok = Array.isArray(c.thinking) && (c.thinking as Chunk[]).every((t) => t?.type === 'text' && typeof t.text === 'string');
    return ok ? null : 'a thinking chunk holds text chunks in `thinking`';
  }
  // --- Files and voice (issue 13): image and document chunks ---
  if (c?.type === 'image_url') return imageUrl(c.image_url) === null ? 'an image_url chunk needs `image_url`: a URL string or {url, detail?}' : null;
  if (c?.type === 'document_url') {
    if (typeof c.document_url !== 'string') return 'a document_url chunk needs `document_url`';
    if (c.document_name !== undefined && c.document_name !== null && typeof c.document_name !== 'string') return '`document_name` is a string';
    return null;
  }
  // --- end files and voice ---
  return `unknown chunk type ${JSON.stringify(c?.type)}`;
}

/** null when Mistral would take the messages, else [status, Mistral's error body]. */
export function messagesProblem(messages: unknown, opts: ImageOptions = {}): [number, object] | null {
  const invalid = (msg: string): [number, object] => [422, { object: 'error', message: { detail: [{ type: 'value_error', loc: ['body', 'messages'], msg }] }, type: 'invalid_request_message_error', param: null, code: null }];
  if (!Array.isArray(messages) || messages.length === 0) return invalid('messages must be a non-empty list');
  for (const m of messages as Msg[]) {
    if (!ROLES.includes(m?.role as string)) return invalid(`unknown role ${JSON.stringify(m?.role)}`);
    if (typeof m.content === 'string') continue;
    if (!Array.isArray(m.content)) return invalid('content is a string or a list of chunks');
    for (const c of m.content as Chunk[]) {
      const problem = chunkProblem(c);
      if (problem) return invalid(problem);
    }
  }
  const images = imagesProblem(messages as Msg[], opts); // files and voice (issue 13)
  if (images) return images;
  const last = messages.at(-1) as Msg;
  if (last.role === 'user' || last.role === 'tool' || (last.role === 'assistant' && last.prefix === true)) return null;
  return [400, { object: 'error', message: `Expected last role User or Tool (or Assistant with prefix True) for serving but got ${String(last.role)}`, type: 'invalid_request_message_error', param: null, code: '3230' }];
}

// --- Files and voice (issue 13): what Mistral refuses about images ---
// ImageURLChunk (components imageurlchunk.ts, imageurl.ts): `image_url` is a string or {url, detail?}; the URL is
// https or a base64 data URI of PNG, JPEG, WebP or GIF. Mistral's vision limits: 8 images per request, 10 MB each;
// a model without the `vision` capability takes none. (The error bodies are Mistral-shaped; the exact words are ours.)
export const MAX_IMAGES_PER_REQUEST = 8;
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

export type ImageOptions = {
  model?: unknown;
  /** The fake's /v1/models list: an image goes only to a listed model (by id or alias) with `vision: true`. */
  models?: { id: string; aliases?: string[]; capabilities?: Record<string, boolean> }[];
};

function imageUrl(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { url?: unknown }).url === 'string') {
    const detail = (v as { detail?: unknown }).detail;
    if (detail !== undefined && detail !== null && !['low', 'auto', 'high'].includes(detail as string)) return null;
    return (v as { url: string }).url;
  }
  return null;
}

function imagesProblem(messages: Msg[], opts: ImageOptions): [number, object] | null {
  const bad = (message: string): [number, object] => [400, { object: 'error', message, type: 'invalid_request_message_error', param: null, code: null }];
  let count = 0;
  for (const m of messages) {
    if (!Array.isArray(m.content)) continue;
    for (const c of m.content as Chunk[]) {
      if (c?.type !== 'image_url') continue;
      if (m.role !== 'user') return bad('Images are only allowed in user messages');
      count++;
      const url = imageUrl(c.image_url)!;
      const data = /^data:image\/(png|jpeg|webp|gif);base64,([A-Za-z0-9+/=]*)$/.exec(url);
      if (!data && !/^https:\/\/[^\s]+$/.test(url)) return bad('Image URL must be an https URL or a base64 data URI of a PNG, JPEG, WebP or GIF image');
      if (data && Buffer.byteLength(data[2], 'base64') > MAX_IMAGE_BYTES) return bad(`Image is larger than the ${MAX_IMAGE_BYTES / 1024 / 1024} MB limit`);
    }
  }
  if (count === 0) return null;
  if (count > MAX_IMAGES_PER_REQUEST) return bad(`Too many images in request: ${count}, the maximum is ${MAX_IMAGES_PER_REQUEST}`);
  const model = (opts.models ?? []).find((x) => x.id === opts.model || x.aliases?.includes(opts.model as string));
  if (!model?.capabilities?.vision) return bad(`Model ${String(opts.model)} does not support images`);
  return null;
}
// --- end files and voice ---
