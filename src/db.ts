// Builds Knex for MySQL/MariaDB (mysql2) or SQLite (better-sqlite3) from DATABASE_URL.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import knex, { type Knex } from 'knex';
import { CODE_ROOT } from './lib/paths.ts';

export type Db = Knex;
export type Dialect = 'mysql' | 'sqlite';

export const MIGRATIONS_DIR = path.join(CODE_ROOT, 'migrations');
export const SEEDS_DIR = path.join(CODE_ROOT, 'seeds');

export function dialectOf(databaseUrl: string): Dialect {
  return /^(mysql|mariadb):/.test(databaseUrl) ? 'mysql' : 'sqlite';
}

/** The Knex configuration for a URL; knexfile.ts and the server share it. */
export function knexConfig(databaseUrl: string, opts: { pool?: { min: number; max: number } } = {}): Knex.Config {
  const common = {
    migrations: { migrationSource: new TsMigrationSource(MIGRATIONS_DIR) },
    seeds: { seedSource: new TsSeedSource(SEEDS_DIR) },
  };
  if (dialectOf(databaseUrl) === 'mysql') {
    const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
    return {
      ...common,
      client: 'mysql2',
      connection: {
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.replace(/^\//, ''),
        charset: 'utf8mb4',
        // Dates are stored and read as UTC whatever the server's zone.
        timezone: 'Z',
        supportBigNumbers: true,
        bigNumberStrings: false,
      },
      pool: {
        ...(opts.pool ?? { min: 0, max: 10 }),
        // A thread's path is walked by a recursive query, one step per message (branches.repo.ts): MariaDB stops at
        // max_recursive_iterations (1000 by default, silently) and MySQL 8 fails past cte_max_recursion_depth (1000).
        // Each server knows only its own variable.
        // A page reads each message's siblings as one GROUP_CONCAT of ids (branches.repo.ts): its 1,024-byte default
        // would cut a list of more than about a hundred versions.
        afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
          conn.query('SET SESSION group_concat_max_len = 4294967295', (err) => {
            if (err) return done(err, conn);
            conn.query('SET SESSION max_recursive_iterations = 4294967295', (err) => {
              if (!err) return done(null, conn);
              conn.query('SET SESSION cte_max_recursion_depth = 4294967295', () => done(null, conn));
            });
          });
        },
      },
    };
  }
  const file = databaseUrl.replace(/^sqlite:/, '');
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return {
    ...common,
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // Cascading deletes need foreign keys on; WAL lets readers run beside the single writer.
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        reusePreparedStatements(conn);
        conn.pragma('foreign_keys = ON');
        if (file !== ':memory:') conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  };
}

type Statement = object;
type SqliteConnection = { pragma(s: string): unknown; prepare(sql: string): Statement };
type Preparer = { prepare(sql: string): Statement };

// Performance (issue 18): knex's better-sqlite3 client prepares every query's statement again (parsing and planning
// its SQL, ~3 % of a thread page's CPU). Statements are kept per connection by their SQL text: SQLite re-prepares one
// by itself when the schema changes, and knex runs each with .all() or .run() to the end (never left half-read by an
// .iterate()), so one statement is never in use twice at once. Bounded: the cache starts over past STATEMENTS.
const STATEMENTS = 1000;
export function reusePreparedStatements(conn: Preparer): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, Statement>();
  conn.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (!statement) {
      statement = prepare(sql);
      if (kept.size >= STATEMENTS) kept.clear();
      kept.set(sql, statement);
    }
    return statement;
  };
}

type Migration = { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> };

/**
 * Loads migrations with this module's own import(), so the server, the knex CLI (tsx) and the test runner (vite)
 * all load the same migrations under the same names. Compiled (dist/migrations/*.js, what npm start runs) they keep
 * their source names (*.ts), so a database migrated by either way is up to date for the other.
 */
class TsMigrationSource implements Knex.MigrationSource<string> {
  constructor(private dir: string) {}
  async getMigrations(): Promise<string[]> {
    return tsFiles(this.dir);
  }
  getMigrationName(name: string): string {
    return name.replace(/\.js$/, '.ts');
  }
  async getMigration(name: string): Promise<Migration> {
    return (await import(pathToFileURL(path.join(this.dir, name)).href)) as Migration;
  }
}

/** Seeds, loaded the same way (knex's seed runner calls getSeeds, then getSeed for each). */
class TsSeedSource {
  constructor(private dir: string) {}
  async getSeeds(): Promise<string[]> {
    return tsFiles(this.dir);
  }
  async getSeed(name: string): Promise<{ seed(k: Knex): Promise<void> }> {
    return import(pathToFileURL(path.join(this.dir, name)).href);
  }
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^\d+_[\w-]+\.[jt]s$/.test(f)).sort();
}

export function createDb(databaseUrl: string): Db {
  return knex(knexConfig(databaseUrl));
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest();
}

/** knex.raw's rows on both dialects (mysql2 answers [rows, fields], better-sqlite3 the rows). */
export function rawRows(result: unknown): Array<Record<string, any>> {
  if (!Array.isArray(result)) return [];
  return Array.isArray(result[0]) ? result[0] : result;
}

/**
 * Performance (issue 18): the rows of a SELECT written once as SQL. knex's query builder costs several times the query
 * itself on every call (building, compiling, formatting); db.raw runs the text as given, through the same pool,
 * bindings, type casts and query events, so rows come back exactly as the builder's would. Such SQL uses backquoted
 * names and `?` placeholders only, which both dialects read the same way.
 */
export async function selectRows(db: Db, sql: string, args: readonly unknown[]): Promise<Array<Record<string, any>>> {
  return rawRows(await db.raw(sql, args as never[]));
}

export async function isReady(db: Db): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
