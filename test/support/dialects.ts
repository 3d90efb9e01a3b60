// Which SQL dialects the integration suite runs on: SQLite always; MySQL/MariaDB when TEST_MYSQL_URL is set.
// A set TEST_MYSQL_URL that cannot be reached is a failure, not a skip: CI must not pass on SQLite alone by accident.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { createDb, migrateLatest, type Db, type Dialect } from '../../src/db.ts';

export const MYSQL_URL = process.env.TEST_MYSQL_URL;
export const DIALECTS: Dialect[] = MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
export const DIALECTS_LINE = MYSQL_URL
  ? `Dialects: sqlite + mysql (TEST_MYSQL_URL=${MYSQL_URL.replace(/:[^:@/]*@/, ':***@')})`
  : 'Dialects: sqlite only. MySQL SKIPPED: TEST_MYSQL_URL is not set (CI sets it; see README).';

export type TestDb = { url: string; dialect: Dialect; db: Db; drop(): Promise<void> };

/** A fresh, empty database of the dialect (not migrated). */
export async function freshDatabase(dialect: Dialect, mysqlUrl = MYSQL_URL): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-test-'));
    const url = `sqlite:${path.join(dir, 'test.sqlite3')}`;
    const db = createDb(url);
    return { url, dialect, db, async drop() { await db.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  }
  if (!mysqlUrl) throw new Error('MySQL asked for, but no MySQL URL is set (TEST_MYSQL_URL)');
  const server = new URL(mysqlUrl);
  const name = `${server.pathname.replace(/^\//, '') || 'mistralchat_test'}_${randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'mysql2', connection: { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) } });
  await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
  await admin.destroy();
  server.pathname = `/${name}`;
  const url = server.toString();
  const db = createDb(url);
  return {
    url, dialect, db,
    async drop() {
      await db.destroy();
      const a = knex({ client: 'mysql2', connection: { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) } });
      await a.raw('DROP DATABASE IF EXISTS ??', [name]);
      await a.destroy();
    },
  };
}

/** A fresh database with every migration applied. */
export async function migratedDatabase(dialect: Dialect, mysqlUrl = MYSQL_URL): Promise<TestDb> {
  const t = await freshDatabase(dialect, mysqlUrl);
  await migrateLatest(t.db);
  return t;
}
