// Server-owned generation jobs: an answer streams from Mistral into the database whether or not anyone watches.
// Listeners on this instance read the job's memory; listeners elsewhere follow the database (see live-source.ts).
import { Mistral } from '@mistralai/mistralai';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import type { Logger } from '../../http/logger.ts';
import type { Thread } from '../threads/threads.repo.ts';
import { pathTo } from './branches.repo.ts';
import { canSee, userTurnsWithFiles } from './history.ts';
import { saveFinal, saveProgress, stillLive, type Message, type MessageStatus, type Usage } from './messages.repo.ts';
import { chooseModelRequest, type ModelRequest } from './model-choice.ts';
import type { ModelCatalogue } from '../settings/models.ts';
import { nameThreadIfNew } from './titles.ts';
import { describeUpstreamError, NO_KEY_MESSAGE } from './upstream-errors.ts';
import { english, tr } from '../../i18n/text.ts';
import type { Attachment } from '../files/files.repo.ts';
import { conversationInputs, conversationReader, openConversation } from './conversation-stream.ts';
import type { Source, Step } from './tool-steps.ts';
import { storeToolFiles } from './tool-files.ts';
import { countTokens } from '../usage/record.ts';

export type Snapshot = {
  text: string; thinking: string; status: MessageStatus; usage: Usage | null; error: string | null;
  /** Tool uses, sources and generated images (issue 14; empty for an answer through chat completions). */
  steps: Step[]; sources: Source[]; images: Attachment[];
};
type StopReason = 'user' | 'shutdown' | 'idle' | 'elsewhere';

export type Job = {
  messageId: number;
  snapshot(): Snapshot;
  /** Resolves at the next change (or at once if the job is final). */
  changed(): Promise<void>;
  stop(reason: StopReason): void;
  /** The title this answer's chat was given (named while the first answer streams), or null. Never rejects. */
  titled: Promise<string | null>;
  finished: Promise<void>;
};

export type GenerationOptions = { idleTimeoutMs: number; saveEveryMs: number };
export type Generations = ReturnType<typeof createGenerations>;

// Stored in English; the page shows them in its reader's language (upstream-errors.ts storedErrorText).
const SHUTDOWN_MESSAGE = english(tr('chat:upstream.shutdown'));
const CUT_MESSAGE = english(tr('chat:upstream.cut'));

