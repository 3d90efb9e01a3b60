// Builds the Express app from its parts; never listens, so tests drive it directly.
import path from 'node:path';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import { DEFAULT_OIDC_BUTTON, type Config } from './config.ts';
import { isReady, type Db } from './db.ts';
import { PROJECT_ROOT } from './lib/paths.ts';
import { createAssets } from './http/assets.ts';
import { compressWholeBodies } from './http/compress-whole.ts';
import { manifestRoute, THEME_COLORS } from './http/manifest.ts';
import { urlFor } from './http/base-path.ts';
import { loadUser } from './http/auth.ts';
import { csrfProtection } from './http/csrf.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { createLogger, httpLogger, type Logger } from './http/logger.ts';
import { healthHeaders, noStore, securityHeaders } from './http/security.ts';
import { onlyApi, unlessApi } from './http/api-paths.ts';
import { sessionMiddleware } from './http/session.ts';
import { homeRoutes } from './features/home/home.routes.ts';
import { apiCredentialRoutesWithoutCookies } from './features/auth/auth.api.ts';
import { authApiRouter, authRoutes } from './features/auth/auth.routes.ts';
import { createGoogle, type GoogleEndpoints } from './features/auth/google.ts';
import { trustedHeaderSignIn } from './features/auth/header-sign-in.ts';
import { createModelCatalogue, type ModelCatalogue } from './features/settings/models.ts';
import { settingsRoutes } from './features/settings/settings.routes.ts';
import { themeOnEveryPage } from './features/settings/theme.ts';
import { threadsApiRoutes } from './features/api/threads.api.ts';
import { createGenerations } from './features/chat/generation.ts';
import { sidebarOnEveryPage } from './features/threads/sidebar.ts';
import { threadsRoutes } from './features/chat/thread.routes.ts';
// Export and import (issue 12).
import { transferRoutes } from './features/transfer/transfer.routes.ts';
import { importUploads } from './features/transfer/upload.ts';
import { sharingApiRoutes } from './features/sharing/shares.api.ts';
// Search (issue 15)
import { searchRoutes } from './features/search/search.routes.ts';
import { accountSharesLocal, sharingRoutes } from './features/sharing/shares.routes.ts';
import { shareHeaderExtras } from './features/sharing/share-views.ts';
// Files and voice (issue 13).
import { multipartUploads } from './http/multipart.ts';
import { ejsEngine } from './http/render.ts';
import { uploadRoutes } from './features/files/upload-routes.ts';
import { filesRoutes } from './features/files/files.routes.ts';
import { sizeText } from './i18n/size.ts';
// Dictation (issue 13).
import { dictationRoutes } from './features/chat/dictation.routes.ts';
// Usage and quotas (issue 16).
import { accountUsageLocal, usageApiRoutes } from './features/usage/usage.routes.ts';
import { adminUsageRoutes } from './features/usage/admin-usage.routes.ts';
// Administration (issue 16).
import { adminLinkLocal, adminRoutes } from './features/admin/admin.routes.ts';
// Single sign-on with OpenID Connect (issue 16).
import { createOidc } from './features/auth/oidc.ts';
import { oidcRoutes } from './features/auth/oidc.routes.ts';
// Languages (issue 17).
import { LANGUAGE_NAMES, LANGUAGES } from './i18n/languages.ts';
import { languageOnEveryRequest } from './i18n/negotiate.ts';
import { languageRoutes } from './i18n/language.routes.ts';


export type AppDeps = {
  config: Config; db: Db; logger?: Logger;
  /** Google's endpoints and certificates; only tests replace them (never configurable from the environment). */
  google?: GoogleEndpoints;
  /** The models catalogue (its cache is per app); tests may share one. */
  catalogue?: ModelCatalogue;
};

