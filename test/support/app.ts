// Builds the real app on a real, freshly migrated database of one dialect.
import { loadConfig, type Config } from '../../src/config.ts';
import { createApp } from '../../src/app.ts';
import type { Dialect } from '../../src/db.ts';
import { createLogger } from '../../src/http/logger.ts';
import { migratedDatabase, type TestDb } from './dialects.ts';

export const TEST_SECRETS = {
  SESSION_SECRET: 'test-session-secret-0123456789abcdef',
  ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
};

export type TestApp = TestDb & { app: ReturnType<typeof createApp>; config: Config; close(): Promise<void> };

export async function testApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  const t = await migratedDatabase(dialect);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, DATABASE_URL: t.url, ...env });
  const app = createApp({ config, db: t.db, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  return { ...t, app, config, close: () => t.drop() };
}
