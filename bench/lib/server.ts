// The real server (npm start's command, NODE_ENV=production) as a child process on a fresh database of a dialect,
// so benchmarks measure what users run and can read the server's own memory and CPU from /proc.
import { readFileSync } from 'node:fs';
import type { Dialect, Db } from '../../src/db.ts';
import { migratedDatabase, type TestDb } from '../../test/support/dialects.ts';
import { TEST_SECRETS } from '../../test/support/app.ts';
import { startServer, type Running } from '../../test/support/server-process.ts';

/** Where MySQL benchmarks create (and drop) their databases. */
// An empty variable counts as unset (`TEST_MYSQL_URL= npm run bench` must not mean "no URL").
export const BENCH_MYSQL_URL = process.env.BENCH_MYSQL_URL || process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/mistralchat_bench';

export type BenchServer = { db: Db; dialect: Dialect; origin: string; running: Running; stop(): Promise<void> };

/** A migrated database, filled by `prepare` before the server starts, then the server on it. */
export async function benchServer(dialect: Dialect, env: Record<string, string>, prepare?: (db: Db) => Promise<void>, nodeArgs?: string[]): Promise<BenchServer> {
  const t: TestDb = await migratedDatabase(dialect, BENCH_MYSQL_URL);
  try {
    await prepare?.(t.db);
    const running = await startServer({ NODE_ENV: 'production', LOG_LEVEL: 'info', ...TEST_SECRETS, DATABASE_URL: t.url, ...env }, { timeoutMs: 60_000, nodeArgs });
    return {
      db: t.db, dialect, running, origin: `http://127.0.0.1:${running.port}`,
      async stop() { await running.stop(); await t.drop(); },
    };
  } catch (err) {
    await t.drop();
    throw err;
  }
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line; after "pid (comm) " they are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
