// What an answer that used Mistral's built-in connectors keeps besides its text (issue 14): its steps (each tool use,
// in order, with what it was given and what it gave back) and its sources (the references web search found).
// Everything here comes from the model or a connector: untrusted text, escaped wherever it is shown, and a source's
// URL becomes a link only when it is http(s).
import { tr, type Text } from '../../i18n/text.ts';

export type StepStatus = 'running' | 'done' | 'error';
export type Step = {
  /** Always 'tool' for now: a built-in connector ran (room for other kinds without a new column). */
  type: 'tool';
  /** The connector: web_search, code_interpreter, image_generation (or whatever Mistral names a new one). */
  name: string;
  status: StepStatus;
  /** What the tool was given: the arguments Mistral streamed (a search's query, the code to run), as sent. */
  input?: string;
  /** What it gave back, when Mistral reports it (the code interpreter's output). */
  output?: string;
};
export type Source = { title: string; url: string; description?: string };

/** Limits on what one answer keeps, so a runaway upstream cannot grow a row without bound. */
export const MAX_STEPS = 50;
export const MAX_SOURCES = 50;
const MAX_FIELD = 20_000;

export const clip = (text: string, max = MAX_FIELD) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** A URL that may be a link: absolute http(s) only. Anything else (javascript:, data:, relative) is shown as text. */
export function linkable(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** The arguments Mistral streams are JSON as text (`{"query": "…"}`); the readable part of them, else the text. */
function argument(input: string | undefined, key: string): string | null {
  if (!input) return null;
  try {
    const v = (JSON.parse(input) as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The sentence a step is shown with ("Searching the web for …", "Running code", "Drawing an image"): a Text, shown with tx. */
export function stepLabel(step: Step): Text {
  const running = step.status === 'running';
  if (step.name === 'web_search') {
    const query = argument(step.input, 'query');
    if (query) return running ? tr('chat:steps.searchingFor', { query }) : tr('chat:steps.searchedFor', { query });
    return running ? tr('chat:steps.searching') : tr('chat:steps.searched');
  }
  if (step.name === 'code_interpreter') return running ? tr('chat:steps.runningCode') : tr('chat:steps.ranCode');
  if (step.name === 'image_generation') return running ? tr('chat:steps.drawing') : tr('chat:steps.drew');
  return running ? tr('chat:steps.using', { tool: step.name }) : tr('chat:steps.used', { tool: step.name });
}

/** The code a code-interpreter step ran (its `code` argument), else the raw input. */
export const stepCode = (step: Step) => argument(step.input, 'code') ?? step.input ?? '';

/** A compact form of the steps for stream ids and change checks: one number that grows with every change. */
export const stepsSize = (steps: Step[]) => steps.reduce((n, s) => n + 1 + (s.status === 'running' ? 0 : 1) + (s.input?.length ?? 0) + (s.output?.length ?? 0), 0);

export type StepView = { index: number; name: string; status: StepStatus; label: Text; code: string | null; output: string | null };
export type SourceView = { n: number; title: string; url: string; href: string | null; description: string | null };

export function presentSteps(steps: Step[]): StepView[] {
  return steps.map((s, i) => ({
    index: i, name: s.name, status: s.status, label: stepLabel(s),
    code: s.name === 'code_interpreter' ? stepCode(s) || null : null, output: s.output ?? null,
  }));
}

/** Numbered as the answer cites them; `href` only for an http(s) URL (the template shows any other as text). */
export function presentSources(sources: Source[]): SourceView[] {
  return sources.map((s, i) => ({ n: i + 1, title: s.title || s.url, url: s.url, href: linkable(s.url), description: s.description ?? null }));
}
