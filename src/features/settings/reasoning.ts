// Which models get the thread menu's "think harder" switch. Mistral has two kinds of reasoning
// (docs.mistral.ai → Capabilities → Reasoning):
// - ADJUSTABLE: the request's `reasoning_effort` decides ("high" = a full thinking chunk, "none" = minimal).
//   Mistral Small 4 (mistral-small-latest = mistral-small-2603), Mistral Medium 3.5 (mistral-medium-3-5) and
//   Mistral Large 4 (mistral-large-4-0). Only these get the switch; on, the request carries reasoning_effort "high";
//   off, nothing (the model's own default).
// - NATIVE: magistral-* always reasons; no parameter is needed (its reasoning system prompt, `prompt_mode:
//   "reasoning"`, is already the default). A switch would do nothing, so there is none.
// /v1/models cannot tell the two apart: its `reasoning` capability is true for both kinds, and it has no flag for
// "adjustable" (SDK 2.7 ModelCapabilities), so the list below is the source of truth. Other models may refuse the
// parameter, which is why it is never sent to them.
const ADJUSTABLE_REASONING: RegExp[] = [
  /^mistral-small-(latest|2603)$/,
  /^mistral-medium-3-5$/,
  /^mistral-large-4-0$/,
];

/**
 * True when the model lets a request ask for more reasoning. `aliases` are the other names the models list gives the
 * same model (e.g. a dated id listed with `mistral-small-latest` among its aliases).
 */
export function offersThinkHarder(modelId: string, aliases: readonly string[] = []): boolean {
  return [modelId, ...aliases].some((id) => ADJUSTABLE_REASONING.some((re) => re.test(id)));
}
