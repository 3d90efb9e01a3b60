import { Router } from 'express';
import { requireUser } from '../../http/auth.ts';
import { settingsApi } from './settings.api.ts';
import { settingsController } from './settings.controller.ts';
import type { SettingsDeps } from './settings.service.ts';

export function settingsRoutes(deps: SettingsDeps) {
  const c = settingsController(deps);
  const r = Router();
  r.get('/settings', requireUser, c.show);
  r.post('/settings/api-key', requireUser, c.saveKey);
  r.post('/settings/api-key/remove', requireUser, c.removeKey);
  r.post('/settings/defaults', requireUser, c.saveDefaults);
  r.post('/settings/fast-models', requireUser, c.toggleFast);
  r.post('/settings/appearance', requireUser, c.saveAppearance);
  r.use(settingsApi(deps));
  return r;
}
