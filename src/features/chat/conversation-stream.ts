// An answer through Mistral's Conversations API (`POST /v1/conversations`, streamed) when the thread switched on a
// built-in connector (issue 14). `store: false`: Mistral keeps nothing, our database stays the only history, so each
// answer sends the shown path again as input entries (like chat completions' messages). The events feed the same
// snapshot the chat-completions path feeds (generation.ts): message.output.delta → text (and thinking), tool
// execution events → steps, tool_reference chunks → sources, tool_file chunks → files to download afterwards.
import { english, tr } from '../../i18n/text.ts';
import type { Mistral } from '@mistralai/mistralai';
import type { ConversationEvents } from '@mistralai/mistralai/models/components/conversationevents.js';
import type { ToolName } from '../../lib/tools.ts';
import type { Message, Usage } from './messages.repo.ts';
import { clip, MAX_SOURCES, MAX_STEPS, type Source, type Step } from './tool-steps.ts';

/** What the reader writes into: the job's snapshot (generation.ts). */
export type ToolTarget = { text: string; thinking: string; steps: Step[]; sources: Source[]; usage: Usage | null };
/** A file a connector made (an image), to be fetched with the Files API once the answer ends. */
export type ToolFile = { fileId: string; name: string | null; type: string | null };

type Turn = { role: 'user' | 'assistant'; content: string | Array<Record<string, unknown>> };

/**
 * The shown path as input entries: a question as its text (or its chunk list when it carries files, from
 * history.ts), an answer as its text. An answer's thinking is not replayed: a conversation may be answered by
 * another model than the one that thought, and its text is what the next turn needs.
 */
export function conversationInputs(history: Message[], withFiles: Map<number, { role: 'user'; content: unknown }>): Turn[] {
  return history.filter((m) => m.content && (m.role === 'user' || m.role === 'assistant'))
    .map((m) => (withFiles.get(m.id) as Turn | undefined) ?? { role: m.role as 'user' | 'assistant', content: m.content });
}

export type ConversationRequest = { model: string; instructions: string | null; tools: ToolName[]; inputs: Turn[]; reasoningEffort?: string };

export async function openConversation(client: Mistral, r: ConversationRequest, options: { signal: AbortSignal; timeoutMs: number; retries: { strategy: 'none' } }) {
  return client.beta.conversations.startStream({
    inputs: r.inputs as never, model: r.model, store: false, tools: r.tools.map((type) => ({ type })),
    ...(r.instructions ? { instructions: r.instructions } : {}),
  }, options);
}

/** Reads one conversation's events into `t`. `done()`: Mistral said the response is complete; `error`: it said why not. */
export function conversationReader(t: ToolTarget) {
  const byId = new Map<string, Step>();
  const files: ToolFile[] = [];
  let done = false;
  let error: string | null = null;
  const stepOf = (id: string, name: string): Step | undefined => {
    let step = byId.get(id);
    if (!step && t.steps.length < MAX_STEPS) {
      step = { type: 'tool', name, status: 'running' };
      byId.set(id, step);
      t.steps.push(step);
    }
    return step;
  };
  return {
    files,
    get done() { return done; },
    get error() { return error; },
    /** Applies one event; returns whether anything a listener shows changed. */
    apply(ev: ConversationEvents): boolean {
      const d = ev.data as ConversationEvents['data'] & { type?: string };
      switch (d.type) {
        case 'message.output.delta': return outputOf((d as { content: unknown }).content);
        case 'tool.execution.started':
        case 'tool.execution.delta': {
          const e = d as { id: string; name: string; arguments: string };
          const step = stepOf(e.id, String(e.name));
          if (step && e.arguments) step.input = clip((step.input ?? '') + e.arguments);
          return Boolean(step);
        }
        case 'tool.execution.done': {
          const e = d as { id: string; name: string; info?: Record<string, unknown> };
          const step = stepOf(e.id, String(e.name));
          if (!step) return false;
          step.status = 'done';
          const out = e.info?.code_output ?? e.info?.output;
          if (typeof out === 'string' && out) step.output = clip(out);
          if (typeof e.info?.error === 'string') { step.status = 'error'; step.output = clip(e.info.error); }
          return true;
        }
        case 'conversation.response.done': {
          const u = (d as { usage: { promptTokens: number; completionTokens: number; totalTokens: number; connectorTokens?: number | null; connectors?: Record<string, number> | null } }).usage;
          t.usage = {
            promptTokens: u.promptTokens, completionTokens: u.completionTokens, totalTokens: u.totalTokens,
            ...(u.connectorTokens != null ? { connectorTokens: u.connectorTokens } : {}), ...(u.connectors ? { connectors: u.connectors } : {}),
          };
          done = true;
          return true;
        }
        case 'conversation.response.error': {
          const e = d as { message: string; code: number };
          error = english(tr('chat:upstream.stoppedBy', { reason: clip(String(e.message || `error ${e.code}`), 500) }));
          for (const s of t.steps) if (s.status === 'running') s.status = 'error';
          return true;
        }
        default: return false;
      }
    },
  };

  /**
   * `content`: a string, or one chunk (the SDK's MessageOutputEvent): text, thinking, tool_reference (a source),
   * tool_file (a generated file). A list of chunks is read too, should Mistral ever send one.
   */
  function outputOf(content: unknown): boolean {
    if (typeof content === 'string') { t.text += content; return content.length > 0; }
    if (!content || typeof content !== 'object') return false;
    let changed = false;
    for (const c of (Array.isArray(content) ? content : [content]) as Array<Record<string, any>>) {
      if (c.type === 'text' && c.text) { t.text += c.text; changed = true; }
      else if (c.type === 'thinking') for (const x of c.thinking ?? []) { if (x.text) { t.thinking += x.text; changed = true; } }
      else if (c.type === 'tool_reference' && typeof c.title === 'string' && t.sources.length < MAX_SOURCES) {
        const url = typeof c.url === 'string' ? c.url : '';
        if (!t.sources.some((s) => s.url === url && s.title === c.title)) {
          t.sources.push({ title: clip(c.title, 300), url: clip(url, 2000), ...(typeof c.description === 'string' && c.description ? { description: clip(c.description, 500) } : {}) });
          changed = true;
        }
      } else if (c.type === 'tool_file' && typeof c.fileId === 'string') {
        files.push({ fileId: c.fileId, name: c.fileName ?? null, type: c.fileType ?? null });
      }
    }
    return changed;
  }
}
