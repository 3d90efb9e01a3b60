// JSON for scripts: the same services as the pages.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/errors.ts';
import { changeSettings, getSettingsView, modelsForUser, type SettingsDeps } from './settings.service.ts';
import { SettingsInputError } from './settings-input.ts';

const publicView = (v: Awaited<ReturnType<typeof getSettingsView>>) => ({
  hasApiKey: v.hasApiKey, apiKeyHint: v.apiKeyHint, keyUnreadable: v.keyUnreadable, usingServerKey: v.usingServerKey,
  defaultModel: v.defaultModel, fastModels: v.fastModels, defaultContext: v.defaultContext, theme: v.theme,
  defaultTools: v.defaultTools,
});

export function settingsApi(deps: SettingsDeps) {
  const r = Router();
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch((err) => next(err instanceof SettingsInputError ? new HttpError(422, err.text, 'invalid', { [err.field]: err.text }) : err));

  r.get('/api/settings', requireUser, wrap(async (req, res) => {
    res.json(publicView(await getSettingsView(deps, req.user!.id)));
  }));

  r.put('/api/settings', requireUser, wrap(async (req, res) => {
    const body: unknown = req.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'Send a JSON object.');
    const { apiKey, defaultModel, fastModels, defaultContext, theme, defaultTools } = body as Record<string, unknown>;
    // Everything is checked before anything is written: a refused field leaves all settings as they were.
    await changeSettings(deps, req.user!.id, { apiKey, defaultModel, fastModels, defaultContext, theme, defaultTools });
    res.json(publicView(await getSettingsView(deps, req.user!.id)));
  }));

  r.get('/api/models', requireUser, wrap(async (req, res) => {
    const result = await modelsForUser(deps, req.user!.id);
    if (result.status === 'ok') return void res.json({ models: result.models.map(({ aliases: _a, ...m }) => m), source: result.source });
    throw new HttpError(result.status === 'invalid-key' ? 422 : result.status === 'no-key' ? 409 : 503, result.message);
  }));
  return r;
}
