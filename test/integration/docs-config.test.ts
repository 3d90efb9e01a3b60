// Configuration from the outside: .env and the environment, readiness, sessions shared between instances, what the
// database keeps of an access token, the layout's meta tags and htmx config, and the documentation of every variable.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createDb } from '../../src/db.ts';
import { createLogger } from '../../src/http/logger.ts';
import { testApp, TEST_SECRETS, type TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';
import { ROOT, startServer } from '../support/server-process.ts';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The variable names of the config schema, read from src/config.ts. */
function schemaVariables(): string[] {
  const src = read('src/config.ts');
  const body = /const schema = z\.object\(\{\n([\s\S]*?)\n\}\);/.exec(src)![1];
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
}

/** htmx's own rule: the first responseHandling entry whose code regex matches the status. */
function handlingFor(config: { responseHandling: { code: string }[] }, status: number) {
  return config.responseHandling.find((h) => new RegExp(h.code).test(String(status)));
}

describe('.env and the environment', () => {
  it('reads .env when present, and a variable set in the environment wins over it', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'mc-dotenv-'));
    writeFileSync(path.join(cwd, '.env'), [
      'BASE_PATH=/fromdotenv',
      'DATABASE_URL=sqlite:from-dotenv.sqlite3',
      `SESSION_SECRET=${TEST_SECRETS.SESSION_SECRET}`,
      `ENCRYPTION_KEY=${TEST_SECRETS.ENCRYPTION_KEY}`,
      '',
    ].join('\n'));
    const server = await startServer({ DATABASE_URL: 'sqlite:from-env.sqlite3' }, { cwd, timeoutMs: 40_000 });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/fromdotenv/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/healthz`)).status).toBe(404);
      expect(existsSync(path.join(cwd, 'from-env.sqlite3'))).toBe(true);
      expect(existsSync(path.join(cwd, 'from-dotenv.sqlite3'))).toBe(false);
      // The secrets came from .env: none were generated.
      expect(existsSync(path.join(cwd, 'data/secrets.json'))).toBe(false);
      expect(server.output()).toContain('/fromdotenv/');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);
});

describe('readiness', () => {
  it('/readyz answers 503 while the database cannot be reached, /healthz still 200', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, DATABASE_URL: 'mysql://nobody@127.0.0.1:1/nothing' });
    const db = createDb(config.databaseUrl);
    try {
      const app = createApp({ config, db, logger: createLogger('silent') });
      const ready = await request(app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', database: 'unreachable' });
      expect((await request(app).get('/healthz')).status).toBe(200);
    } finally {
      await db.destroy();
    }
  });
});

describe.each(DIALECTS)('one database, two app instances, on %s', (dialect) => {
  let t: TestApp;
  let other: { app: ReturnType<typeof createApp>; db: ReturnType<typeof createDb> };
  beforeAll(async () => {
    t = await testApp(dialect);
    // Another instance: its own app and its own connection pool, the same database and secrets.
    const db = createDb(t.url);
    other = { db, app: createApp({ config: t.config, db, logger: createLogger('silent') }) };
  });
  afterAll(async () => { await other?.db.destroy(); await t?.close(); });

  it('shares sessions: a CSRF token issued by one instance is accepted by the other', async () => {
    const page = await request(t.app).get('/login');
    const sid = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('mc_sid='))!.split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const form = { _csrf: csrf, email: 'nobody@example.com', password: 'not-the-password' };
    const onB = await request(other.app).post('/login').set('Cookie', sid).type('form').send(form);
    expect(onB.status).toBe(401);
    expect(onB.text).not.toContain('This form has expired');
    // Without the session cookie the same token is refused: it is the shared session that made it valid.
    expect((await request(other.app).post('/login').type('form').send(form)).status).toBe(403);
  });

  it('stores only the SHA-256 of an access token: the raw token is in no table', async () => {
    const res = await request(t.app).post('/api/auth/email/register').send({ email: `hash-${dialect}@example.com`, password: 'hash-password-1', name: 'Hash' });
    expect(res.status).toBe(201);
    const token = String(res.body.token);
    expect(token.length).toBeGreaterThanOrEqual(32);
    // The token works, on either instance.
    expect((await request(other.app).get('/api/auth/validate').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const rows = await t.db('access_tokens').select('*');
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    const tables = ['users', 'access_tokens', 'sessions', 'threads', 'messages', 'user_settings', 'shares', 'auth_attempts'];
    for (const table of tables) expect(JSON.stringify(await t.db(table).select('*')), table).not.toContain(token);
  });
});

describe('the layout', () => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp('sqlite'); });
  afterAll(async () => { await t?.close(); });

  it('has lang, viewport and color-scheme meta, and an htmx config that swaps 422 into the form and errors into #flash', async () => {
    const html = (await request(t.app).get('/login')).text;
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    const raw = /<meta name="htmx-config" content='([^']+)'>/.exec(html)![1];
    const config = JSON.parse(raw.replace(/&#34;/g, '"'));
    expect(config).toMatchObject({ allowEval: false, allowScriptTags: false, includeIndicatorStyles: false });
    expect(handlingFor(config, 200)).toMatchObject({ swap: true });
    expect(handlingFor(config, 204)).toMatchObject({ swap: false });
    const invalid = handlingFor(config, 422)!;
    expect(invalid).toMatchObject({ swap: true });
    expect(invalid).not.toHaveProperty('target');
    for (const status of [400, 403, 404, 409, 413, 429, 500, 502, 503]) {
      expect(handlingFor(config, status), String(status)).toEqual({ code: expect.any(String), swap: true, error: true, target: '#flash', swapOverride: 'innerHTML', select: '.error-box' });
    }
  });
});

describe('every configuration variable is documented', () => {
  const schema = schemaVariables();
  const readme = /## Configuration\n([\s\S]*?)\n## /.exec(read('README.md'))![1];
  const readmeTable = [...readme.matchAll(/^\| (.+?) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((v) => v[1]));
  const example = [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);

  it('reads the schema (sanity)', () => {
    expect(schema).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'BASE_PATH', 'LOG_LEVEL', 'SESSION_SECRET']));
    expect(schema.length).toBeGreaterThan(20);
  });

  it('in the README table and in .env.example', () => {
    expect(schema.filter((v) => !readmeTable.includes(v)), 'missing from README.md').toEqual([]);
    expect(schema.filter((v) => !example.includes(v)), 'missing from .env.example').toEqual([]);
  });

  it('and documents no variable the schema does not have', () => {
    expect(readmeTable.filter((v) => !schema.includes(v)), 'README.md only').toEqual([]);
    expect(example.filter((v) => !schema.includes(v)), '.env.example only').toEqual([]);
  });
});