export function createGenerations(deps: { db: Db; config: Config; logger: Logger; catalogue?: ModelCatalogue }, opts: GenerationOptions) {
  const jobs = new Map<number, Job>();

  /** `chosen`: the key, model and prompt the caller already read for this answer (saves reading them again). */
  function start(thread: Thread, reply: Message, chosen?: ModelRequest): Job {
    const controller = new AbortController();
    const s: Snapshot = { text: '', thinking: '', status: 'pending', usage: null, error: null, steps: [], sources: [], images: [] };
    let waiters: Array<() => void> = [];
    let stopReason: StopReason | null = null;
    // Progress saves run one at a time, and the final save waits for the one in flight and stops the clock first:
    // on MySQL two writes on two pooled connections could otherwise land in either order.
    let saver: NodeJS.Timeout | undefined;
    let saving: Promise<void> | null = null;
    let finalising = false;
    // Steps and sources are written only for an answer through a conversation: a plain answer's row is as before.
    let withTools = false;
    const tools = () => (withTools ? { steps: s.steps, sources: s.sources } : undefined);
    const notify = () => { const w = waiters; waiters = []; for (const f of w) f(); };
    let named: (title: string | null) => void = () => {};
    let spent: ModelRequest | null = null; // the key and model Mistral was asked with: what usage is counted against
    const job: Job = {
      messageId: reply.id,
      snapshot: () => ({ ...s, steps: s.steps.map((x) => ({ ...x })), sources: [...s.sources], images: [...s.images] }),
      changed: () => (s.status === 'pending' || s.status === 'streaming' ? new Promise<void>((r) => waiters.push(r)) : Promise.resolve()),
      stop(reason) { if (!stopReason) { stopReason = reason; controller.abort(reason); } },
      titled: new Promise((r) => { named = r; }),
      finished: Promise.resolve(),
    };
    job.finished = run().finally(() => named(null)).catch((err) => deps.logger.error({ err, messageId: reply.id }, 'generation failed unexpectedly'))
      .finally(() => { jobs.delete(reply.id); notify(); });
    jobs.set(reply.id, job);
    return job;

    async function run(): Promise<void> {
      // Read again with the catalogue only where it can change the answer: "think harder" on a model known by an alias.
      const given = chosen && (!thread.thinkHarder || chosen.reasoningEffort) ? chosen : undefined;
      const choice = given ?? await chooseModelRequest({ db: deps.db, config: deps.config, thread, catalogue: deps.catalogue });
      // A new chat is named while its first answer streams (the title call reads only the first message), so the
      // end of the answer can show the title; whatever happens to the answer, the chat gets a name. The title call
      // starts once the answer's own request is out (issue 18): before, its read and request came first and delayed
      // the answer's first token by their CPU time.
      let titling: Promise<string | null> | null = null;
      const startTitling = () => {
        if (titling) return;
        titling = thread.title || thread.titleSetByUser ? Promise.resolve(null)
          : nameThreadIfNew(deps, thread, choice, (err) => deps.logger.warn({ err: String(err) }, 'title failed'))
            .catch((err) => { deps.logger.warn({ err: String(err) }, 'naming the chat failed'); return null; });
        void titling.then(named);
      };
      try {
        await answer(choice, startTitling);
      } finally {
        startTitling();
        await titling;
      }
    }

    /** `asked`: called once the request to Mistral is on its way (or could not be made). */
    async function answer(choice: ModelRequest, asked: () => void): Promise<void> {
      if (!choice.apiKey) return finish('error', NO_KEY_MESSAGE);
      spent = choice;
      // The shown path up to this answer's question: one branch, never another (branches.repo.ts).
      const history = await pathTo(deps.db, thread.id, reply.parentId);
      // A question's files go as chunks after its text (history.ts); images only when the model may see them.
      const images = history.some((m) => m.attachments.some((a) => a.kind === 'image'));
      const withFiles = await userTurnsWithFiles(deps.db, history, images ? await canSee(deps.catalogue, choice.apiKey, choice.model) : null);
      const messages = [
        ...(choice.system ? [{ role: 'system' as const, content: choice.system }] : []),
        ...history.filter((m) => m.content && (m.role === 'user' || m.role === 'assistant')).map((m) => withFiles.get(m.id) ?? turnOf(m, choice.model)),
      ];
      // A thread with a built-in connector on answers through a conversation (conversation-stream.ts), else as before.
      const conv = thread.tools.length ? conversationReader(s) : null;
      withTools = Boolean(conv);
      let idle: NodeJS.Timeout | undefined;
      // An idle timeout instead of the SDK's whole-request timeout: a long answer that keeps coming is never cut.
      const resetIdle = () => { clearTimeout(idle); idle = setTimeout(() => job.stop('idle'), opts.idleTimeoutMs); };
      let sawFinish = false;
      let opened = false; // Mistral answered 200 and the stream began
      let dirty = false;
      // Progress is saved on a clock, not per token: a quiet upstream still gets what arrived saved.
      saver = setInterval(() => {
        if (saving || finalising) return;
        // While the upstream is quiet, still look (one primary-key read) whether another instance stopped the answer.
        // saveProgress only touches a live row, so it can never turn a final row back into 'streaming'.
        const write = dirty;
        dirty = false;
        saving = (write ? saveProgress(deps.db, reply.id, { content: s.text, thinking: s.thinking || null, status: 'streaming', tools: tools() }) : stillLive(deps.db, reply.id))
          .then((live) => { if (!live && !finalising) job.stop('elsewhere'); })
          .catch((err) => deps.logger.warn({ err: String(err) }, 'saving progress failed'))
          .finally(() => { saving = null; });
      }, opts.saveEveryMs);
      try {
        resetIdle();
        const client = new Mistral({ apiKey: choice.apiKey, serverURL: deps.config.mistral.serverUrl });
        const opening = conv
          ? openConversation(client, { model: choice.model, instructions: choice.system, tools: thread.tools, inputs: conversationInputs(history, withFiles) }, upstreamRequestOptions(controller.signal))
          : client.chat.stream({ model: choice.model, messages, ...(choice.reasoningEffort ? { reasoningEffort: choice.reasoningEffort } : {}) }, upstreamRequestOptions(controller.signal));
        // The SDK sends the request a few microtasks after the call; a macrotask later it is out.
        setImmediate(asked);
        const stream = await opening;
        // Our own reader, cancelled on abort: fetch forgets a request's abort signal once the Response object is
        // garbage-collected (undici holds it weakly), and the SDK keeps only the body, so stop, shutdown and the
        // idle timeout could be ignored while a quiet upstream held the connection open. Cancelling the reader
        // cancels the body, which closes the connection to Mistral.
        opened = true;
        const reader = (stream as ReadableStream<unknown>).getReader();
        const cancel = () => { reader.cancel(stopReason ?? 'aborted').catch(() => {}); };
        if (controller.signal.aborted) cancel();
        else controller.signal.addEventListener('abort', cancel, { once: true });
        for (let next = await reader.read(); !next.done; next = await reader.read()) {
          resetIdle();
          if (conv) {
            conv.apply(next.value as Parameters<typeof conv.apply>[0]);
            if (s.status === 'pending' && (s.text || s.thinking || s.steps.length)) s.status = 'streaming';
            dirty = true;
            notify();
            continue;
          }
          const ev = next.value as Awaited<ReturnType<typeof client.chat.stream>> extends ReadableStream<infer T> ? T : never;
          const choice0 = ev.data.choices[0];
          appendContent(s, choice0?.delta.content);
          if (choice0?.finishReason) sawFinish = true;
          if (ev.data.usage) s.usage = { promptTokens: ev.data.usage.promptTokens, completionTokens: ev.data.usage.completionTokens, totalTokens: ev.data.usage.totalTokens };
          if (s.status === 'pending' && (s.text || s.thinking)) s.status = 'streaming';
          dirty = true;
          notify();
        }
        if (stopReason) throw new Error(`stopped: ${stopReason}`);
        if (conv) {
          // Generated images are fetched once Mistral is done with the answer (or failed it): they are part of it.
          if (conv.files.length) {
            const stored = await storeToolFiles(deps.db, client, thread.userId, reply.id, conv.files, { signal: controller.signal });
            s.images = stored.attachments;
            if (stored.problems.length) s.text += `\n\n_${stored.problems.join(' ')}_`;
          }
          if (stopReason) throw new Error(`stopped: ${stopReason}`);
          if (conv.error) await finish('error', conv.error);
          else await finish(conv.done ? 'complete' : 'interrupted', conv.done ? null : CUT_MESSAGE);
        } else if (sawFinish) await finish('complete');
        else await finish('interrupted', CUT_MESSAGE);
      } catch (err) {
        if (stopReason === 'user' || stopReason === 'elsewhere') await finish('stopped');
        else if (stopReason === 'shutdown') await finish('interrupted', SHUTDOWN_MESSAGE);
        else if (stopReason === 'idle') await finish('error', english(tr('chat:upstream.idle', { seconds: Math.round(opts.idleTimeoutMs / 1000) })));
        else {
          deps.logger.warn({ err: String(err), messageId: reply.id }, 'upstream failed');
          // A connection lost once the answer had begun is the same cause as a body that ends without its final
          // chunk: one state and one sentence for both (an HTTP error is only ever thrown before the stream opens).
          if (opened) await finish('interrupted', CUT_MESSAGE);
          else await finish('error', describeUpstreamError(err));
        }
      } finally {
        clearTimeout(idle);
        clearInterval(saver);
      }
    }

    async function finish(status: MessageStatus, error: string | null = null): Promise<void> {
      finalising = true;
      clearInterval(saver);
      await saving;
      // Tokens Mistral reported (stopped or failed too) are counted before the row is final (src/features/usage).
      if (spent) await countTokens({ db: deps.db, logger: deps.logger }, thread.userId, spent, s.usage, true);
      // Saved before listeners see the end: whoever reads the database after a final event finds it final.
      await saveFinal(deps.db, reply.id, { content: s.text, thinking: s.thinking || null, status, error, usage: s.usage, tools: tools() });
      s.status = status;
      s.error = error;
      notify();
    }
  }

  return {
    start,
    get: (messageId: number) => jobs.get(messageId),
    /** Ends every running answer as interrupted and waits until each is saved. */
    async shutdown(): Promise<void> {
      const all = [...jobs.values()];
      for (const j of all) j.stop('shutdown');
      await Promise.all(all.map((j) => j.finished));
    },
    /** For tests and shutdown: resolves when every job now running is saved. */
    async idle(): Promise<void> {
      await Promise.all([...jobs.values()].map((j) => j.finished));
    },
  };
}

