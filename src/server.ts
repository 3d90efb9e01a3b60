// Starts the server: configuration, database (migrated to latest), HTTP, and a graceful shutdown.
import type { Server } from 'node:http';
import { ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { createDb, dialectOf, migrateLatest } from './db.ts';
import { createApp } from './app.ts';
import type { Generations } from './features/chat/generation.ts';
import { createLogger } from './http/logger.ts';
import { purgeAuthData } from './maintenance.ts';

const SHUTDOWN_GRACE_MS = 10_000;
// Expired guests (and their threads), expired tokens, old rate-limit rows and expired sessions; any instance may run it.
const PURGE_EVERY_MS = 10 * 60 * 1000;

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);
  const app = createApp({ config, db, logger });
  const server: Server = app.listen(config.port, config.host ?? '0.0.0.0', () => {
    const where = `http://${config.host ?? 'localhost'}:${config.port}${config.basePath}/`;
    logger.info({ database: dialectOf(config.databaseUrl) }, `MistralChat listening on ${where}`);
  });
  const purge = () => {
    purgeAuthData(db).then((n) => {
      if (n.guests || n.tokens || n.attempts || n.sessions || n.sendKeys || n.temporary) logger.info(n, 'purged expired sign-in data, sessions and send keys');
    }, (err: unknown) => logger.warn({ err }, 'purging expired sign-in data failed; will retry'));
  };
  purge();
  const purgeTimer = setInterval(purge, PURGE_EVERY_MS);
  purgeTimer.unref();
  server.on('error', (err) => {
    logger.fatal({ err }, 'could not start the server');
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(purgeTimer);
    logger.info({ signal }, 'shutting down: no new connections, letting requests finish');
    const force = setTimeout(() => {
      logger.warn('requests still open after the grace period; closing them');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Running answers end as "interrupted" with what arrived saved, before the database closes.
    const answers = (app.locals.generations as Generations).shutdown();
    server.close(async () => {
      await answers;
      await db.destroy();
      logger.info('stopped');
      process.exit(0);
    });
    // A connection whose last response (say, an event stream that just sent its final event) has ended sits idle in
    // keep-alive; close such connections as they appear instead of waiting for the grace period.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 250).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
