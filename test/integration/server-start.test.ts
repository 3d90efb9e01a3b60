import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../support/dialects.ts';
import { runServerToExit, startServer } from '../support/server-process.ts';

describe('starting the server as npm start does', () => {
  it('exits non-zero naming PORT when PORT=abc', async () => {
    const { code, output } = await runServerToExit({ PORT: 'abc' });
    expect(code).not.toBe(0);
    expect(output).toMatch(/PORT="abc": must be a whole number/);
  });

  it('on a fresh directory: creates the SQLite file and secrets, migrates, serves', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'mc-fresh-'));
    const server = await startServer({}, { cwd });
    try {
      expect(existsSync(path.join(cwd, 'data/mistralchat.sqlite3'))).toBe(true);
      expect(existsSync(path.join(cwd, 'data/secrets.json'))).toBe(true);
      expect(server.output()).toMatch(/Generated SESSION_SECRET and ENCRYPTION_KEY/);
      const base = `http://127.0.0.1:${server.port}`;
      const root = await fetch(`${base}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toMatch(/^\/login/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  if (DIALECTS.includes('mysql')) {
    it('with DATABASE_URL=mysql://… creates every table on MariaDB', async () => {
      const t = await freshDatabase('mysql');
      const server = await startServer({ DATABASE_URL: t.url, SESSION_SECRET: 's'.repeat(32), ENCRYPTION_KEY: 'ab'.repeat(32) });
      try {
        expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(200);
        for (const table of ['users', 'access_tokens', 'sessions', 'threads', 'messages', 'user_settings', 'shares']) {
          expect(await t.db.schema.hasTable(table), table).toBe(true);
        }
      } finally {
        await server.stop();
        await t.drop();
      }
    });
  }
});
