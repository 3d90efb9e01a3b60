import { Router } from 'express';
import { requireUser } from '../../http/auth.ts';
import type { ChatRouteDeps } from '../chat/chat.context.ts';
import { homePage } from '../chat/thread-pages.ts';

// / is the new-chat composer and the thread list; signed-out visitors are sent to sign in.
export function homeRoutes(d: ChatRouteDeps) {
  const r = Router();
  r.get('/', requireUser, (req, res) => homePage(d, req, res));
  return r;
}
