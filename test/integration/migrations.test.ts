import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db.ts';
import { createUser, deleteUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { readJson, writeJson } from '../../src/lib/json.ts';
import { toDate } from '../../src/lib/time.ts';
import { DIALECTS, freshDatabase, MYSQL_URL, type TestDb } from '../support/dialects.ts';
import { ROOT } from '../support/server-process.ts';
import { TEST_SECRETS } from '../support/app.ts';

const run = promisify(execFile);
const PARENT_MIGRATION = '20261126000100_messages_parent_set_null.ts';
const BRANCH_MIGRATION = '20261203000100_message_branches.ts';
// Search (issue 15): its SQLite triggers name messages and threads, so a migration that rebuilds those tables (knex's
// SQLite alter) runs with the search index undone first, as a rollback in order would.
const SEARCH_MIGRATION = '20261208000100_search_index.ts';
// Search on MySQL by owner: it replaces the search migration's FULLTEXT indexes, so it is undone before it, redone after.
const SEARCH_OWNER_MIGRATION = '20261213000100_search_owner.ts';
// And the owner-bucket words replace those in turn.
const SEARCH_WORDS_MIGRATION = '20261215000100_search_words.ts';
const SEARCH_CHAIN = [SEARCH_MIGRATION, SEARCH_OWNER_MIGRATION, SEARCH_WORDS_MIGRATION];
const downSearch = async (db: Db) => { for (const name of [...SEARCH_CHAIN].reverse()) await db.migrate.down({ name }); };
const upSearch = async (db: Db) => { for (const name of SEARCH_CHAIN) await db.migrate.up({ name }); };

/** A thread holding a reply chain `depth` messages deep (each the parent of the next); returns the ids in order. */
async function replyChain(db: Db, userId: number, threadId: string, depth: number): Promise<number[]> {
  const now = new Date();
  await db('threads').insert({ id: threadId, user_id: userId, created_at: now, updated_at: now });
  const ids: number[] = [];
  for (let i = 0; i < depth; i++) {
    const [id] = await db('messages').insert({ thread_id: threadId, parent_id: ids.at(-1) ?? null, role: i % 2 ? 'assistant' : 'user',
      content: `m${i}`, status: 'complete', created_at: now, updated_at: now });
    ids.push(Number(id));
  }
  return ids;
}

const count = async (db: Db, table: string, where: Record<string, unknown> = {}) => Number((await db(table).where(where).count({ n: '*' }).first())?.n);

const TABLES = ['users', 'access_tokens', 'sessions', 'threads', 'messages', 'user_settings', 'shares'];

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => { t = await freshDatabase(dialect); });
  afterAll(async () => { await t?.drop(); });

  it('up creates every table, down removes them all, up again works', async () => {
    await t.db.migrate.latest();
    for (const name of TABLES) expect(await t.db.schema.hasTable(name), name).toBe(true);
    await t.db.migrate.rollback(undefined, true);
    for (const name of TABLES) expect(await t.db.schema.hasTable(name), name).toBe(false);
    await t.db.migrate.latest();
    const [, pending] = await t.db.migrate.list();
    expect(pending).toEqual([]);
  });

  it('stores utf8mb4 text, dates and JSON the same way on both dialects', async () => {
    const user = await createUser(t.db, { email: ' Ünïcode@Example.COM ', name: 'Zoë 🦊' });
    expect(user.email).toBe('ünïcode@example.com');
    expect(user.name).toBe('Zoë 🦊');
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const now = new Date();
    await t.db('threads').insert({ id: 'thread-aaaaaaaaaa', user_id: user.id, title: '数学 ∑', created_at: now, updated_at: now });
    await t.db('messages').insert({ thread_id: 'thread-aaaaaaaaaa', role: 'assistant', content: '😀'.repeat(10), status: 'complete',
      usage: writeJson({ promptTokens: 3 }), created_at: now, updated_at: now });
    const msg = await t.db('messages').first();
    expect(msg.content).toBe('😀'.repeat(10));
    expect(readJson(msg.usage, {})).toEqual({ promptTokens: 3 });
    expect(toDate(msg.created_at).getTime()).toBe(now.getTime());
  });

  it('deleting a user deletes every row of theirs (cascades)', async () => {
    const user = await createUser(t.db, { email: 'cascade@example.com' });
    const other = await createUser(t.db, { email: 'keep@example.com' });
    const now = new Date();
    await issueToken(t.db, user.id, { ttlDays: 1 });
    await issueToken(t.db, other.id, { ttlDays: 1 });
    await t.db('threads').insert({ id: 'thread-cascade01', user_id: user.id, created_at: now, updated_at: now });
    const [parent] = await t.db('messages').insert({ thread_id: 'thread-cascade01', role: 'user', content: 'hi', status: 'complete', created_at: now, updated_at: now });
    await t.db('messages').insert({ thread_id: 'thread-cascade01', parent_id: parent, role: 'assistant', content: 'yo', status: 'complete', created_at: now, updated_at: now });
    await t.db('user_settings').insert({ user_id: user.id, fast_models: writeJson(['a']), updated_at: now });
    await t.db('shares').insert({ thread_id: 'thread-cascade01', user_id: user.id, code_hash: 'f'.repeat(64), created_at: now });

    await deleteUser(t.db, user.id);
    for (const [table, col] of [['access_tokens', 'user_id'], ['threads', 'user_id'], ['user_settings', 'user_id'], ['shares', 'user_id']] as const) {
      expect(await t.db(table).where(col, user.id).count({ n: '*' }).first(), table).toMatchObject({ n: 0 });
    }
    expect(await t.db('messages').where({ thread_id: 'thread-cascade01' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(await t.db('access_tokens').where({ user_id: other.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  it('deletes a user whose thread holds a 40-deep reply chain (deeper than InnoDB cascades), leaving no rows', async () => {
    const user = await createUser(t.db, { email: 'deep@example.com' });
    const other = await createUser(t.db, { email: 'shallow@example.com' });
    const ids = await replyChain(t.db, user.id, 'thread-deep00001', 40);
    await replyChain(t.db, other.id, 'thread-other0001', 3);
    expect(await count(t.db, 'messages', { thread_id: 'thread-deep00001' })).toBe(40);
    // Deleting one message only unlinks its reply (the parent link lets go; it never deletes a branch).
    await t.db('messages').where({ id: ids[20] }).delete();
    expect(await t.db('messages').where({ id: ids[21] }).first()).toMatchObject({ parent_id: null });
    await deleteUser(t.db, user.id);
    expect(await count(t.db, 'messages', { thread_id: 'thread-deep00001' })).toBe(0);
    expect(await count(t.db, 'threads', { user_id: user.id })).toBe(0);
    expect(await count(t.db, 'users', { id: user.id })).toBe(0);
    expect(await count(t.db, 'messages', { thread_id: 'thread-other0001' })).toBe(3);
  });

  it('the parent-link migration keeps every message and link, and undoes cleanly', async () => {
    const user = await createUser(t.db, { email: 'links@example.com' });
    await downSearch(t.db);
    await t.db.migrate.down({ name: PARENT_MIGRATION });
    const ids = await replyChain(t.db, user.id, 'thread-links0001', 5);
    const before = await t.db('messages').where({ thread_id: 'thread-links0001' }).orderBy('id').select('id', 'parent_id', 'content');
    await t.db.migrate.up({ name: PARENT_MIGRATION });
    const after = await t.db('messages').where({ thread_id: 'thread-links0001' }).orderBy('id').select('id', 'parent_id', 'content');
    expect(after).toEqual(before);
    expect(after.map((m: { parent_id: number | null }) => m.parent_id === null ? null : Number(m.parent_id))).toEqual([null, ...ids.slice(0, 4)]);
    await upSearch(t.db);
    const [, pending] = await t.db.migrate.list();
    expect(pending).toEqual([]);
  });

  it('the branches migration links each earlier message to the previous one of its thread, and undoes cleanly', async () => {
    const user = await createUser(t.db, { email: 'branches@example.com' });
    await downSearch(t.db);
    await t.db.migrate.down({ name: BRANCH_MIGRATION });
    const now = new Date();
    for (const id of ['thread-linear001', 'thread-linear002']) await t.db('threads').insert({ id, user_id: user.id, created_at: now, updated_at: now });
    // Messages as sending stored them before branches: no parent, and two threads' ids interleaved.
    const ids: Record<string, number[]> = { 'thread-linear001': [], 'thread-linear002': [] };
    for (let i = 0; i < 6; i++) {
      const thread = i % 3 === 1 ? 'thread-linear002' : 'thread-linear001';
      const [id] = await t.db('messages').insert({ thread_id: thread, role: i % 2 ? 'assistant' : 'user', content: `m${i}`, status: 'complete', created_at: now, updated_at: now });
      ids[thread].push(Number(id));
    }
    await t.db.migrate.up({ name: BRANCH_MIGRATION });
    for (const [thread, list] of Object.entries(ids)) {
      const rows = await t.db('messages').where({ thread_id: thread }).orderBy('id').select('parent_id');
      expect(rows.map((r: { parent_id: unknown }) => (r.parent_id === null ? null : Number(r.parent_id))), thread).toEqual([null, ...list.slice(0, -1)]);
    }
    expect((await t.db('threads').where({ id: 'thread-linear001' }).first()).current_leaf_id).toBeNull();
    await t.db.migrate.down({ name: BRANCH_MIGRATION });
    expect(await t.db.schema.hasColumn('threads', 'current_leaf_id')).toBe(false);
    await t.db.migrate.up({ name: BRANCH_MIGRATION });
    await upSearch(t.db);
    const [, pending] = await t.db.migrate.list();
    expect(pending).toEqual([]);
  });

  if (dialect === 'mysql') {
    it('creates utf8mb4 tables on MySQL', async () => {
      const [rows] = await t.db.raw('SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
      for (const r of rows as { TABLE_NAME: string; TABLE_COLLATION: string }[]) expect(r.TABLE_COLLATION, r.TABLE_NAME).toMatch(/^utf8mb4/);
    });
  }
});

/** A database created with another default character set than utf8mb4. */
async function latin1Database(): Promise<{ url: string; db: Db; drop(): Promise<void> }> {
  const server = new URL(MYSQL_URL!);
  const name = `${server.pathname.replace(/^\//, '') || 'mistralchat_test'}_l1_${randomBytes(4).toString('hex')}`;
  const connection = { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) };
  const admin = knex({ client: 'mysql2', connection });
  await admin.raw('CREATE DATABASE ?? CHARACTER SET latin1 COLLATE latin1_swedish_ci', [name]);
  server.pathname = `/${name}`;
  const db = createDb(server.toString());
  return {
    url: server.toString(), db,
    async drop() { await db.destroy(); await admin.raw('DROP DATABASE IF EXISTS ??', [name]); await admin.destroy(); },
  };
}

// Tables are utf8mb4 because src/db.ts gives the connection charset utf8mb4, which knex writes into every CREATE TABLE;
// on a database whose own default is latin1 only that setting stands between the tables and latin1.
// MySQL only (defined only when TEST_MYSQL_URL is set; the run's first and last lines say when MySQL was skipped).
if (MYSQL_URL) describe('utf8mb4 on a MySQL database created latin1', () => {
  it('migrations create every table and text column utf8mb4, and an emoji round-trips', async () => {
    const l1 = await latin1Database();
    try {
      const [[{ charset }]] = await l1.db.raw('SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()');
      expect(charset).toBe('latin1');
      await l1.db.migrate.latest();
      const [rows] = await l1.db.raw('SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
      expect((rows as unknown[]).length).toBeGreaterThanOrEqual(9);
      for (const r of rows as { TABLE_NAME: string; TABLE_COLLATION: string }[]) expect(r.TABLE_COLLATION, r.TABLE_NAME).toMatch(/^utf8mb4/);
      const [cols] = await l1.db.raw(`SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND CHARACTER_SET_NAME IS NOT NULL AND CHARACTER_SET_NAME <> 'utf8mb4'`);
      expect(cols).toEqual([]);
      const user = await createUser(l1.db, { email: 'fox@example.com', name: 'Zoë 🦊 数学' });
      expect((await l1.db('users').where({ id: user.id }).first()).name).toBe('Zoë 🦊 数学');
      // And the cascades work there too: deleting the user takes their thread and messages.
      await replyChain(l1.db, user.id, 'thread-latin1001', 3);
      await l1.db('messages').where({ thread_id: 'thread-latin1001' }).update({ content: '😀 emoji' });
      expect((await l1.db('messages').where({ thread_id: 'thread-latin1001' }).first()).content).toBe('😀 emoji');
      await deleteUser(l1.db, user.id);
      expect(await count(l1.db, 'messages')).toBe(0);
    } finally {
      await l1.drop();
    }
  });
});

/** `npm run <script>` in the project, as a person would type it, against DATABASE_URL. */
function npmRun(script: string, databaseUrl: string) {
  return run('npm', ['run', '--silent', script], {
    cwd: ROOT, timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, ...TEST_SECRETS },
  });
}

describe.each(DIALECTS)('the knex CLI scripts (npm run migrate, seed, migrate:rollback) on %s', (dialect) => {
  it('migrate creates every table, seed adds the demo user, rollback removes them all', async () => {
    const t = await freshDatabase(dialect);
    try {
      await npmRun('migrate', t.url);
      for (const name of TABLES) expect(await t.db.schema.hasTable(name), name).toBe(true);
      const [, pending] = await t.db.migrate.list();
      expect(pending).toEqual([]);
      await npmRun('seed', t.url);
      expect(await count(t.db, 'users', { email: 'demo@example.com' })).toBe(1);
      expect(await count(t.db, 'messages')).toBeGreaterThan(0);
      await npmRun('migrate:rollback', t.url);
      for (const name of TABLES) expect(await t.db.schema.hasTable(name), name).toBe(false);
    } finally {
      await t.drop();
    }
  }, 120_000);
});
