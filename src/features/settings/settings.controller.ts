import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../../http/errors.ts';
import { redirectAfterPost, render, wantsFragment } from '../../http/htmx.ts';
import {
  getSettingsView, modelsForUser, removeApiKey, saveApiKey, saveDefaults, saveTheme, toggleFastModel, type SettingsDeps,
} from './settings.service.ts';
import { safeLocalPath } from '../../http/base-path.ts';
import { SettingsInputError } from './settings-input.ts';
import { TOOL_LABELS, toolsFromForm } from '../../lib/tools.ts';
import { tr, type Text } from '../../i18n/text.ts';
import { sayTo } from '../../i18n/negotiate.ts';

const SAVED: Record<string, Text> = {
  key: tr('settings:saved.key'), removed: tr('settings:saved.removed'), defaults: tr('settings:saved.defaults'),
  fast: tr('settings:saved.fast'), appearance: tr('settings:saved.appearance'),
};

type Errors = Record<string, string>;

export function settingsController(deps: SettingsDeps) {
  /** Everything the settings page shows; the fragments render from the same locals. */
  async function pageLocals(res: Response, userId: number, extra: { errors?: Errors; values?: Record<string, unknown>; notice?: Text } = {}) {
    const [settings, catalogue] = await Promise.all([getSettingsView(deps, userId), modelsForUser(deps, userId)]);
    return { title: sayTo(res, tr('settings:title')), settings, catalogue, errors: extra.errors ?? {}, values: extra.values ?? {}, notice: extra.notice ?? null, toolLabels: TOOL_LABELS };
  }

  /** A refused input: the whole page (or the form's fragment for htmx) again, with the message and what was typed. */
  async function refuse(req: Request, res: Response, fragment: string, err: SettingsInputError, values: Record<string, unknown>) {
    const locals = await pageLocals(res, req.user!.id, { errors: { [err.field]: sayTo(res, err.text) }, values });
    render(req, res, wantsFragment(req) ? fragment : 'settings/index', locals, { status: 422 });
  }

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

  return {
    show: wrap(async (req, res) => {
      const saved = typeof req.query.saved === 'string' ? SAVED[req.query.saved] : undefined;
      render(req, res, 'settings/index', await pageLocals(res, req.user!.id, { notice: saved }));
    }),

    saveKey: wrap(async (req, res) => {
      const apiKey = typeof req.body?.apiKey === 'string' ? req.body.apiKey : '';
      try {
        await saveApiKey(deps, req.user!.id, apiKey);
      } catch (err) {
        if (err instanceof SettingsInputError) return refuse(req, res, 'settings/_key', err, {});
        throw err;
      }
      afterSave(req, res, 'key');
    }),

    removeKey: wrap(async (req, res) => {
      await removeApiKey(deps, req.user!.id);
      afterSave(req, res, 'removed');
    }),

    saveDefaults: wrap(async (req, res) => {
      const values = { defaultModel: String(req.body?.defaultModel ?? ''), defaultContext: String(req.body?.defaultContext ?? ''), defaultTools: toolsFromForm(req.body?.tools) };
      try {
        await saveDefaults(deps, req.user!.id, values);
      } catch (err) {
        if (err instanceof SettingsInputError) return refuse(req, res, 'settings/_defaults', err, values);
        throw err;
      }
      afterSave(req, res, 'defaults');
    }),

    /** Settings' Appearance form, and the sidebar's switch (which sends `next`: the page to go back to). */
    saveAppearance: wrap(async (req, res) => {
      try {
        await saveTheme(deps, req.user!.id, req.body?.theme);
      } catch (err) {
        if (err instanceof SettingsInputError) return refuse(req, res, 'settings/index', err, {});
        throw err;
      }
      const url = req.app.locals.url as (p: string) => string;
      const to = req.body?.next !== undefined ? url(safeLocalPath(req.body.next, String(req.app.locals.basePath), '/settings'))
        : `${url('/settings')}?saved=appearance#appearance`;
      // Always a whole page: the theme is an attribute of <html>, which an htmx swap of <body> would leave as it was.
      if (req.get('HX-Request') === 'true') return void res.set('HX-Redirect', to).status(204).end();
      res.redirect(303, to);
    }),

    toggleFast: wrap(async (req, res) => {
      const action = req.body?.action === 'remove' ? 'remove' : 'add';
      let inList: boolean;
      try {
        inList = await toggleFastModel(deps, req.user!.id, req.body?.model, action);
      } catch (err) {
        if (!(err instanceof SettingsInputError)) throw err;
        // htmx swaps the card, which a refused model does not have: the message goes to the page's flash area.
        if (wantsFragment(req)) throw new HttpError(422, err.text);
        return refuse(req, res, 'settings/index', err, {});
      }
      if (!wantsFragment(req)) return void res.redirect(303, `${req.app.locals.url('/settings')}?saved=fast#models`);
      const locals = await pageLocals(res, req.user!.id);
      const model = locals.catalogue.status === 'ok' ? locals.catalogue.models.find((m) => m.id === req.body.model) : undefined;
      if (!model) throw new HttpError(404, tr('settings:models.gone'));
      render(req, res, 'settings/_model-card', { ...locals, model, inFastList: inList });
    }),
  };

  function afterSave(req: Request, res: Response, what: string) {
    const to = `${req.app.locals.url('/settings')}?saved=${what}`;
    redirectAfterPost(req, res, to);
  }
}
