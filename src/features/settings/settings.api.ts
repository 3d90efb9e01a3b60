// JSON for scripts: the same services as the pages.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/errors.ts';
import {
  getSettingsView, modelsForUser, removeApiKey, saveApiKey, saveDefaults, setFastModels, SettingsInputError, type SettingsDeps,
} from './settings.service.ts';

const publicView = (v: Awaited<ReturnType<typeof getSettingsView>>) => ({
  hasApiKey: v.hasApiKey, apiKeyHint: v.apiKeyHint, usingServerKey: v.usingServerKey,
  defaultModel: v.defaultModel, fastModels: v.fastModels, defaultContext: v.defaultContext,
});

export function settingsApi(deps: SettingsDeps) {
  const r = Router();
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch((err) => next(err instanceof SettingsInputError ? new HttpError(422, err.message, 'invalid', { [err.field]: err.message }) : err));

  r.get('/api/settings', requireUser, wrap(async (req, res) => {
    res.json(publicView(await getSettingsView(deps, req.user!.id)));
  }));

  r.put('/api/settings', requireUser, wrap(async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'Send a JSON object.');
    // Check everything before writing anything, so a bad field leaves all settings as they were.
    if (body.fastModels !== undefined && !Array.isArray(body.fastModels)) throw new SettingsInputError('fastModels', 'fastModels must be a list of model names.');
    if (body.apiKey !== undefined && typeof body.apiKey !== 'string') throw new SettingsInputError('apiKey', 'apiKey must be a string.');
    if (body.apiKey === '') await removeApiKey(deps, req.user!.id);
    else if (typeof body.apiKey === 'string') await saveApiKey(deps, req.user!.id, body.apiKey);
    if (body.defaultModel !== undefined || body.defaultContext !== undefined) {
      await saveDefaults(deps, req.user!.id, { defaultModel: body.defaultModel, defaultContext: body.defaultContext });
    }
    if (body.fastModels !== undefined) await setFastModels(deps, req.user!.id, body.fastModels);
    res.json(publicView(await getSettingsView(deps, req.user!.id)));
  }));

  r.get('/api/models', requireUser, wrap(async (req, res) => {
    const result = await modelsForUser(deps, req.user!.id);
    if (result.status === 'ok') return void res.json({ models: result.models.map(({ aliases: _a, ...m }) => m), source: result.source });
    throw new HttpError(result.status === 'invalid-key' ? 422 : result.status === 'no-key' ? 409 : 503, result.message);
  }));
  return r;
}
