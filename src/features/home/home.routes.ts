import { Router } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { requireUser } from '../../http/auth.ts';
import { render } from '../../http/htmx.ts';

// Until the chat lands, / is a signed-in placeholder; signed-out visitors are sent to sign in.
export function homeRoutes(_deps: { config: Config; db: Db }) {
  const r = Router();
  r.get('/', requireUser, (req, res) => { render(req, res, 'home', { title: 'New chat' }); });
  return r;
}