export function createApp({ config, db, logger = createLogger(config.logLevel), google: googleEndpoints, catalogue }: AppDeps) {
  const app = express();
  const url = urlFor(config.basePath);
  const assets = createAssets(url);

  app.set('trust proxy', config.trustProxy);
  app.set('env', config.env);
  const views = path.join(PROJECT_ROOT, 'views');
  app.set('views', views);
  // Templates include partials by absolute name ('/chat/_message') from views/. The engine (src/http/render.ts) gives
  // a partial its includer's locals by prototype instead of ejs's copy of all of them, and takes no options from them.
  app.engine('ejs', ejsEngine(views, { cache: config.isProduction }));
  app.set('view engine', 'ejs');
  app.set('x-powered-by', false);
  // Performance (issue 18): no ETag computed over every body sent (a SHA-1 of the thread page's 60 KB, ~0.06 ms).
  // Nothing of ours could use one: pages and the API are no-store (never revalidated), static files and a message's
  // files are immutable, and the web manifest, the one response revalidated, sets its own.
  app.set('etag', false);
  if (config.isProduction) app.set('view cache', true);
  Object.assign(app.locals, {
    url,
    asset: assets.assetUrl,
    basePath: config.basePath,
    appName: 'MistralChat',
    themeColors: THEME_COLORS,
  });
  // Export and import: Account's upload form says the size limit.
  app.locals.importMaxBytes = config.transfer.maxBytes;
  // Files: the composer's file input says the limits.
  app.locals.fileLimits = { files: config.files.maxPerMessage, size: sizeText(config.files.maxFileBytes) };
  // Languages (issue 17): the switch lists these (the pseudo-locale of the tests never).
  Object.assign(app.locals, { languages: LANGUAGES, languageNames: LANGUAGE_NAMES });

  // Health checks answer before anything that touches sessions or logs every probe.
  const health = Router();
  health.use(['/healthz', '/readyz'], healthHeaders);
  health.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  health.get('/readyz', async (_req, res) => {
    const ok = await isReady(db);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: ok ? 'ok' : 'unreachable' });
  });

  const router = Router();
  router.use(health);
  // Compress HTML, CSS and JS, and event streams too: the chat's SSE writer flushes after every event
  // (res.flush), so compression never holds its bytes back, and a slow link gets several times fewer bytes.
  const compressible = (req: Request, res: Response) =>
    String(res.getHeader('Content-Type') ?? '').startsWith('text/event-stream') || compression.filter(req, res);
  router.use(compression({ filter: compressible }));
  // Performance (issue 18): a body sent whole is compressed in one call instead of through compression's stream.
  router.use(compressWholeBodies(compressible));
  // Fingerprinted static files come before logging and the page security headers: a CSP on a script file does
  // nothing, and those headers were ~1 KB per file of a first visit (see docs/PERFORMANCE.md).
  router.use(assets.router);
  router.use(manifestRoute(url, assets.assetUrl, app.locals.appName as string));
  router.use(httpLogger(logger));
  router.use(noStore);
  router.use(securityHeaders({ https: Boolean(config.publicUrl?.startsWith('https:')) }));
  router.use(cookieParser());
  router.use(sessionMiddleware(db, { secret: config.sessionSecret, basePath: config.basePath }).middleware);
  router.use(loadUser(db, config));
  router.use(trustedHeaderSignIn(db, config));
  // Languages (issue 17): res.locals.t/lang from the user's setting > `lang` cookie > Accept-Language; the tests'
  // pseudo-locale (xx) is accepted only under NODE_ENV=test.
  router.use(languageOnEveryRequest({ pseudo: config.env === 'test' }));
  // Administration (issue 16): whether the sidebar shows the Administration link.
  // These three only feed the layout, which a JSON answer never renders (errors on /api are JSON too, errors.ts).
  router.use(unlessApi(adminLinkLocal(config)));
  router.use(unlessApi(sidebarOnEveryPage(db, url)));
  router.use(unlessApi(themeOnEveryPage(db)));
  // Export and import: an upload to the import routes is read here (multipart, or a JSON body up to the import limit),
  // so that its _csrf reaches the CSRF check below (src/features/transfer/upload.ts).
  router.use(importUploads(config));
  // Files and voice (issue 13): multipart forms with files on the routes that take them, streamed to temporary files.
  router.use(multipartUploads(uploadRoutes(config), { maxFieldBytes: config.maxMessageChars * 4 + 4096 }));
  router.use(express.urlencoded({ extended: false, limit: '2mb' }));
  router.use(express.json({ limit: '2mb' }));
  // Pages' locals (the layout's): a JSON answer has no use for them.
  router.use(unlessApi((req, res, next) => {
    res.locals.currentPath = req.originalUrl;
    res.locals.flash = [];
    next();
  }));
  const google = createGoogle(config, googleEndpoints);
  router.use(apiCredentialRoutesWithoutCookies({ config, db, google }));
  router.use(csrfProtection);

  // Performance (issue 18): a request enters only the routers that have a route for its kind of path. Routers of pages
  // alone (unlessApi) have no route under /api; routers of the JSON API alone (onlyApi) have nothing else. Routers
  // with both are entered by every request. The order is unchanged, but for the auth API before the auth pages: their
  // paths are disjoint, so no request could be answered by both.
  // Answers are server-owned jobs: they outlive the request that started them (see docs/architecture.md).
  const models = catalogue ?? createModelCatalogue({ serverUrl: config.mistral.serverUrl, configuredModels: config.mistral.models });
  const generations = createGenerations({ db, config, logger, catalogue: models }, { idleTimeoutMs: config.mistral.idleTimeoutMs, saveEveryMs: 300 });
  app.locals.generations = generations;
  router.use(unlessApi(homeRoutes({ config, db, generations, catalogue: models })));
  router.use(unlessApi(accountSharesLocal({ config, db })));
  // Usage and quotas (issue 16): Account's usage section, read before the account routes render it.
  router.use(unlessApi(accountUsageLocal({ config, db })));
  router.use(onlyApi(authApiRouter({ config, db, google })));
  router.use(unlessApi(authRoutes({ config, db, google })));
  // Single sign-on with OpenID Connect (issue 16): discovery happens on the first sign-in, not here. The button's
  // label reaches /login and /register through app.locals (views/auth/_oidc.ejs).
  const oidc = createOidc(config);
  app.locals.oidcButton = oidc.configured ? oidc.buttonLabel : null;
  // Languages (issue 17): the default label is said in the page's language (views/auth/_oidc.ejs).
  app.locals.oidcDefaultButton = DEFAULT_OIDC_BUTTON;
  router.use(unlessApi(oidcRoutes({ config, db, oidc })));
  // Languages (issue 17): POST /language (cookie) and POST /account/language (saved).
  router.use(unlessApi(languageRoutes({ config, db })));
  router.use(settingsRoutes({ config, db, catalogue: models }));
  // Sharing (share links, forks) builds on chat: its Share menu reaches the thread header through this hook.
  router.use(unlessApi(sharingRoutes({ config, db })));
  router.use(onlyApi(sharingApiRoutes({ config, db })));
  // Search (issue 15): GET /search and GET /api/search.
  router.use(searchRoutes({ db }));
  router.use(unlessApi(threadsRoutes({ config, db, generations, catalogue: models, headerExtras: shareHeaderExtras(db) })));
  router.use(onlyApi(threadsApiRoutes({ config, db, generations, catalogue: models })));
  // Files (issue 13): their bytes, thumbnails and OCR text, to their owner.
  router.use(unlessApi(filesRoutes({ config, db })));
  // Export and import (issue 12).
  router.use(transferRoutes({ config, db }));
  // Dictation (issue 13): POST /api/transcribe, and the composer's /transcribe and /threads/:id/transcribe.
  router.use(dictationRoutes({ config, db, generations }));
  // Usage and quotas (issue 16): GET /api/usage, and the admin usage pages (adminOnly).
  router.use(onlyApi(usageApiRoutes({ config, db })));
  router.use(adminUsageRoutes({ config, db }));
  // Administration (issue 16): /admin pages and /api/admin, 404 for anyone but an administrator.
  router.use(adminRoutes({ config, db }));

  router.use(notFound);
  router.use(errorHandler({ logger, isProduction: config.isProduction }));

  app.use(config.basePath || '/', router);
  // Outside the base path there is nothing; say where the app is instead of a bare 404.
  if (config.basePath) app.get('/', (_req, res) => { res.redirect(302, url('/')); });
  return app;
}
