// Small web helpers shared by the admin pages and the admin API.
import type { Request } from 'express';
import type { Config } from '../../config.ts';
import { HttpError } from '../../http/http-error.ts';
import { tr } from '../../i18n/text.ts';

export function userIdParam(req: Request): number {
  const raw = String(req.params.id ?? '');
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(404, tr('admin:error.noSuchUser'));
  return Number(raw);
}

/** An absolute link to hand to someone (PUBLIC_URL's origin when set, else this request's), under BASE_PATH. */
export function absoluteLink(config: Config, req: Request, path: string): string {
  const origin = config.publicUrl ? new URL(config.publicUrl).origin : `${req.protocol}://${req.get('host')}`;
  return origin + (req.app.locals.url as (p: string) => string)(path);
}
