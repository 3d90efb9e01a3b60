// A thread's quick settings from its header: which model answers (from the user's fast list) and its context.
// Saved on the thread and used from the next message on.
import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/errors.ts';
import { render, wantsFragment } from '../../http/htmx.ts';
import { tr } from '../../i18n/text.ts';
import { sayTo } from '../../i18n/negotiate.ts';
import { threadIdParam, urlOf, userOf, type ChatRouteDeps } from './chat.context.ts';
import { settingsOnce } from '../settings/settings.repo.ts';
import { offersThinkHarder } from '../settings/reasoning.ts';
import { checkContext, checkModelId, SettingsInputError } from '../settings/settings-input.ts';
import { findThread, updateThread, type Thread } from '../threads/threads.repo.ts';
import { checkTools, TOOL_LABELS, toolsFromForm, type ToolName } from '../../lib/tools.ts';

export type ModelMenu = {
  action: string; models: string[]; selected: string; defaultModel: string; context: string; thinkHarder: boolean;
  /** The model that answers next lets a request ask for more reasoning: only then is the switch shown. */
  offersThinkHarder: boolean;
  errors: Record<string, string>;
  /** Mistral's built-in connectors on for this thread (issue 14), and their names for the checkboxes. */
  tools: ToolName[]; toolLabels: Record<ToolName, string>;
};

/** What the header's model menu shows: the fast list, plus the thread's own model if it is not in the list. */
export async function modelMenuFor(req: Request, db: Db, config: Config, url: (p: string) => string, userId: number, thread: Thread,
  typed?: { model?: string; context?: string; thinkHarder?: boolean; tools?: ToolName[]; errors?: Record<string, string> }): Promise<ModelMenu> {
  // Read once per request: the layout's theme (theme.ts) reads the same row (settingsOnce).
  const settings = await settingsOnce(req, db, userId);
  const defaultModel = settings.defaultModel ?? config.mistral.defaultModel;
  const models = [...new Set([...settings.fastModels, ...(thread.model ? [thread.model] : [])])];
  const selected = typed?.model ?? thread.model ?? '';
  return {
    action: url(`/threads/${thread.id}/model`), models, defaultModel, selected, context: typed?.context ?? thread.context ?? '',
    thinkHarder: typed?.thinkHarder ?? thread.thinkHarder, offersThinkHarder: offersThinkHarder(selected || defaultModel),
    errors: typed?.errors ?? {}, tools: typed?.tools ?? thread.tools, toolLabels: TOOL_LABELS,
  };
}

/** The header's locals, so the page and every fragment that re-renders the header stay the same. */
export async function headerLocals(d: ChatRouteDeps, req: Request, thread: Thread, extra: Record<string, unknown> = {}) {
  const [modelMenu, more] = await Promise.all([modelMenuFor(req, d.db, d.config, urlOf(req), userOf(req).id, thread), d.headerExtras?.(req, thread) ?? {}]);
  return { thread, modelMenu, ...more, ...extra };
}

/** The whole thread page with extra header locals (thread-pages.ts threadPage), passed in to keep imports one-way. */
export type ThreadPageWith = (req: Request, res: Response, status: number, headerExtra: Record<string, unknown>) => Promise<void>;

export function threadConfigRoutes(d: ChatRouteDeps, pageWith: ThreadPageWith) {
  const r = Router();
  r.post('/threads/:id/model', async (req: Request, res: Response) => {
    const user = userOf(req);
    const thread = await findThread(d.db, user.id, threadIdParam(req));
    if (!thread) throw new HttpError(404, tr('chat:error.noConversation'));
    const tools = checkTools(toolsFromForm(req.body?.tools));
    const typed = { model: String(req.body?.model ?? ''), context: String(req.body?.context ?? ''), thinkHarder: req.body?.think_harder === 'on', tools: typeof tools === 'string' ? [] : tools };
    let updated: Thread | null;
    try {
      if (typeof tools === 'string') throw new SettingsInputError('tools', tools);
      updated = await updateThread(d.db, user.id, thread.id, {
        tools: typed.tools,
        model: typed.model === '' ? null : checkModelId(typed.model), context: checkContext(typed.context), thinkHarder: typed.thinkHarder,
      });
    } catch (err) {
      if (!(err instanceof SettingsInputError)) throw err;
      const modelMenu = await modelMenuFor(req, d.db, d.config, urlOf(req), user.id, thread, { ...typed, errors: { [err.field]: sayTo(res, err.text) } });
      if (wantsFragment(req)) return render(req, res, 'threads/_header', { thread, modelMenu, menuOpen: true }, { status: 422 });
      // Without JavaScript: the whole thread page (messages, sidebar), its model menu open with the error and what was typed.
      return pageWith(req, res, 422, { modelMenu, menuOpen: true });
    }
    if (!updated) throw new HttpError(404, tr('chat:error.noConversation'));
    if (wantsFragment(req)) return render(req, res, 'threads/_header', await headerLocals(d, req, updated, { modelSaved: true }));
    res.redirect(303, urlOf(req)(`/threads/${thread.id}#latest`));
  });
  return r;
}
