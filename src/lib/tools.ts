// Mistral's built-in connectors a thread can switch on (issue 14). Shared by threads, settings, chat and the API,
// which import each other one way only, so the names live here.
export const TOOL_NAMES = ['web_search', 'code_interpreter', 'image_generation'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
export const TOOL_LABELS: Record<ToolName, string> = { web_search: 'Web search', code_interpreter: 'Code interpreter', image_generation: 'Image generation' };

export const isToolName = (v: unknown): v is ToolName => (TOOL_NAMES as readonly unknown[]).includes(v);

/** A stored list (JSON column) as known names, in the canonical order; anything else is dropped. */
export function toolsOf(value: unknown): ToolName[] {
  const list = Array.isArray(value) ? value : [];
  return TOOL_NAMES.filter((t) => list.includes(t));
}

/** What a person or a script sent: a list of known names, or a refusal sentence. */
export function checkTools(value: unknown): ToolName[] | string {
  if (!Array.isArray(value) || !value.every(isToolName)) return `Tools are a list of: ${TOOL_NAMES.join(', ')}.`;
  return toolsOf(value);
}

/** For a JSON column: null stands for none. */
export const toolsColumn = (tools: ToolName[]) => (tools.length ? JSON.stringify(tools) : null);

/** A form's checkboxes named `tools`: absent (none ticked), one value, or several. */
export const toolsFromForm = (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