/**
 * The SDK aborts a request after `timeoutMs` (300 s by default) measured over the whole stream. -1 turns that off
 * (the SDK arms its timer only for a positive value; 0 would fall back to the default); our idle timer aborts
 * through `signal` instead, so a long answer that keeps coming is never cut. No SDK retries: a retry is the user's.
 */
export function upstreamRequestOptions(signal: AbortSignal) {
  return { signal, timeoutMs: -1, retries: { strategy: 'none' as const } };
}

/**
 * One message as Mistral is sent it. An answer that thought is replayed with its thinking chunk (as Mistral's SDK
 * example for multi-turn reasoning does: dropping the trace degrades the model) when the model now answering is the
 * one that wrote it; another model gets the answer's text only.
 */
export function turnOf(m: Message, model: string) {
  if (m.role === 'assistant' && m.thinking && m.model === model) {
    return { role: 'assistant' as const, content: [{ type: 'thinking' as const, thinking: [{ type: 'text' as const, text: m.thinking }] }, { type: 'text' as const, text: m.content }] };
  }
  return { role: m.role as 'user' | 'assistant', content: m.content };
}

type ContentPart = { type?: string; text?: string; thinking?: Array<{ type?: string; text?: string }> };

/** Reasoning models send `content` as an array of thinking and text chunks; others send a string. */
function appendContent(s: Snapshot, content: unknown): void {
  if (typeof content === 'string') { s.text += content; return; }
  if (!Array.isArray(content)) return;
  for (const part of content as ContentPart[]) {
    if (part.type === 'text' && part.text) s.text += part.text;
    else if (part.type === 'thinking') for (const t of part.thinking ?? []) if (t.text) s.thinking += t.text;
  }
}
