// What Mistral's chat completions endpoint refuses in `messages`, so the fake fails where the real API would: the
// roles and chunk types of Mistral's SDK (components ChatCompletionRequest: SystemMessage, UserMessage,
// AssistantMessage, ToolMessage; ContentChunk: TextChunk, ThinkChunk {thinking: TextChunk[]}), and the serving rule
// that the conversation ends with the user (or a tool, or an assistant prefix).
type Chunk = { type?: unknown; text?: unknown; thinking?: unknown };
type Msg = { role?: unknown; content?: unknown; prefix?: unknown };

const ROLES = ['system', 'user', 'assistant', 'tool'];

function chunkProblem(c: Chunk): string | null {
  if (c?.type === 'text') return typeof c.text === 'string' ? null : 'a text chunk needs `text`';
  if (c?.type === 'thinking') {
    const ok = Array.isArray(c.thinking) && (c.thinking as Chunk[]).every((t) => t?.type === 'text' && typeof t.text === 'string');
    return ok ? null : 'a thinking chunk holds text chunks in `thinking`';
  }
  return `unknown chunk type ${JSON.stringify(c?.type)}`;
}

/** null when Mistral would take the messages, else [status, Mistral's error body]. */
export function messagesProblem(messages: unknown): [number, object] | null {
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
  const last = messages.at(-1) as Msg;
  if (last.role === 'user' || last.role === 'tool' || (last.role === 'assistant' && last.prefix === true)) return null;
  return [400, { object: 'error', message: `Expected last role User or Tool (or Assistant with prefix True) for serving but got ${String(last.role)}`, type: 'invalid_request_message_error', param: null, code: '3230' }];
}
