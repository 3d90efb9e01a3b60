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

/** Every table of the test database: to check that deleting an account leaves no row of it anywhere. */
export async function tablesOf(t: TestApp): Promise<string[]> {
  if (t.dialect === 'mysql') {
    const [rows] = await t.db.raw('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = database()');
    return (rows as Array<{ name: string }>).map((r) => r.name);
  }
  const rows = await t.db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  return (rows as Array<{ name: string }>).map((r) => r.name);
}
