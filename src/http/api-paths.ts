// Which requests are for the JSON API, for mounting what serves only pages or only the API (src/app.ts).
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** The API's paths, as errors.ts and requireUser read them: their errors are JSON, and no page is rendered for them. */
export const isApiPath = (req: Request): boolean => req.path === '/api' || req.path.startsWith('/api/');

/** Routing is case-insensitive (Express's default): /API/user reaches the /api/user route, so it may be an API call. */
const MAYBE_API = /^\/api(\/|$)/i;

/** Page middleware and routers of pages alone: skipped on the API's paths, where none of their routes can match. */
export function unlessApi(handler: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (isApiPath(req) ? next() : handler(req, res, next));
}

/** Routers of the API alone: entered by any path that one of their routes could match, in any letter case. */
export function onlyApi(handler: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (MAYBE_API.test(req.path) ? handler(req, res, next) : next());
}
