import { Router } from 'express';
import { requireUser } from '../../http/auth.ts';
import type { ChatRouteDeps } from './chat.context.ts';
import { branchesController } from './branches.controller.ts';
import { chatController } from './chat.controller.ts';
import { threadConfigRoutes } from './thread-config.ts';
import { threadPage, threadsController } from './thread-pages.ts';
import { organiseRoutes } from './organise.ts';

export function threadsRoutes(d: ChatRouteDeps) {
  const r = Router();
  const threads = threadsController(d);
  const chat = chatController(d);
  const branches = branchesController(d);
  // Organise (issue 15): pin, archive, the select mode (GET /threads?select=1) and bulk actions; before GET /threads.
  r.use(organiseRoutes(d));
  r.use('/threads', requireUser);
  r.get('/threads', threads.index);
  r.post('/threads', chat.create);
  r.get('/threads/:id', threads.show);
  r.post('/threads/:id/rename', threads.rename);
  r.post('/threads/:id/delete', threads.destroy);
  r.use(threadConfigRoutes(d, (req, res, status, extra) => threadPage(d, req, res, {}, status, extra)));
  r.get('/threads/:id/messages', threads.older);
  r.post('/threads/:id/messages', chat.send);
  r.get('/threads/:id/messages/:messageId/events', chat.events);
  r.get('/threads/:id/messages/:messageId/source', chat.source);
  r.post('/threads/:id/messages/:messageId/stop', chat.stop);
  r.post('/threads/:id/messages/:messageId/retry', chat.retry);
  r.get('/threads/:id/messages/:messageId', branches.show);
  r.get('/threads/:id/messages/:messageId/edit', branches.editPage);
  r.post('/threads/:id/messages/:messageId/edit', branches.edit);
  r.get('/threads/:id/messages/:messageId/regenerate', branches.regeneratePage);
  r.post('/threads/:id/messages/:messageId/regenerate', branches.regenerate);
  r.post('/threads/:id/branch', branches.branch);
  return r;
}
